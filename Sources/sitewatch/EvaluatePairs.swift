import ArgumentParser
import ChangeAnalysis
import Foundation
import GeoRaster
import RasterIO
import RasterKernels

/// Scores the change core on labelled image pairs (the layout of the public building-change
/// datasets: A/, B/ and label/ with the same file names) against a plain change-vector baseline.
struct EvaluatePairs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate-pairs",
        abstract: "Score the change map on labelled pairs (DIR/A, DIR/B, DIR/label) against a plain change-vector baseline.",
        discussion: """
            For each pair, runs the change core that `compare` runs (co-registration, IR-MAD normalisation, \
            change magnitude, threshold, opening and closing) on A and B, placed by --gsd in a local frame, and \
            writes OUT/masks/NAME.png (0/255). OUT/scores.json and OUT/scores.md give per pair and summed over the \
            pairs: pixel precision, recall, F1, IoU, overall accuracy and kappa, and object recall and precision \
            (regions of at least 20 px), for SiteWatch and for the baseline (per-band mean/std match, magnitude of \
            the difference vector, Otsu on 256 bins). Labels: any non-zero pixel is change.
            """)

    @Argument(help: "Folder holding A/, B/ and label/ (PNG, JPEG or TIFF, the same names in each).")
    var directory: String

    @Option(name: .long, help: "Ground sample distance of the images, metres.")
    var gsd: Double

    @Option(name: .long, help: "Output folder (must not exist or be empty).")
    var out: String

    @OptionGroup var changeMap: ChangeMapOptions

    func validate() throws {
        guard gsd.isFinite, gsd > 0, gsd <= 1000 else { throw ValidationError("--gsd must be a pixel size in metres, > 0, got \(gsd)") }
    }

    struct PairResult {
        var name: String
        var sitewatch: ChangeScores
        var baseline: ChangeScores
        var normalisation: Normalisation
        var thresholdMethod: String
        var threshold: Double
    }

    func run() throws {
        try SiteWatch.reportingErrors {
            let names = try Self.pairNames(in: directory)
            let staging = try OutputFolder(out)
            try FileManager.default.createDirectory(atPath: staging.path + "/masks", withIntermediateDirectories: true)
            var results: [PairResult] = []
            var failures: [(String, String)] = []
            for name in names {
                do {
                    let result = try Self.evaluate(directory: directory, name: name, gsdMeters: gsd, parameters: changeMap.parameters,
                                                   masks: staging.path + "/masks")
                    results.append(result)
                } catch {
                    failures.append((name, "\(error)"))
                    FileHandle.standardError.write(Data("sitewatch: error: \(error)\n".utf8))
                }
            }
            let markdown = Self.markdown(results, failures: failures, directory: directory, gsd: gsd)
            try FileChecks.writeAtomically(Array(Self.json(results, failures: failures, directory: directory, gsd: gsd,
                                                           parameters: changeMap.parameters).utf8),
                                           to: staging.path + "/scores.json")
            try FileChecks.writeAtomically(Array(markdown.utf8), to: staging.path + "/scores.md")
            try staging.commit()
            print(markdown, terminator: "")
            if !failures.isEmpty { throw ExitCode(ExitStatus.batchHadFailures) }
        }
    }

    /// The names present in A/, B/ and label/ alike; a name missing from B/ or label/ is an error.
    static func pairNames(in directory: String) throws -> [String] {
        for sub in ["A", "B", "label"] {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory + "/" + sub, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw RasterIOError(.io, path: directory + "/" + sub, "missing folder: a labelled pair set holds A/, B/ and label/ with the same file names")
            }
        }
        let images = { (sub: String) throws -> [String] in
            try FileManager.default.contentsOfDirectory(atPath: directory + "/" + sub)
                .filter { ["png", "tif", "tiff", "jpg", "jpeg"].contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
        }
        let a = try images("A")
        guard !a.isEmpty else { throw RasterIOError(.io, path: directory + "/A", "no PNG, JPEG or TIFF images") }
        let b = Set(try images("B")), label = Set(try images("label"))
        for name in a where !b.contains(name) || !label.contains(name) {
            throw RasterIOError(.io, path: directory + "/" + (b.contains(name) ? "label/" : "B/") + name,
                                "missing: every image in A/ needs the same name in B/ and label/")
        }
        return a
    }

    static func evaluate(directory: String, name: String, gsdMeters: Double, parameters: ChangeParameters, masks: String) throws -> PairResult {
        let pathA = directory + "/A/" + name, pathB = directory + "/B/" + name, pathLabel = directory + "/label/" + name
        let a = try RasterDataset.open(pathA), b = try RasterDataset.open(pathB), label = try RasterDataset.open(pathLabel)
        let size = a.info.layout.window
        for (path, source) in [(pathB, b), (pathLabel, label)] where source.info.layout.window != size {
            throw RasterIOError(.incompatibleInputs, path: path,
                                "is \(source.info.layout.width) x \(source.info.layout.height) px, but \(pathA) is \(size.width) x \(size.height): a pair must have the same size")
        }
        guard a.info.layout.bandCount == b.info.layout.bandCount else {
            throw RasterIOError(.incompatibleInputs, path: pathB, "has \(b.info.layout.bandCount) bands, \(pathA) has \(a.info.layout.bandCount)")
        }
        // Each date decoded once: the change core and the baseline read the same pixels.
        let before = try LocalFrameSource(a, gsdMeters: gsdMeters).readRaster()
        let after = try LocalFrameSource(b, gsdMeters: gsdMeters).readRaster()
        // The final mask of the change core. Both dates share the image frame, so the overlap is
        // the whole image and the mask's rows are the image's.
        var predicted = [UInt8](repeating: 0, count: size.pixelCount)
        let result = try ChangeDetector(parameters: parameters).run(
            openBefore: { InMemorySource(before) },
            openAfter: { InMemorySource(after) },
            pixelSizeMeters: gsdMeters,
            mask: { rows, bits in
                for (row, y) in rows.enumerated() {
                    for x in 0..<bits.width where bits[x, row] { predicted[y * size.width + x] = 255 }
                }
            })
        let reference = ChangeScores.referenceMask(try label.readRaster())
        let baseline = PlainChangeVector.mask(before: before, after: after)
        var maskRaster = Raster(layout: RasterLayout(width: size.width, height: size.height, bandCount: 1, pixelType: .uint8))
        maskRaster.samples = predicted
        try PNGFile.write(maskRaster, to: masks + "/" + (name as NSString).deletingPathExtension + ".png")
        return PairResult(name: name,
                          sitewatch: ChangeScores(predicted: predicted, reference: reference, width: size.width, height: size.height),
                          baseline: ChangeScores(predicted: baseline, reference: reference, width: size.width, height: size.height),
                          normalisation: result.normalisation, thresholdMethod: result.thresholdMethod, threshold: result.threshold)
    }

    static func figures(_ s: ChangeScores) -> [(String, Double)] {
        [("precision", s.precision), ("recall", s.recall), ("f1", s.f1), ("iou", s.iou), ("overall_accuracy", s.overallAccuracy),
         ("kappa", s.kappa), ("object_recall", s.objectRecall), ("object_precision", s.objectPrecision), ("flagged_fraction", s.flaggedFraction)]
    }

    static func json(_ results: [PairResult], failures: [(String, String)], directory: String, gsd: Double, parameters: ChangeParameters) -> String {
        func scores(_ s: ChangeScores) -> [String: Any] {
            var d: [String: Any] = ["true_positives": s.truePositives, "false_positives": s.falsePositives,
                                    "false_negatives": s.falseNegatives, "true_negatives": s.trueNegatives,
                                    "reference_objects": s.referenceObjects, "reference_objects_hit": s.referenceObjectsHit,
                                    "predicted_objects": s.predictedObjects, "predicted_objects_on_reference": s.predictedObjectsOnReference]
            for (key, value) in figures(s) { d[key] = (value * 10000).rounded() / 10000 }
            return d
        }
        let pairs: [[String: Any]] = results.map { r in
            ["name": r.name, "sitewatch": scores(r.sitewatch), "baseline": scores(r.baseline),
             "threshold": r.threshold, "threshold_method": r.thresholdMethod,
             "normalisation": ["method": r.normalisation.method.rawValue, "gains": r.normalisation.gains, "offsets": r.normalisation.offsets,
                               "invariant_fraction": r.normalisation.invariantFraction, "band_correlations": r.normalisation.bandCorrelations,
                               "fallback_reason": r.normalisation.fallbackReason ?? NSNull()] as [String: Any]]
        }
        let total = { (pick: (PairResult) -> ChangeScores) in results.map(pick).reduce(ChangeScores(), +) }
        let document: [String: Any] = [
            "directory": directory, "gsd_m": gsd, "pairs": pairs,
            "parameters": ["no_change_tail_probability": parameters.noChangeTailProbability,
                           "averaging_radius_m": parameters.averagingRadiusMeters,
                           "threshold": parameters.threshold == .otsu ? "otsu" : "kittler_illingworth"] as [String: Any],
            "summed": ["sitewatch": scores(total(\.sitewatch)), "baseline": scores(total(\.baseline))],
            "failed": failures.map { ["name": $0.0, "error": $0.1] },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func markdown(_ results: [PairResult], failures: [(String, String)], directory: String, gsd: Double) -> String {
        func pct(_ v: Double) -> String { String(format: "%.1f", 100 * v) }
        var md = "# Change map on labelled pairs: \(directory) (GSD \(gsd) m)\n\n"
        md += "| pair | SiteWatch P / R / F1 % | baseline P / R / F1 % | SiteWatch IoU, kappa | baseline IoU, kappa | SiteWatch objects R / P % | baseline objects R / P % | flagged % SW / base | normalisation, threshold |\n"
        md += "|---|---|---|---|---|---|---|---|---|\n"
        func row(_ name: String, _ s: ChangeScores, _ b: ChangeScores, _ note: String) -> String {
            "| \(name) | \(pct(s.precision)) / \(pct(s.recall)) / \(pct(s.f1)) | \(pct(b.precision)) / \(pct(b.recall)) / \(pct(b.f1)) | "
                + String(format: "%.3f, %.3f | %.3f, %.3f", s.iou, s.kappa, b.iou, b.kappa)
                + " | \(pct(s.objectRecall)) / \(pct(s.objectPrecision)) | \(pct(b.objectRecall)) / \(pct(b.objectPrecision)) | \(pct(s.flaggedFraction)) / \(pct(b.flaggedFraction)) | \(note) |\n"
        }
        for r in results {
            let n = r.normalisation
            let note = "\(n.method.rawValue) (invariant \(pct(n.invariantFraction)) %), \(r.thresholdMethod)"
            md += row((r.name as NSString).deletingPathExtension, r.sitewatch, r.baseline, note)
        }
        let s = results.map(\.sitewatch).reduce(ChangeScores(), +), b = results.map(\.baseline).reduce(ChangeScores(), +)
        md += row("**summed (\(results.count) pairs)**", s, b, "")
        md += "\nSummed F1: SiteWatch \(pct(s.f1)) %, baseline \(pct(b.f1)) % (\(s.f1 > b.f1 ? "SiteWatch ahead" : "baseline ahead") by \(String(format: "%.1f", 100 * abs(s.f1 - b.f1))) points).\n"
        for (name, error) in failures { md += "\nFailed: \(name): \(error)\n" }
        return md
    }
}

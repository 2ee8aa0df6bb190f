import ArgumentParser
import ChangeAnalysis
import Foundation
import GeoRaster
import RasterIO

/// Runs perimeter extraction and reconciliation on synthetic scenes and compares them with their
/// truth.json: the figures the perimeter issue is judged on.
struct EvaluatePerimeter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate-perimeter",
        abstract: "Measure perimeter extraction against synthetic scenes' truth and print a Markdown table.")

    @Argument(help: "Scene folders, each with before/, after/ and truth.json (from `sitewatch synth`).")
    var scenes: [String]

    @Option(name: .long, help: "Where the after date's shift comes from: detector (co-registration), truth, none.")
    var registration: String = "detector"

    @Flag(name: .long, help: "Give extraction a cloud validity mask drawn from truth.json's cloud outlines (tests the occlusion path; a real run needs a cloud mask from elsewhere).")
    var cloudMaskFromTruth = false

    @Option(name: .long, help: "Write intermediate planes as PGM files here (debugging).")
    var debugDir: String?

    func run() throws {
        try SiteWatch.reportingErrors {
            print("| scene | true growth % | measured growth % | IoU before | IoU after | new fence true m | new fence measured m | removed fence true / measured m | occluded m | s |")
            print("|---|---|---|---|---|---|---|---|---|---|")
            var failures = 0
            for scene in scenes {
                let start = Date()
                do {
                    let row = try evaluate(scene)
                    print(row.text + String(format: " %.1f |", Date().timeIntervalSince(start)))
                    if !row.pass { failures += 1 }
                } catch {
                    print("| \((scene as NSString).lastPathComponent) | error: \(error) | | | | | | | | |")
                    failures += 1
                }
            }
            print("\n\(scenes.count - failures) of \(scenes.count) scenes within the targets (growth ±2 points (nochange ±1), IoU ≥ 0.97, new fence ±10 %).")
        }
    }

    struct Row { var text: String; var pass: Bool }

    func polygon(_ any: Any?) -> MapPolygon? {
        guard let dict = any as? [String: Any], let ring = dict["ring"] as? [[String: Double]] else { return nil }
        return MapPolygon(ring.map { MapPoint(x: $0["x"]!, y: $0["y"]!) })
    }

    func evaluate(_ folder: String) throws -> Row {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/truth.json"))
        let truth = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let siteMap = truth["site_map"] as! [String: Double]
        let site = MapPoint(x: siteMap["x"]!, y: siteMap["y"]!)
        let trueBefore = polygon((truth["compound_before"] as! [String: Any])["polygon"])!
        let trueAfter = polygon((truth["compound_after"] as! [String: Any])["polygon"])!
        let trueGrowth = truth["growth_percent"] as! Double
        let trueNew = truth["new_fence_length_meters"] as! Double
        let trueRemoved = truth["removed_fence_length_meters"] as? Double ?? 0
        let name = (folder as NSString).lastPathComponent

        let before = try RasterDataset.open(folder + "/before"), after = try RasterDataset.open(folder + "/after")
        func dump(_ date: String) -> ((String, Int, Int, [Float]) -> Void)? {
            guard let dir = debugDir else { return nil }
            return { plane, w, h, values in
                let sorted = values.sorted()
                let lo = sorted[sorted.count / 100], hi = sorted[sorted.count * 99 / 100]
                var bytes = Data("P5\n\(w) \(h)\n255\n".utf8)
                bytes.append(contentsOf: values.map { UInt8(max(0, min(255, ($0 - lo) / max(hi - lo, 1e-6) * 255))) })
                try? bytes.write(to: URL(fileURLWithPath: "\(dir)/\(name)-\(date)-\(plane).pgm"))
                try? values.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: URL(fileURLWithPath: "\(dir)/\(name)-\(date)-\(plane).f32"))
            }
        }
        // Cloud outlines are in the true frame; the after image shows ground at (pixel - misregistration).
        func cloudMask(_ date: String, _ source: RasterSource) -> PixelSource? {
            guard cloudMaskFromTruth, let clouds = (truth["clouds"] as? [String: Any])?[date] as? [[String: Any]], !clouds.isEmpty,
                  let t = source.georeferencing?.transform else { return nil }
            let outlines = clouds.compactMap { polygon($0["outline"]) }
            let m = truth["misregistration"] as! [String: Any]
            let shift = date == "after" ? MapPoint(x: m["east_meters"] as! Double, y: m["north_meters"] as! Double) : MapPoint(x: 0, y: 0)
            let layout = RasterLayout(width: source.layout.width, height: source.layout.height, bandCount: 1, pixelType: .uint8)
            var samples = [UInt8](repeating: 1, count: layout.width * layout.height)
            let boxes = outlines.map(\.bounds)
            for y in 0..<layout.height {
                for x in 0..<layout.width {
                    let p = t.map(PixelPoint(x: Double(x) + 0.5, y: Double(y) + 0.5))
                    let q = MapPoint(x: p.x - shift.x, y: p.y - shift.y)
                    for (o, b) in zip(outlines, boxes) where q.x >= b.minX && q.x <= b.maxX && q.y >= b.minY && q.y <= b.maxY && o.contains(q) {
                        samples[y * layout.width + x] = 0
                        break
                    }
                }
            }
            return InMemorySource(Raster(layout: layout, samples: samples, georeferencing: source.georeferencing))
        }
        let pb = try PerimeterAnalysis.extract(before, site: site, validity: cloudMask("before", before), debug: dump("before"))
        let pa = try PerimeterAnalysis.extract(after, site: site, validity: cloudMask("after", after), debug: dump("after"))

        let gsd = abs(before.georeferencing!.transform.pixelWidth)
        var shift = MapPoint(x: 0, y: 0)
        var residualMeters = 0.0
        switch registration {
        case "truth":
            let m = truth["misregistration"] as! [String: Any]
            shift = MapPoint(x: -(m["east_meters"] as! Double), y: -(m["north_meters"] as! Double))
        case "none":
            break
        default:
            // The change core's co-registration: after pixel = before pixel + shift (before pixels),
            // so the after polygon moves back by the shift in map units.
            var parameters = ChangeParameters()
            parameters.threads = 2
            let result = try ChangeDetector(parameters: parameters).run(
                openBefore: { try RasterDataset.open(folder + "/before") }, openAfter: { try RasterDataset.open(folder + "/after") })
            let t = before.georeferencing!.transform
            let s = result.registration.appliedShift
            shift = MapPoint(x: -(s.x * t.pixelWidth + s.y * t.rowRotation), y: -(s.x * t.columnRotation + s.y * t.pixelHeight))
            residualMeters = result.registration.residual * gsd
        }
        let change = PerimeterAnalysis.compare(before: pb, after: pa, afterShiftMeters: shift,
                                               registrationResidualMeters: residualMeters, pixelSizeMeters: gsd)
        if ProcessInfo.processInfo.environment["PERIMETER_VERBOSE"] != nil {
            func fmt(_ ps: [MapPoint]) -> String { ps.map { String(format: "(%.1f,%.1f)", $0.x, $0.y) }.joined(separator: " ") }
            FileHandle.standardError.write(Data("""
            \(name) before \(fmt(pb.polygon.ring)) conf \(pb.confidence)
            \(name) after  \(fmt(pa.polygon.ring)) conf \(pa.confidence)
            \(name) snapped \(fmt(change.after.polygon.ring))
            \(name) new \(change.newFences.map { fmt($0.points) })
            \(name) removed \(change.removedFences.map { fmt($0.points) })
            \(name) shift \(shift) residual \(residualMeters)

            """.utf8))
        }
        let iouBefore = PerimeterAnalysis.intersectionOverUnion(change.before.polygon, trueBefore)
        let iouAfter = PerimeterAnalysis.intersectionOverUnion(change.after.polygon, trueAfter)
        let growthError = abs(change.growthPercent - trueGrowth)
        let nochange = trueNew == 0
        var pass = iouBefore >= 0.97 && iouAfter >= 0.97
        if nochange {
            pass = pass && growthError <= 1 && change.newFences.isEmpty
        } else {
            pass = pass && growthError <= 2 && abs(change.newFenceLengthMeters - trueNew) <= 0.1 * trueNew
        }
        let text = String(format: "| %@ | %.2f | %.2f ± %.2f | %.4f | %.4f | %.0f | %.0f (%d) | %.0f / %.0f | %.0f / %.0f | %@",
                          name, trueGrowth, change.growthPercent, change.growthUncertaintyPoints, iouBefore, iouAfter,
                          trueNew, change.newFenceLengthMeters, change.newFences.count, trueRemoved, change.removedFenceLengthMeters,
                          ((truth["occluded_perimeter_meters"] as? [String: Double]) ?? [:]).values.reduce(0, +), pb.occludedLengthMeters + pa.occludedLengthMeters,
                          pass ? "ok" : "MISS")
        return Row(text: text, pass: pass)
    }
}

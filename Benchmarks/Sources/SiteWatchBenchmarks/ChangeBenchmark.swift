import ChangeAnalysis
import Dispatch
import Foundation
import GeoRaster
import RasterIO
import SceneSynth

// The change core on generated pairs (ChangePair: textured ground, a few hundred new objects, a
// known 2-pixel shift, per-band gain/offset, noise) written as folders of 512² LZW GeoTIFF tiles.
// Checks issue 4's accuracy claims and measures throughput and peak memory (in a child process).
// Sizes: CHANGE_SIZES="2048 4096 8192" (default "2048 8192").

struct ChangeRunResult: Codable {
    var shiftX: Double
    var shiftY: Double
    var confidence: Double
    var residual: Double
    var regions: Int
    var seconds: Double
    var peakRSSMegabytes: Double
    var timings: [String: Double]
}

struct PeerResult: Codable {
    var pipeline: String
    var seconds: Double
    var regions: Int
    var peakRSSMegabytes: Double
    /// Peer time / SiteWatch time, same files, same run.
    var timeRatio: Double
}

struct ChangeBenchmarkResult: Codable {
    var size: Int
    var objects: Int
    var trueShift: [Double]
    var run: ChangeRunResult
    var shiftErrorPixels: Double
    var countErrorPercent: Double
    var megapixelsPerSecondPerDate: Double
    var peers: [PeerResult]?
}

/// Runs Benchmarks/peers/opencv_pipeline.py with PEERS_PYTHON (a venv with OpenCV, numpy, scipy,
/// tifffile) on the same tile folders; nil when no peer Python is configured.
func runPeers(before: String, after: String, siteWatchSeconds: Double) throws -> [PeerResult]? {
    guard let python = ProcessInfo.processInfo.environment["PEERS_PYTHON"] else { return nil }
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("peers/opencv_pipeline.py").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script, before, after]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
        guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let name = o["pipeline"] as? String, let seconds = o["seconds"] as? Double else { return nil }
        return PeerResult(pipeline: name, seconds: seconds, regions: o["regions"] as? Int ?? 0,
                          peakRSSMegabytes: o["peak_rss_mb"] as? Double ?? 0, timeRatio: seconds / siteWatchSeconds)
    }
}

func writePair(_ pair: ChangePair, date: ChangePair.Date, to folder: String) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let size = date == .before ? pair.size : pair.afterSize
    let tile = 512
    let windows = stride(from: 0, to: size, by: tile).flatMap { y in
        stride(from: 0, to: size, by: tile).map { x in PixelWindow(x: x, y: y, width: min(tile, size - x), height: min(tile, size - y)) }
    }
    let failure = DispatchSemaphore(value: 1)
    var firstError: Error?
    DispatchQueue.concurrentPerform(iterations: windows.count) { i in
        let w = windows[i]
        do {
            try GeoTIFFWriter.write(pair.render(date, window: w), to: "\(folder)/t_\(w.y / tile)_\(w.x / tile).tif",
                                    options: .init(compression: .lzw, blocks: .tiles(256)))
        } catch {
            failure.wait(); firstError = firstError ?? error; failure.signal()
        }
    }
    if let firstError { throw firstError }
}

func peakRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
    return Double(line.split(separator: " ").dropFirst().first.map(String.init) ?? "0").map { $0 / 1024 } ?? 0
}

func changeRun(before: String, after: String) throws {
    let clock = ContinuousClock()
    let start = clock.now
    var parameters = ChangeParameters()
    parameters.threads = 2
    let result = try ChangeDetector(parameters: parameters).run(
        openBefore: { try TileMosaic(folder: before) }, openAfter: { try TileMosaic(folder: after) },
        store: { try FileRowStore(width: $0.width, height: $0.height) })
    let elapsed = clock.now - start
    let run = ChangeRunResult(shiftX: result.registration.shiftX, shiftY: result.registration.shiftY,
                              confidence: result.registration.confidence, residual: result.registration.residual,
                              regions: result.regions.count,
                              seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18,
                              peakRSSMegabytes: peakRSSMegabytes(), timings: result.timings)
    FileHandle.standardOutput.write(try JSONEncoder().encode(run))
}

func runChangeBenchmark(resultsFolder: String) throws {
    let sizes = (ProcessInfo.processInfo.environment["CHANGE_SIZES"] ?? "2048 8192").split(separator: " ").compactMap { Int($0) }
    // CHANGE_KEEP=DIR keeps the generated pairs there (for profiling the child run by hand).
    let keep = ProcessInfo.processInfo.environment["CHANGE_KEEP"]
    let scratch = keep ?? NSTemporaryDirectory() + "sitewatch-change-bench-\(getpid())"
    defer { if keep == nil { try? FileManager.default.removeItem(atPath: scratch) } }
    var results: [ChangeBenchmarkResult] = []
    for size in sizes {
        let shift = PixelPoint(x: 1.6, y: -1.2)  // 2 pixels
        let pair = ChangePair(size: size, objectCount: max(20, size * size / 220_000), shift: shift, seed: UInt64(size))
        let folder = "\(scratch)/\(size)"
        try writePair(pair, date: .before, to: folder + "/before")
        try writePair(pair, date: .after, to: folder + "/after")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["change-run", folder + "/before", folder + "/after"]
        let pipe = Pipe()
        child.standardOutput = pipe
        try child.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        guard child.terminationStatus == 0 else { throw NSError(domain: "change-run failed for \(size)", code: Int(child.terminationStatus)) }
        let run = try JSONDecoder().decode(ChangeRunResult.self, from: data)
        let error = ((run.shiftX - shift.x) * (run.shiftX - shift.x) + (run.shiftY - shift.y) * (run.shiftY - shift.y)).squareRoot()
        let result = ChangeBenchmarkResult(size: size, objects: pair.objects.count, trueShift: [shift.x, shift.y], run: run,
                                           shiftErrorPixels: error,
                                           countErrorPercent: 100 * Double(run.regions - pair.objects.count) / Double(pair.objects.count),
                                           megapixelsPerSecondPerDate: Double(size * size) / run.seconds / 1e6,
                                           peers: try runPeers(before: folder + "/before", after: folder + "/after", siteWatchSeconds: run.seconds))
        results.append(result)
        print(String(format: "change %5d^2: shift error %.3f px, %d regions for %d objects (%+.2f %%), %.1f s, %.1f Mpx/s per date, peak RSS %.0f MB",
                     size, error, run.regions, pair.objects.count, result.countErrorPercent, run.seconds,
                     result.megapixelsPerSecondPerDate, run.peakRSSMegabytes))
        if keep == nil { try? FileManager.default.removeItem(atPath: folder) }
    }
    // Runs of other sizes stay in the file: a long size can be run on its own.
    let previous = (try? JSONDecoder().decode([ChangeBenchmarkResult].self,
                                              from: Data(contentsOf: URL(fileURLWithPath: resultsFolder + "/change.json")))) ?? []
    let sizesRun = Set(results.map(\.size))
    results = (previous.filter { !sizesRun.contains($0.size) } + results).sorted { $0.size < $1.size }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(results).write(to: URL(fileURLWithPath: resultsFolder + "/change.json"))
    var markdown = "# Change core on generated pairs (release, \(ProcessInfo.processInfo.activeProcessorCount) cores)\n\n"
    markdown += "Pairs from `ChangePair`: 512² LZW GeoTIFF tile folders, a 2 px shift (1.6, -1.2), per-band gain/offset, noise σ = 2, objects appearing in the after date. Time is the whole `ChangeDetector.run` (decode, co-registration, normalisation, both passes) with a file-backed magnitude store; peak RSS is the child process's.\n\n"
    markdown += "| size | objects | regions found | count error | shift error (px) | seconds | Mpx/s per date | peak RSS (MB) |\n|---|---|---|---|---|---|---|---|\n"
    for r in results {
        markdown += String(format: "| %d² | %d | %d | %+.2f %% | %.3f | %.1f | %.1f | %.0f |\n", r.size, r.objects, r.run.regions,
                           r.countErrorPercent, r.shiftErrorPixels, r.run.seconds, r.megapixelsPerSecondPerDate, r.run.peakRSSMegabytes)
    }
    let withPeers = results.filter { $0.peers != nil }
    if !withPeers.isEmpty {
        markdown += "\nPeers on the same files in the same run (whole dates in memory; time ratio = peer / SiteWatch, above 1 means SiteWatch is faster):\n\n"
        markdown += "| size | pipeline | seconds | time ratio | regions | peak RSS (MB) |\n|---|---|---|---|---|---|\n"
        for r in withPeers {
            for p in r.peers! {
                markdown += String(format: "| %d² | %@ | %.1f | %.2f | %d | %.0f |\n", r.size, p.pipeline as NSString, p.seconds, p.timeRatio, p.regions, p.peakRSSMegabytes)
            }
        }
    }
    try markdown.write(toFile: resultsFolder + "/change.md", atomically: true, encoding: .utf8)
}

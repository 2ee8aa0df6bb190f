import ChangeAnalysis
import CTIFFBaseline
import Dispatch
import Foundation
import GeoRaster
import RasterIO
import SceneSynth

// The change core on generated pairs (ChangePair: textured ground, a few hundred new objects, a
// known 2-pixel shift, per-band gain/offset, noise), at each size in BENCH_SIZES (default
// "2048 4096 8192 16384"), written as folders of 512² LZW and DEFLATE GeoTIFF tiles and as single
// tiled LZW files (BENCH_LAYOUTS, default "lzw deflate file"). Per size, in one run:
// - the whole ChangeDetector.run on each layout, 2 threads, in a child process (time, peak RSS,
//   accuracy against the pair's truth);
// - the core excluding decode: both dates decoded into memory first, then timed with 1 and 2 threads;
// - decode throughput of the tile folders through TileMosaic against libtiff decoding the same
//   tiles in C, 1 and 2 threads;
// - the peer pipelines (Benchmarks/peers, PEERS_PYTHON) on the LZW tile folders.
// Scenes are generated in a temporary folder and deleted (CHANGE_KEEP=DIR keeps them there).

enum Layout: String, Codable, CaseIterable {
    case lzw, deflate, file
    var title: String {
        switch self {
        case .lzw: return "512² LZW tiles"
        case .deflate: return "512² DEFLATE tiles"
        case .file: return "one LZW file (256² tiles)"
        }
    }
}

struct ChangeRunResult: Codable {
    var threads: Int
    var shiftX: Double
    var shiftY: Double
    var confidence: Double
    var residual: Double
    var regions: Int
    var seconds: Double
    var peakRSSMegabytes: Double
    var timings: [String: Double]
}

struct LayoutResult: Codable {
    var layout: Layout
    var run: ChangeRunResult
    var megapixelsPerSecondPerDate: Double
    var shiftErrorPixels: Double
    var countErrorPercent: Double
}

struct PeerResult: Codable {
    var pipeline: String
    var seconds: Double
    var regions: Int
    var shift: [Double]
    var peakRSSMegabytes: Double
    var timings: [String: Double]
    var megapixelsPerSecondPerDate: Double
    /// Peer time / SiteWatch time on the same LZW tile folders in the same run (above 1: SiteWatch is faster).
    var timeRatio: Double
}

struct DecodeResult: Codable {
    var compression: String
    /// Both dates' tiles, as the change core reads them (full-width strips of 256 rows).
    var megapixels: Double
    var mosaicOneThreadSeconds: Double
    var mosaicTwoThreadsSeconds: Double
    var libtiffOneThreadSeconds: Double
    var libtiffTwoThreadsSeconds: Double
}

struct SizeResult: Codable {
    var size: Int
    var objects: Int
    var trueShift: [Double]
    var layouts: [LayoutResult]
    /// The core excluding decode (dates decoded into memory first), by thread count.
    var core: [ChangeRunResult]
    var decode: [DecodeResult]
    var peers: [PeerResult]
}

// MARK: - Child processes

/// `change-run BEFORE AFTER THREADS [memory]`: one timed ChangeDetector.run; prints a ChangeRunResult.
func changeRunChild(_ arguments: [String]) throws {
    let before = arguments[0], after = arguments[1], threads = Int(arguments[2]) ?? 2
    let inMemory = arguments.count > 3 && arguments[3] == "memory"
    var openBefore: () throws -> PixelSource = { try RasterDataset.open(before) }
    var openAfter: () throws -> PixelSource = { try RasterDataset.open(after) }
    if inMemory {
        // Decoded before the clock starts: what is timed is the core alone.
        let b = InMemorySource(try RasterDataset.open(before).readRaster())
        let a = InMemorySource(try RasterDataset.open(after).readRaster())
        openBefore = { b }
        openAfter = { a }
    }
    var parameters = ChangeParameters()
    parameters.threads = threads
    let clock = ContinuousClock()
    let start = clock.now
    let result = try ChangeDetector(parameters: parameters).run(
        openBefore: openBefore, openAfter: openAfter,
        store: { try FileRowStore(width: $0.width, height: $0.height) })
    let run = ChangeRunResult(threads: threads, shiftX: result.registration.shiftX, shiftY: result.registration.shiftY,
                              confidence: result.registration.confidence, residual: result.registration.residual,
                              regions: result.regions.count, seconds: seconds(clock.now - start),
                              peakRSSMegabytes: peakRSSMegabytes(), timings: result.timings)
    FileHandle.standardOutput.write(try JSONEncoder().encode(run))
}

// MARK: - Scenes

func writeTiles(_ pair: ChangePair, date: ChangePair.Date, to folder: String, compression: GeoTIFFWriter.Compression) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let size = date == .before ? pair.size : pair.afterSize
    let tile = 512
    let windows = stride(from: 0, to: size, by: tile).flatMap { y in
        stride(from: 0, to: size, by: tile).map { x in PixelWindow(x: x, y: y, width: min(tile, size - x), height: min(tile, size - y)) }
    }
    let lock = NSLock()
    var firstError: Error?
    DispatchQueue.concurrentPerform(iterations: windows.count) { i in
        let w = windows[i]
        do {
            try GeoTIFFWriter.write(pair.render(date, window: w), to: "\(folder)/t_\(w.y / tile)_\(w.x / tile).tif",
                                    options: .init(compression: compression, blocks: .tiles(256)))
        } catch {
            lock.withLock { firstError = firstError ?? error }
        }
    }
    if let firstError { throw firstError }
}

/// The scene's folders (or files) for one layout, generated if missing.
func scene(_ pair: ChangePair, _ layout: Layout, in folder: String) throws -> (before: String, after: String) {
    switch layout {
    case .lzw, .deflate:
        let paths = ("\(folder)/\(layout.rawValue)/before", "\(folder)/\(layout.rawValue)/after")
        if !FileManager.default.fileExists(atPath: paths.0) {
            try writeTiles(pair, date: .before, to: paths.0, compression: layout == .lzw ? .lzw : .deflate)
            try writeTiles(pair, date: .after, to: paths.1, compression: layout == .lzw ? .lzw : .deflate)
        }
        return paths
    case .file:
        // The LZW tiles, read whole and written as one file.
        let tiles = try scene(pair, .lzw, in: folder)
        let paths = ("\(folder)/file/before.tif", "\(folder)/file/after.tif")
        if !FileManager.default.fileExists(atPath: paths.0) {
            try FileManager.default.createDirectory(atPath: "\(folder)/file", withIntermediateDirectories: true)
            for (from, to) in [(tiles.0, paths.0), (tiles.1, paths.1)] {
                try GeoTIFFWriter.write(try TileMosaic(folder: from).readRaster(limits: DecodeLimits(maxWindowBytes: 8 << 30)), to: to,
                                        options: .init(compression: .lzw, blocks: .tiles(256)))
            }
        }
        return paths
    }
}

// MARK: - Decode

func tilePaths(_ folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tif") }.sorted().map { "\(folder)/\($0)" }
}

/// Both dates' tile folders read as the change core reads them: strips of 256 rows, 1 or 2 threads
/// (each thread its own mosaics and a band of rows), and libtiff decoding the same tiles.
func decodeBenchmark(before: String, after: String, compression: String) throws -> DecodeResult {
    let folders = [before, after]
    func mosaicSeconds(threads: Int) throws -> Double {
        let lock = NSLock()
        var failure: Error?
        let time = seconds {
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                do {
                    for folder in folders {
                        let mosaic = try TileMosaic(folder: folder)
                        let layout = mosaic.info.layout
                        let rows = 256
                        let strips = (layout.height + rows - 1) / rows
                        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: layout.width * rows * layout.bandCount, alignment: 64)
                        defer { buffer.deallocate() }
                        for strip in (thread * strips / threads)..<((thread + 1) * strips / threads) {
                            let window = PixelWindow(x: 0, y: strip * rows, width: layout.width, height: min(rows, layout.height - strip * rows))
                            try mosaic.read(window: window, into: buffer)
                        }
                    }
                } catch {
                    lock.withLock { failure = error }
                }
            }
        }
        if let failure { throw failure }
        return time
    }
    let paths = try folders.flatMap(tilePaths)
    func libtiffSeconds(threads: Int) throws -> Double {
        var bytes: Int64 = 0
        let cPaths = paths.map { strdup($0) }
        defer { cPaths.forEach { free($0) } }
        let time = cPaths.map { UnsafePointer($0) }.withUnsafeBufferPointer {
            tiff_baseline_decode($0.baseAddress, Int32(paths.count), Int32(threads), &bytes)
        }
        guard bytes > 0 else { throw BenchmarkError("libtiff could not decode \(before)") }
        return time
    }
    let layout = try TileMosaic(folder: before).info.layout
    // Best of two: the files are in the page cache either way; the first pass also faults in buffers.
    func best(_ f: () throws -> Double) rethrows -> Double { min(try f(), try f()) }
    return DecodeResult(compression: compression, megapixels: 2 * Double(layout.width * layout.height) / 1e6,
                        mosaicOneThreadSeconds: try best { try mosaicSeconds(threads: 1) },
                        mosaicTwoThreadsSeconds: try best { try mosaicSeconds(threads: 2) },
                        libtiffOneThreadSeconds: try best { try libtiffSeconds(threads: 1) },
                        libtiffTwoThreadsSeconds: try best { try libtiffSeconds(threads: 2) })
}

// MARK: - Peers

/// Benchmarks/peers/opencv_pipeline.py with PEERS_PYTHON, one pipeline per process (its own peak RSS).
func runPeer(_ pipeline: String, before: String, after: String, size: Int, siteWatchSeconds: Double) throws -> PeerResult? {
    guard let python = ProcessInfo.processInfo.environment["PEERS_PYTHON"] else { return nil }
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("peers/opencv_pipeline.py").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script, before, after, "--pipeline", pipeline]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
          let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
          let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
          let seconds = o["seconds"] as? Double else {
        print("peer \(pipeline) failed at \(size)² (exit \(process.terminationStatus))")
        return nil
    }
    return PeerResult(pipeline: pipeline, seconds: seconds, regions: o["regions"] as? Int ?? 0,
                      shift: o["shift"] as? [Double] ?? [], peakRSSMegabytes: o["peak_rss_mb"] as? Double ?? 0,
                      timings: o["timings"] as? [String: Double] ?? [:],
                      megapixelsPerSecondPerDate: Double(size * size) / seconds / 1e6, timeRatio: seconds / siteWatchSeconds)
}

// MARK: - The suite

func runChangeBenchmark() throws {
    let environment = ProcessInfo.processInfo.environment
    let sizes = (environment["BENCH_SIZES"] ?? "2048 4096 8192 16384").split(separator: " ").compactMap { Int($0) }
    let layouts = (environment["BENCH_LAYOUTS"] ?? "lzw deflate file").split(separator: " ").compactMap { Layout(rawValue: String($0)) }
    // The numpy/scipy pipeline's FFT registration needs ~10 GB and many minutes at 16384².
    let scipyMaxSize = Int(environment["SCIPY_MAX_SIZE"] ?? "8192") ?? 8192
    // Each timed run repeated (SiteWatch and peers alike) and the fastest kept, its peak RSS the
    // largest seen: on a shared 2-core machine single runs swing by tens of per cent.
    // SiteWatch's runs (a second or two each) 5 times, the peers' (up to minutes) 3 times.
    let repeats = max(1, Int(environment["BENCH_REPEATS"] ?? "5") ?? 5)
    let peerRepeats = max(1, Int(environment["PEER_REPEATS"] ?? "3") ?? 3)
    func fastest(_ run: () throws -> ChangeRunResult) throws -> ChangeRunResult {
        let runs = try (0..<repeats).map { _ in try run() }
        var best = runs.min { $0.seconds < $1.seconds }!
        best.peakRSSMegabytes = runs.map(\.peakRSSMegabytes).max()!
        return best
    }
    func fastestPeer(_ run: () throws -> PeerResult?) throws -> PeerResult? {
        let runs = try (0..<peerRepeats).compactMap { _ in try run() }
        guard var best = runs.min(by: { $0.seconds < $1.seconds }) else { return nil }
        best.peakRSSMegabytes = runs.map(\.peakRSSMegabytes).max()!
        return best
    }
    let keep = environment["CHANGE_KEEP"]
    let scratch = keep ?? NSTemporaryDirectory() + "sitewatch-change-bench-\(getpid())"
    defer { if keep == nil { try? FileManager.default.removeItem(atPath: scratch) } }
    var results: [SizeResult] = []
    for size in sizes {
        let shift = PixelPoint(x: 1.6, y: -1.2)  // 2 pixels
        let pair = ChangePair(size: size, objectCount: max(20, size * size / 220_000), shift: shift, seed: UInt64(size))
        let folder = "\(scratch)/\(size)"
        let perDate = Double(size * size) / 1e6
        var result = SizeResult(size: size, objects: pair.objects.count, trueShift: [shift.x, shift.y], layouts: [], core: [],
                                decode: [], peers: [])
        for layout in layouts {
            let generation = try seconds { _ = try scene(pair, layout, in: folder) }
            let (before, after) = try scene(pair, layout, in: folder)
            let run = try fastest { try child(["change-run", before, after, "2"], as: ChangeRunResult.self) }
            let error = ((run.shiftX - shift.x) * (run.shiftX - shift.x) + (run.shiftY - shift.y) * (run.shiftY - shift.y)).squareRoot()
            let entry = LayoutResult(layout: layout, run: run, megapixelsPerSecondPerDate: perDate / run.seconds, shiftErrorPixels: error,
                                     countErrorPercent: 100 * Double(run.regions - pair.objects.count) / Double(pair.objects.count))
            result.layouts.append(entry)
            print(String(format: "change %5d² %-26@ %6.2f s  %6.1f Mpx/s per date  peak RSS %5.0f MB  shift error %.3f px  %d/%d regions  (generated in %.0f s)",
                         size, layout.title as NSString, run.seconds, entry.megapixelsPerSecondPerDate, run.peakRSSMegabytes, error,
                         run.regions, pair.objects.count, generation))
            if layout == .lzw || layout == .deflate {
                let decode = try decodeBenchmark(before: before, after: after, compression: layout.rawValue.uppercased())
                result.decode.append(decode)
                print(String(format: "decode %5d² %-7@ mosaic %6.1f / %6.1f Mpx/s (1 / 2 threads), libtiff %6.1f / %6.1f Mpx/s",
                             size, decode.compression as NSString, decode.megapixels / decode.mosaicOneThreadSeconds,
                             decode.megapixels / decode.mosaicTwoThreadsSeconds, decode.megapixels / decode.libtiffOneThreadSeconds,
                             decode.megapixels / decode.libtiffTwoThreadsSeconds))
            }
        }
        if let lzw = result.layouts.first(where: { $0.layout == .lzw }) {
            let (before, after) = try scene(pair, .lzw, in: folder)
            for threads in [1, 2] {
                let run = try fastest { try child(["change-run", before, after, "\(threads)", "memory"], as: ChangeRunResult.self) }
                result.core.append(run)
                print(String(format: "core   %5d² excluding decode, %d thread%@  %6.2f s  %6.1f Mpx/s per date",
                             size, threads, threads == 1 ? "" : "s", run.seconds, perDate / run.seconds))
            }
            for pipeline in ["opencv", "numpy-scipy"] where pipeline != "numpy-scipy" || size <= scipyMaxSize {
                if let peer = try fastestPeer({ try runPeer(pipeline, before: before, after: after, size: size, siteWatchSeconds: lzw.run.seconds) }) {
                    result.peers.append(peer)
                    print(String(format: "peer   %5d² %-12@ %7.2f s  %6.1f Mpx/s per date  %.1fx SiteWatch's time  peak RSS %5.0f MB  %d regions",
                                 size, pipeline as NSString, peer.seconds, peer.megapixelsPerSecondPerDate, peer.timeRatio,
                                 peer.peakRSSMegabytes, peer.regions))
                }
            }
        }
        results.append(result)
        if keep == nil { try? FileManager.default.removeItem(atPath: folder) }
    }
    let machine = Machine.current()
    try writeResults(ChangeSuite(machine: machine, sizes: results), markdown: changeMarkdown(results, machine, repeats: repeats, peerRepeats: peerRepeats), name: "change")
    try writeResults(DecodeSuite(machine: machine, sizes: results.map { DecodeSize(size: $0.size, results: $0.decode) }),
                     markdown: decodeMarkdown(results, machine), name: "decode")
}

struct ChangeSuite: Codable { var machine: Machine; var sizes: [SizeResult] }
struct DecodeSize: Codable { var size: Int; var results: [DecodeResult] }
struct DecodeSuite: Codable { var machine: Machine; var sizes: [DecodeSize] }

// MARK: - Reports

func changeMarkdown(_ results: [SizeResult], _ machine: Machine, repeats: Int, peerRepeats: Int) -> String {
    func f(_ format: String, _ args: CVarArg...) -> String { String(format: format, arguments: args) }
    var md = "# The change core, end to end (Benchmarks/run)\n\n\(machine.markdown)\n\n"
    md += "Pairs from `ChangePair` (RGB uint8, textured ground, objects appearing in the after date, a 2 px shift (1.6, -1.2), "
    md += "per-band gain and offset, noise σ = 2). Time is the whole `ChangeDetector.run` — decode, co-registration, normalisation, "
    md += "both passes — with 2 threads and a file-backed magnitude store, in a child process whose peak RSS is reported; "
    md += "fastest of \(repeats) runs (each in its own process; peak RSS the largest of them), the peers' of \(peerRepeats). "
    md += "Mpx/s per date = pixels of one date / seconds.\n\n"
    md += "| size | input | seconds | Mpx/s per date | peak RSS (MB) | shift error (px) | regions / objects | stages (s) |\n|---|---|---|---|---|---|---|---|\n"
    for r in results {
        for l in r.layouts {
            let stages = ["registration", "normalisation", "magnitude", "components"].compactMap { k in l.run.timings[k].map { f("%@ %.2f", k, $0) } }
            md += f("| %d² | %@ | %.2f | %.1f | %.0f | %.3f | %d / %d | %@ |\n", r.size, l.layout.title, l.run.seconds,
                    l.megapixelsPerSecondPerDate, l.run.peakRSSMegabytes, l.shiftErrorPixels, l.run.regions, r.objects,
                    stages.joined(separator: ", "))
        }
    }
    md += "\n## The core excluding decode\n\nBoth dates decoded into memory (`InMemorySource`) before the clock starts; everything else as above.\n\n"
    md += "| size | threads | seconds | Mpx/s per date | speed-up |\n|---|---|---|---|---|\n"
    for r in results where !r.core.isEmpty {
        for c in r.core {
            md += f("| %d² | %d | %.3f | %.0f | %.2fx |\n", r.size, c.threads, c.seconds, Double(r.size * r.size) / c.seconds / 1e6,
                    r.core[0].seconds / c.seconds)
        }
    }
    md += "\n## Decode bound\n\nNo change run can be faster than its input is decoded. Per date, both dates' tiles on 2 threads: libtiff decoding them "
    md += "alone (C, `TIFFReadEncodedTile`; the issues' reference, ~115 Mpx/s for LZW), SiteWatch's `TileMosaic` reading them alone "
    md += "(its own LZW decoder and predictor, `decode.md`), and the whole run.\n\n"
    md += "| size | compression | libtiff decode (Mpx/s per date) | SiteWatch decode (Mpx/s per date) | SiteWatch end to end (Mpx/s per date) | end to end / SiteWatch decode |\n|---|---|---|---|---|---|\n"
    for r in results {
        for d in r.decode {
            let libtiff = d.megapixels / 2 / d.libtiffTwoThreadsSeconds, own = d.megapixels / 2 / d.mosaicTwoThreadsSeconds
            if let run = r.layouts.first(where: { $0.layout.rawValue.uppercased() == d.compression }) {
                md += f("| %d² | %@ | %.0f | %.0f | %.1f | %.0f %% |\n", r.size, d.compression, libtiff, own, run.megapixelsPerSecondPerDate,
                        100 * run.megapixelsPerSecondPerDate / own)
            }
        }
    }
    let withPeers = results.filter { !$0.peers.isEmpty }
    if !withPeers.isEmpty {
        md += "\n## Peers\n\nThe same pixel job (decode, co-register, normalise, magnitude, Otsu, open/close 3x3, 8-connected components) "
        md += "in `Benchmarks/peers/opencv_pipeline.py`, each pipeline in its own Python process, on the same LZW tile folders in the same run. "
        md += "They hold whole dates in memory, as these libraries' usual workflows do. Time ratio = peer / SiteWatch (above 1: SiteWatch is faster).\n\n"
        md += "| size | pipeline | seconds | Mpx/s per date | time ratio | peak RSS (MB) | regions / objects | shift found |\n|---|---|---|---|---|---|---|---|\n"
        for r in withPeers {
            for p in r.peers {
                md += f("| %d² | %@ | %.2f | %.1f | %.2f | %.0f | %d / %d | (%@) |\n", r.size, p.pipeline, p.seconds, p.megapixelsPerSecondPerDate,
                        p.timeRatio, p.peakRSSMegabytes, p.regions, r.objects, p.shift.map { f("%.2f", $0) }.joined(separator: ", "))
            }
        }
    }
    md += "\n## Goals (issues 4 and 8)\n\n| goal | measured | |\n|---|---|---|\n"
    if let r = results.first(where: { $0.size == 8192 }), let lzw = r.layouts.first(where: { $0.layout == .lzw }) {
        let v = lzw.megapixelsPerSecondPerDate
        md += f("| end to end ≥ 100 Mpx/s per date, 8192² LZW tiles | %.1f Mpx/s | %@ |\n", v, v >= 100 ? "met" : f("missed by %.0f %%", 100 - v))
        if let d = r.decode.first(where: { $0.compression == "LZW" }) {
            let libtiff = d.megapixels / 2 / d.libtiffTwoThreadsSeconds, own = d.megapixels / 2 / d.mosaicTwoThreadsSeconds
            md += f("| near the decode limit (libtiff alone, 2 threads, this run: %.0f Mpx/s; SiteWatch's own decode: %.0f Mpx/s) | %.0f %% of libtiff's, %.0f %% of its own | %@ |\n",
                    libtiff, own, 100 * v / libtiff, 100 * v / own, v >= 0.85 * libtiff ? "met" : "missed")
        }
        if let cv = r.peers.first(where: { $0.pipeline == "opencv" }) {
            md += f("| ≥ 3x the OpenCV pipeline, 8192² | %.1fx | %@ |\n", cv.timeRatio, cv.timeRatio >= 3 ? "met" : "missed")
        }
        if let two = r.core.first(where: { $0.threads == 2 }) {
            let c = Double(r.size * r.size) / two.seconds / 1e6
            md += f("| core excluding decode ≥ 300 Mpx/s, 8192², 2 threads | %.0f Mpx/s | %@ |\n", c,
                    c >= 300 ? "met" : f("missed by %.0f %%", 100 * (300 - c) / 300))
        }
        md += f("| shift error < 0.1 px, count within 1 %%, 8192² | %.3f px, %+.2f %% | %@ |\n", lzw.shiftErrorPixels, lzw.countErrorPercent,
                lzw.shiftErrorPixels < 0.1 && abs(lzw.countErrorPercent) <= 1 ? "met" : "missed")
    }
    if let r = results.first(where: { $0.size == 16384 }), let lzw = r.layouts.first(where: { $0.layout == .lzw }) {
        let small = results.first { $0.size == 8192 }?.layouts.first { $0.layout == .lzw }
        md += f("| peak RSS ≤ 1 GB at 16384², growing far slower than pixels | %.0f MB%@ | %@ |\n", lzw.run.peakRSSMegabytes,
                small.map { f(" (%.2fx the 8192² figure for 4x the pixels)", lzw.run.peakRSSMegabytes / $0.run.peakRSSMegabytes) } ?? "",
                lzw.run.peakRSSMegabytes <= 1024 ? "met" : "missed")
        if let cv = r.peers.first(where: { $0.pipeline == "opencv" }) {
            md += f("| (OpenCV pipeline's peak RSS at 16384²) | %.0f MB | |\n", cv.peakRSSMegabytes)
        }
    }
    md += "\nWhere the time goes and what bounds the missed goals: `Benchmarks/results/profile.md`. The plot: `throughput.png`.\n"
    return md
}

func decodeMarkdown(_ results: [SizeResult], _ machine: Machine) -> String {
    func f(_ format: String, _ args: CVarArg...) -> String { String(format: format, arguments: args) }
    var md = "# Decode throughput of tile folders (Benchmarks/run)\n\n\(machine.markdown)\n\n"
    md += "Both dates' 512² RGB uint8 GeoTIFF tiles (256² internal tiles, horizontal predictor) of the change benchmark's pairs. "
    md += "SiteWatch: `TileMosaic` reads full-width windows of 256 rows, band-sequential, as the change core does (with 2 threads, each its own "
    md += "mosaics and half the rows). libtiff: every tile of every file decoded by `TIFFReadEncodedTile` in C, nothing else. Best of two.\n\n"
    md += "| size | compression | TileMosaic, 1 thread (Mpx/s) | libtiff, 1 thread (Mpx/s) | ratio | TileMosaic, 2 threads (Mpx/s) | libtiff, 2 threads (Mpx/s) | ratio | libtiff MB/s per core |\n|---|---|---|---|---|---|---|---|---|\n"
    for r in results {
        for d in r.decode {
            let m1 = d.megapixels / d.mosaicOneThreadSeconds, l1 = d.megapixels / d.libtiffOneThreadSeconds
            let m2 = d.megapixels / d.mosaicTwoThreadsSeconds, l2 = d.megapixels / d.libtiffTwoThreadsSeconds
            md += f("| %d² | %@ | %.1f | %.1f | %.0f %% | %.1f | %.1f | %.0f %% | %.0f |\n", r.size, d.compression, m1, l1, 100 * m1 / l1,
                    m2, l2, 100 * m2 / l2, 3 * l1)
        }
    }
    return md
}

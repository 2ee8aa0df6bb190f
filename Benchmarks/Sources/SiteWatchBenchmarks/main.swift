import Foundation
import GeoRaster
import RasterIO

// Decode throughput of tile folders (512 x 512 GeoTIFF tiles, RGB uint8) read window by window
// through TileMosaic, against the same bytes copied with memcpy. Results go to
// Benchmarks/results/decode.md and .json. Sizes: BENCH_SIZES="2048 4096" (default).

struct Result: Codable {
    var size: Int
    var compression: String
    var megapixelsPerSecond: Double
    var megabytesPerSecond: Double
    var memcpyMegabytesPerSecond: Double
    var seconds: Double
}

func makeTileFolder(_ folder: String, size: Int, compression: GeoTIFFWriter.Compression) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let tile = 512
    var state: UInt64 = 42
    for ty in 0..<(size / tile) {
        for tx in 0..<(size / tile) {
            var raster = Raster(layout: RasterLayout(width: tile, height: tile, bandCount: 3, pixelType: .uint8),
                                georeferencing: Georeferencing(
                                    transform: GeoTransform(originX: 560_000 + Double(tx * tile) * 0.5,
                                                            originY: 4_632_000 - Double(ty * tile) * 0.5,
                                                            pixelWidth: 0.5, pixelHeight: -0.5),
                                    crs: CRS(epsg: 32652)))
            // Smooth terrain-like values with noise: compresses like imagery, not like zeros.
            raster.samples.withUnsafeMutableBytes { bytes in
                for i in bytes.indices {
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    let x = (i % tile), y = (i / tile) % tile
                    bytes[i] = UInt8(truncatingIfNeeded: (x + y) / 8 + Int(state >> 60))
                }
            }
            try GeoTIFFWriter.write(raster, to: "\(folder)/t_\(ty)_\(tx).tif",
                                    options: .init(compression: compression, blocks: .tiles(256)))
        }
    }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let elapsed = try clock.measure(body)
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

let mode = CommandLine.arguments.dropFirst().first ?? "all"
if mode == "change-run" {
    // Child process of the change benchmark: its peak memory is the pipeline's alone.
    try changeRun(before: CommandLine.arguments[2], after: CommandLine.arguments[3])
    exit(0)
}
let resultsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("results").path
if mode == "kernels" || mode == "all" {
    try runKernelBenchmarks(resultsFolder: resultsFolder)
}
if mode == "change" || mode == "all" {
    try runChangeBenchmark(resultsFolder: resultsFolder)
}
if mode != "decode" && mode != "all" { exit(0) }
// Decode throughput below.

let sizes = (ProcessInfo.processInfo.environment["BENCH_SIZES"] ?? "2048 4096").split(separator: " ").compactMap { Int($0) }
let scratch = NSTemporaryDirectory() + "sitewatch-bench-\(getpid())"
defer { try? FileManager.default.removeItem(atPath: scratch) }
var results: [Result] = []
for size in sizes {
    for compression in [GeoTIFFWriter.Compression.lzw, .deflate] {
        let folder = "\(scratch)/\(size)-\(compression.rawValue)"
        try makeTileFolder(folder, size: size, compression: compression)
        let mosaic = try TileMosaic(folder: folder)
        let rows = 512
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size * rows * 3, alignment: 64)
        defer { buffer.deallocate() }
        // Best of three: the first pass also pays page faults and the page cache.
        let time = try (0..<3).map { _ in
            try seconds {
                for y in stride(from: 0, to: size, by: rows) {
                    try mosaic.read(window: PixelWindow(x: 0, y: y, width: size, height: rows), into: buffer)
                }
            }
        }.min()!
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count, alignment: 64)
        defer { copy.deallocate() }
        let copyTime = (0..<5).map { _ in seconds { for _ in 0..<(size / rows) { copy.copyMemory(from: UnsafeRawBufferPointer(buffer)) } } }.min()!
        let bytes = Double(size * size * 3)
        let result = Result(size: size, compression: compression.rawValue,
                            megapixelsPerSecond: Double(size * size) / time / 1e6, megabytesPerSecond: bytes / time / 1e6,
                            memcpyMegabytesPerSecond: bytes / copyTime / 1e6, seconds: time)
        results.append(result)
        print(String(format: "decode %5d^2 %-7@ %8.1f Mpx/s %8.1f MB/s (memcpy %8.0f MB/s)", size,
                     compression.rawValue as NSString, result.megapixelsPerSecond, result.megabytesPerSecond,
                     result.memcpyMegabytesPerSecond))
    }
}

let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
try encoder.encode(results).write(to: URL(fileURLWithPath: resultsFolder + "/decode.json"))
var markdown = "# Decode throughput (single thread, release)\n\nTile folders of 512 x 512 RGB uint8 GeoTIFFs (256 x 256 internal tiles), read in full-width windows of 512 rows through `TileMosaic`.\n\n"
markdown += "| size | compression | Mpx/s | MB/s | memcpy MB/s |\n|---|---|---|---|---|\n"
for r in results {
    markdown += String(format: "| %d² | %@ | %.1f | %.1f | %.0f |\n", r.size, r.compression as NSString,
                       r.megapixelsPerSecond, r.megabytesPerSecond, r.memcpyMegabytesPerSecond)
}
try markdown.write(toFile: resultsFolder + "/decode.md", atomically: true, encoding: .utf8)
print("wrote \(resultsFolder)/decode.md")

import Foundation
import GeoRaster
import RasterIO
import XCTest

/// A fresh temporary folder per test, removed afterwards.
func makeTemporaryFolder(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "sitewatch-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Deterministic pseudo-random samples (SplitMix64), so failures reproduce.
struct SampleGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A w x h raster of the given type filled with pseudo-random samples, georeferenced in UTM 52N
/// near the site unless told otherwise.
func makeRaster(width: Int, height: Int, bands: Int, type: PixelType, seed: UInt64 = 1,
                georeferencing: Georeferencing? = Georeferencing(
                    transform: GeoTransform(originX: 560_000, originY: 4_631_700, pixelWidth: 0.5, pixelHeight: -0.5),
                    crs: CRS(epsg: 32652)),
                nodata: Double? = nil) -> Raster {
    var raster = Raster(layout: RasterLayout(width: width, height: height, bandCount: bands, pixelType: type),
                        nodata: nodata, georeferencing: georeferencing)
    var generator = SampleGenerator(seed: seed)
    raster.samples.withUnsafeMutableBytes { bytes in
        switch type {
        case .float32:
            let f = bytes.bindMemory(to: Float.self)
            for i in f.indices { f[i] = Float(Int64(bitPattern: generator.next()) % 100_000) / 7.0 }
        case .float64:
            let d = bytes.bindMemory(to: Double.self)
            for i in d.indices { d[i] = Double(Int64(bitPattern: generator.next()) % 1_000_000) / 13.0 }
        default:
            for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: generator.next()) }
        }
    }
    return raster
}

/// Runs `gdalinfo -json` if GDAL is installed (the CI installs gdal-bin to cross-check the writer).
func gdalInfo(_ path: String) throws -> [String: Any]? {
    let candidates = ["/usr/bin/gdalinfo", "/usr/local/bin/gdalinfo"]
    guard let gdalinfo = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: gdalinfo)
    process.arguments = ["-json", path]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return try JSONSerialization.jsonObject(with: data) as? [String: Any]
}

func assertSameTransform(_ a: GeoTransform?, _ b: GeoTransform?, file: StaticString = #filePath, line: UInt = #line) {
    guard let a, let b else { return XCTAssertEqual(a == nil, b == nil, "one transform missing", file: file, line: line) }
    for (x, y) in zip(a.gdalOrder, b.gdalOrder) {
        XCTAssertEqual(x, y, accuracy: 1e-9 * max(1, abs(y)), "\(a.gdalOrder) vs \(b.gdalOrder)", file: file, line: line)
    }
}

import Foundation
import GeoRaster
import RasterIO
import XCTest

/// Plain JPEG files, made by an independent encoder (Fixtures/jpeg, Pillow): colours within JPEG's
/// tolerance away from edges, windows equal to the whole image's rows, sidecar georeferencing, and
/// broken files as errors that name the file.
final class JPEGTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/jpeg").path

    func testRGBQuadrantsAndWindows() throws {
        let file = try RasterDataset.open(Self.fixtures + "/quadrants-rgb-40x30.jpg")
        XCTAssertEqual(file.info.format, "JPEG")
        XCTAssertEqual(file.info.layout, RasterLayout(width: 40, height: 30, bandCount: 3, pixelType: .uint8))
        XCTAssertNil(file.info.georeferencing)
        let whole = try file.readRaster()
        let expected: [(Int, Int, [Double])] = [(10, 7, [200, 30, 30]), (30, 7, [30, 200, 30]), (10, 22, [30, 30, 200]), (30, 22, [220, 220, 220])]
        for (x, y, colour) in expected {
            for band in 0..<3 { XCTAssertEqual(whole.value(x: x, y: y, band: band), colour[band], accuracy: 4, "(\(x), \(y)) band \(band)") }
        }
        // A window decodes to the same samples as the same rows of the whole image.
        let window = PixelWindow(x: 13, y: 9, width: 21, height: 17)
        let part = try file.readRaster(window: window)
        for band in 0..<3 { for y in 0..<window.height { for x in 0..<window.width {
            XCTAssertEqual(part.value(x: x, y: y, band: band), whole.value(x: x + window.x, y: y + window.y, band: band))
        } } }
    }

    func testGrayAndWorldFile() throws {
        let folder = try makeTemporaryFolder(self)
        try FileManager.default.copyItem(atPath: Self.fixtures + "/gray-33x17.jpg", toPath: folder + "/g.jpg")
        try "0.5\n0\n0\n-0.5\n560000.25\n4631699.75\n".write(toFile: folder + "/g.jgw", atomically: true, encoding: .utf8)
        let file = try JPEGFile(path: folder + "/g.jpg", crs: CRS(epsg: 32652))
        XCTAssertEqual(file.info.layout.bandCount, 1)
        XCTAssertEqual(try file.readRaster().value(x: 15, y: 8, band: 0), 200, accuracy: 4)
        XCTAssertEqual(try file.readRaster().value(x: 2, y: 15, band: 0), 77, accuracy: 4)
        XCTAssertEqual(file.info.georeferencing, Georeferencing(transform: GeoTransform(originX: 560_000, originY: 4_631_700, pixelWidth: 0.5, pixelHeight: -0.5), crs: CRS(epsg: 32652)))
    }

    func testTruncatedJPEGIsMalformedAndNamesTheFile() throws {
        let folder = try makeTemporaryFolder(self)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/quadrants-rgb-40x30.jpg"))
        for (name, length) in [("header.jpg", 40), ("half.jpg", bytes.count / 2)] {
            try bytes.prefix(length).write(to: URL(fileURLWithPath: folder + "/" + name))
            do {
                let file = try RasterDataset.open(folder + "/" + name)
                _ = try file.readRaster()
                // libjpeg fills a truncated scan with grey and warns: pixels, never a crash.
                XCTAssertEqual(name, "half.jpg", "a JPEG cut inside its header cannot open")
            } catch let error as RasterIOError {
                XCTAssertEqual(error.code, .malformed)
                XCTAssertEqual(error.path, folder + "/" + name)
            }
        }
    }
}

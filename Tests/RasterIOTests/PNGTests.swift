import Foundation
import GeoRaster
import RasterIO
import XCTest

final class PNGTests: XCTestCase {
    /// An Adam7-interlaced PNG made by an independent encoder (Fixtures/png, pypng): every pixel as
    /// its formula says, whole and through a window (libpng needs the interlace handling set
    /// before it updates its row info, or the first pass fails with "bad adaptive filter value").
    func testInterlacedPNGReads() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/png/adam7-rgb8-37x29.png").path
        let file = try PNGFile(path: path)
        XCTAssertEqual(file.info.layout, RasterLayout(width: 37, height: 29, bandCount: 3, pixelType: .uint8))
        XCTAssertNil(file.info.georeferencing)
        let whole = try file.readRaster()
        for y in 0..<29 {
            for x in 0..<37 {
                XCTAssertEqual(whole.value(x: x, y: y, band: 0), Double((x * 7) & 255))
                XCTAssertEqual(whole.value(x: x, y: y, band: 1), Double((y * 9) & 255))
                XCTAssertEqual(whole.value(x: x, y: y, band: 2), Double(((x + y) * 3) & 255))
            }
        }
        let window = try file.readRaster(window: PixelWindow(x: 5, y: 11, width: 9, height: 7))
        XCTAssertEqual(window.value(x: 2, y: 3, band: 2), Double(((7 + 14) * 3) & 255))
    }

    func testGrayGrayAlphaRGBAndRGBARoundTripAt8And16Bits() throws {
        let folder = try makeTemporaryFolder(self)
        for type in [PixelType.uint8, .uint16] {
            for bands in 1...4 {
                let raster = makeRaster(width: 33, height: 17, bands: bands, type: type, seed: UInt64(bands))
                let path = folder + "/\(type)-\(bands).png"
                try PNGFile.write(raster, to: path)
                let file = try PNGFile(path: path)
                XCTAssertEqual(file.info.layout, raster.layout)
                XCTAssertEqual(try file.readRaster().samples, raster.samples, "\(type) x \(bands)")
                XCTAssertEqual(file.info.georeferencing, raster.georeferencing, "world file + .prj")
                XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/\(type)-\(bands).pgw"))
            }
        }
    }

    func testPaletteLowBitDepthAndTransparencyAreExpanded() throws {
        let folder = try makeTemporaryFolder(self)
        // 2-bit palette, 4 colours, colour 1 half transparent: expands to RGBA.
        let palette = folder + "/palette.png"
        try TinyPNG.write(path: palette, width: 5, height: 2, bitDepth: 2, colorType: 3,
                          rows: [[0, 1, 2, 3, 0], [3, 2, 1, 0, 1]],
                          palette: [(10, 20, 30), (40, 50, 60), (70, 80, 90), (200, 210, 220)], transparency: [255, 128])
        let file = try PNGFile(path: palette)
        XCTAssertEqual(file.info.layout, RasterLayout(width: 5, height: 2, bandCount: 4, pixelType: .uint8))
        let r = try file.readRaster()
        XCTAssertEqual([r.value(x: 1, y: 0, band: 0), r.value(x: 1, y: 0, band: 1), r.value(x: 1, y: 0, band: 2), r.value(x: 1, y: 0, band: 3)],
                       [40, 50, 60, 128])
        XCTAssertEqual(r.value(x: 0, y: 1, band: 0), 200)
        XCTAssertEqual(r.value(x: 0, y: 1, band: 3), 255, "palette entries past tRNS are opaque")
        XCTAssertNil(file.info.georeferencing, "no world file, no georeferencing")

        // 1-bit gray expands to 0/255.
        let bits = folder + "/bits.png"
        try TinyPNG.write(path: bits, width: 3, height: 1, bitDepth: 1, colorType: 0, rows: [[1, 0, 1]])
        XCTAssertEqual(try PNGFile(path: bits).readRaster().samples, [255, 0, 255])
    }

    func testWorldFileVariantsAndExplicitCRS() throws {
        let folder = try makeTemporaryFolder(self)
        let raster = makeRaster(width: 8, height: 8, bands: 3, type: .uint8, georeferencing: nil)
        for ext in ["pgw", "pngw", "wld"] {
            let path = folder + "/tile-\(ext).png"
            try PNGFile.write(raster, to: path)
            try "0.5\n0\n0\n-0.5\n560000.25\n4631700.75\n".write(toFile: folder + "/tile-\(ext).\(ext)", atomically: true, encoding: .utf8)
            let file = try PNGFile(path: path, crs: CRS(epsg: 32652))
            XCTAssertEqual(file.info.georeferencing?.transform.gdalOrder, [560_000, 0.5, 0, 4_631_701, 0, -0.5], ext)
            XCTAssertEqual(file.info.georeferencing?.crs, CRS(epsg: 32652))
        }
    }

    func testPRJWithESRIWKTResolvesToAnEPSGCode() throws {
        let folder = try makeTemporaryFolder(self)
        let raster = makeRaster(width: 4, height: 4, bands: 1, type: .uint8)
        try PNGFile.write(raster, to: folder + "/a.png")
        let prj = try String(contentsOfFile: folder + "/a.prj", encoding: .utf8)
        XCTAssertTrue(prj.hasPrefix("PROJCS[\"WGS_1984_UTM_Zone_52N\""), prj)
        XCTAssertEqual(try PRJFile.read(folder + "/a.prj"), CRS(epsg: 32652))
    }

    func testBadWorldFileIsMalformed() throws {
        let folder = try makeTemporaryFolder(self)
        try PNGFile.write(makeRaster(width: 4, height: 4, bands: 1, type: .uint8, georeferencing: nil), to: folder + "/b.png")
        try "0.5\n0\n0\n".write(toFile: folder + "/b.pgw", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PNGFile(path: folder + "/b.png")) { error in
            let e = error as! RasterIOError
            XCTAssertEqual(e.code, .malformed)
            XCTAssertEqual(e.path, folder + "/b.pgw")
            XCTAssertEqual(e.message, "a world file holds exactly 6 numbers (A D B E C F), found 3 values")
        }
    }

    func testTruncatedPNGIsMalformedAndNamesTheFile() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/t.png"
        try PNGFile.write(makeRaster(width: 64, height: 64, bands: 3, type: .uint8, seed: 9, georeferencing: nil), to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        let file = try PNGFile(path: path)  // the header is intact
        XCTAssertThrowsError(try file.readRaster()) { error in
            let e = error as! RasterIOError
            XCTAssertEqual(e.code, .malformed)
            XCTAssertEqual(e.path, path)
            XCTAssertTrue(e.message.hasPrefix("cannot decode PNG rows 0..<64"), e.message)
            XCTAssertNotNil(e.cause, "libpng's own message is kept")
        }
    }
}

/// Writes tiny PNGs of kinds PNGFile.write does not produce (palette, low bit depth), with stored
/// (uncompressed) deflate blocks, so the tests need no encoder of their own.
enum TinyPNG {
    static func write(path: String, width: Int, height: Int, bitDepth: Int, colorType: UInt8, rows: [[Int]],
                      palette: [(UInt8, UInt8, UInt8)] = [], transparency: [UInt8] = []) throws {
        var raw: [UInt8] = []
        for row in rows {
            raw.append(0)  // filter: none
            var bits = 0, acc = 0
            for value in row {
                acc = (acc << bitDepth) | value
                bits += bitDepth
                if bits == 8 { raw.append(UInt8(acc)); bits = 0; acc = 0 }
            }
            if bits > 0 { raw.append(UInt8(acc << (8 - bits))) }
        }
        var zlib: [UInt8] = [0x78, 0x01, 0x01]  // header, final stored block
        zlib += [UInt8(raw.count & 0xff), UInt8(raw.count >> 8), UInt8(~raw.count & 0xff), UInt8((~raw.count >> 8) & 0xff)]
        zlib += raw
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        zlib += be32(b << 16 | a)
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height)) + [UInt8(bitDepth), colorType, 0, 0, 0])
        if !palette.isEmpty { png += chunk("PLTE", palette.flatMap { [$0.0, $0.1, $0.2] }) }
        if !transparency.isEmpty { png += chunk("tRNS", transparency) }
        png += chunk("IDAT", zlib) + chunk("IEND", [])
        try Data(png).write(to: URL(fileURLWithPath: path))
    }

    private static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in body {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return be32(UInt32(data.count)) + body + be32(~crc)
    }
}

import Foundation
import GeoRaster
import RasterIO
import XCTest

final class MosaicTests: XCTestCase {
    /// A 3 x 2 grid of 40 x 30 tiles cut from one raster, with one tile missing and names that say
    /// nothing about position, in nested folders, mixing GeoTIFF and PNG.
    func makeTiledFolder(_ folder: String, skip: Set<Int> = [4]) throws -> Raster {
        let whole = makeRaster(width: 120, height: 60, bands: 3, type: .uint8, seed: 11)
        let names = ["zeta.tif", "sub/alpha.png", "sub/deeper/m.tif", "b.TIF", "x.tif", "a/q.png"]
        for index in 0..<6 where !skip.contains(index) {
            let window = PixelWindow(x: (index % 3) * 40, y: (index / 3) * 30, width: 40, height: 30)
            var tile = Raster(layout: RasterLayout(width: 40, height: 30, bandCount: 3, pixelType: .uint8),
                              georeferencing: Georeferencing(transform: whole.georeferencing!.transform.window(window),
                                                             crs: CRS(epsg: 32652)))
            for band in 0..<3 {
                tile.withMutableBand(band, as: UInt8.self) { out in
                    whole.withBand(band, as: UInt8.self) { source in
                        for y in 0..<30 { for x in 0..<40 { out[y * 40 + x] = source[(window.y + y) * 120 + window.x + x] } }
                    }
                }
            }
            let path = folder + "/" + names[index]
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if path.hasSuffix(".png") { try PNGFile.write(tile, to: path) } else { try GeoTIFFWriter.write(tile, to: path, options: .init(blocks: .tiles(16))) }
        }
        return whole
    }

    func testTilesFormOneGeoreferencedRasterWithGapsAsNodata() throws {
        let folder = try makeTemporaryFolder(self)
        let whole = try makeTiledFolder(folder)
        let mosaic = try TileMosaic(folder: folder)
        XCTAssertEqual(mosaic.tiles.count, 5)
        XCTAssertEqual(mosaic.info.layout, RasterLayout(width: 120, height: 60, bandCount: 3, pixelType: .uint8))
        XCTAssertEqual(mosaic.info.georeferencing, whole.georeferencing)
        XCTAssertEqual(mosaic.gapCount, 1)
        XCTAssertEqual(mosaic.uncoveredPixelCount, 40 * 30)
        XCTAssertEqual(mosaic.info.nodata, 0, "gaps need a nodata value")

        // A window across four tiles and the gap.
        let window = PixelWindow(x: 25, y: 10, width: 70, height: 45)
        let part = try mosaic.readRaster(window: window)
        for band in 0..<3 {
            for y in 0..<45 {
                for x in 0..<70 {
                    let (mx, my) = (x + 25, y + 10)
                    let inGap = mx >= 40 && mx < 80 && my >= 30
                    XCTAssertEqual(part.value(x: x, y: y, band: band), inGap ? 0 : whole.value(x: mx, y: my, band: band))
                }
            }
        }
    }

    func testATileWithAnotherCRSIsNamedInTheError() throws {
        let folder = try makeTemporaryFolder(self)
        _ = try makeTiledFolder(folder)
        var odd = makeRaster(width: 40, height: 30, bands: 3, type: .uint8)
        odd.georeferencing?.crs = CRS(epsg: 32651)
        try GeoTIFFWriter.write(odd, to: folder + "/sub/odd.tif")
        XCTAssertThrowsError(try TileMosaic(folder: folder)) { error in
            let e = error as! RasterIOError
            XCTAssertEqual(e.code, .incompatibleInputs)
            XCTAssertTrue(e.path.hasSuffix("sub/odd.tif"), e.path)
            XCTAssertTrue(e.message.contains("CRS: EPSG:32651 vs EPSG:32652"), e.message)
        }
    }

    func testPixelSizeBandsAndGridAlignmentMustAgree() throws {
        let base = makeRaster(width: 10, height: 10, bands: 3, type: .uint8)
        var coarse = base
        coarse.georeferencing?.transform.pixelWidth = 1.0
        var shifted = base
        shifted.georeferencing?.transform.originX += 0.2  // 0.4 pixel off the grid
        let wrongBands = makeRaster(width: 10, height: 10, bands: 1, type: .uint8)
        let noGeo = makeRaster(width: 10, height: 10, bands: 3, type: .uint8, georeferencing: nil)
        for (odd, code, phrase) in [(coarse, RasterIOError.Code.incompatibleInputs, "pixel size"),
                                    (shifted, .incompatibleInputs, "not on the mosaic's pixel grid"),
                                    (wrongBands, .incompatibleInputs, "bands: 1 x uint8 vs 3 x uint8"),
                                    (noGeo, .notGeoreferenced, "no georeferencing")] {
            let folder = try makeTemporaryFolder(self)
            try GeoTIFFWriter.write(base, to: folder + "/a.tif")
            try GeoTIFFWriter.write(odd, to: folder + "/b.tif")
            XCTAssertThrowsError(try TileMosaic(folder: folder)) { error in
                let e = error as! RasterIOError
                XCTAssertEqual(e.code, code, phrase)
                XCTAssertTrue(e.path.hasSuffix("/b.tif"), e.path)
                XCTAssertTrue(e.message.contains(phrase), e.message)
            }
        }
    }

    func testOverlapsResolveByPathOrder() throws {
        let folder = try makeTemporaryFolder(self)
        var first = makeRaster(width: 10, height: 10, bands: 1, type: .uint8)
        first.samples = [UInt8](repeating: 1, count: 100)
        var second = first
        second.samples = [UInt8](repeating: 2, count: 100)
        second.georeferencing?.transform.originX += 2.5  // 5 pixels right, overlapping by 5 columns
        try GeoTIFFWriter.write(second, to: folder + "/a.tif")
        try GeoTIFFWriter.write(first, to: folder + "/b.tif")
        let row = try TileMosaic(folder: folder).readRaster(window: PixelWindow(x: 0, y: 0, width: 15, height: 1)).samples
        // b.tif comes later in path order, so it wins where they overlap.
        XCTAssertEqual(row, [UInt8](repeating: 1, count: 10) + [UInt8](repeating: 2, count: 5))
    }

    func testEmptyFolderIsAnError() throws {
        let folder = try makeTemporaryFolder(self)
        try "not an image".write(toFile: folder + "/readme.txt", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TileMosaic(folder: folder)) { error in
            XCTAssertEqual((error as! RasterIOError).message, "folder holds no GeoTIFF or PNG tiles (.tif, .tiff, .png)")
        }
    }

    /// Reads stay bounded by the window: a mosaic of many tiles never opens more than a few at once
    /// and a small window of a large mosaic costs a small buffer.
    func testSmallWindowOfAManyTileMosaic() throws {
        let folder = try makeTemporaryFolder(self)
        let tile = makeRaster(width: 16, height: 16, bands: 1, type: .uint16)
        for index in 0..<100 {
            var t = tile
            t.georeferencing?.transform.originX += Double(index % 10) * 8
            t.georeferencing?.transform.originY -= Double(index / 10) * 8
            try GeoTIFFWriter.write(t, to: folder + "/t\(index).tif", options: .init(compression: .lzw, blocks: .tiles(16)))
        }
        let mosaic = try TileMosaic(folder: folder)
        XCTAssertEqual(mosaic.info.layout.width, 160)
        XCTAssertEqual(mosaic.gapCount, 0)
        let part = try mosaic.readRaster(window: PixelWindow(x: 150, y: 150, width: 10, height: 10))
        XCTAssertEqual(part.value(x: 3, y: 4, band: 0), tile.value(x: 9, y: 10, band: 0))
    }
}

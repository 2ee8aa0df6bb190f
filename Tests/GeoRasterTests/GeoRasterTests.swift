import GeoRaster
import XCTest

final class GeoTransformTests: XCTestCase {
    func testWorldFileGivesTheCentreOfTheTopLeftPixel() {
        // A 0.5 m north-up grid whose top-left pixel centre is at (500000.25, 4600000.75).
        let t = GeoTransform(worldFile: [0.5, 0, 0, -0.5, 500_000.25, 4_600_000.75])
        XCTAssertEqual(t.originX, 500_000.0)
        XCTAssertEqual(t.originY, 4_600_001.0)
        XCTAssertEqual(t.map(PixelPoint(x: 0.5, y: 0.5)), MapPoint(x: 500_000.25, y: 4_600_000.75))
        XCTAssertEqual(t.worldFileOrder, [0.5, 0, 0, -0.5, 500_000.25, 4_600_000.75])
    }

    func testRotatedTransformRoundTrips() {
        // rasterio/rotated.tif's transform: 30 degrees of rotation with non-square pixels.
        let t = GeoTransform(gdalOrder: [100, 17.320508075688775, 5, 200, 10, -8.660254037844387])
        XCTAssertFalse(t.isNorthUp)
        for p in [PixelPoint(x: 0, y: 0), PixelPoint(x: 10, y: 15), PixelPoint(x: 3.25, y: 7.5)] {
            let back = t.pixel(t.map(p))!
            XCTAssertEqual(back.x, p.x, accuracy: 1e-9)
            XCTAssertEqual(back.y, p.y, accuracy: 1e-9)
        }
        let extent = t.extent(width: 10, height: 15)
        XCTAssertEqual(extent.minX, 100, accuracy: 1e-9)
        XCTAssertEqual(extent.maxX, 100 + 10 * 17.320508075688775 + 15 * 5, accuracy: 1e-9)
    }

    func testSingularTransformHasNoInverse() {
        XCTAssertNil(GeoTransform(gdalOrder: [0, 0, 0, 0, 0, 0]).pixel(MapPoint(x: 1, y: 1)))
    }

    func testWindowAndOverviewTransforms() {
        let t = GeoTransform(originX: 1000, originY: 2000, pixelWidth: 2, pixelHeight: -2)
        XCTAssertEqual(t.window(PixelWindow(x: 10, y: 5, width: 3, height: 3)).gdalOrder, [1020, 2, 0, 1990, 0, -2])
        XCTAssertEqual(t.scaled(by: 4).gdalOrder, [1000, 8, 0, 2000, 0, -8])
    }
}

final class CRSTests: XCTestCase {
    func testUTMZoneOfTheSite() {
        // Kwan-li-so No. 25: 129.725280 E, 41.834384 N lies in UTM zone 52N (EPSG:32652).
        XCTAssertEqual(CRS.utm(for: GeoPoint(longitude: 129.725280, latitude: 41.834384)), CRS(epsg: 32652))
        XCTAssertEqual(CRS.utm(for: GeoPoint(longitude: -70.6, latitude: -33.4)), CRS(epsg: 32719))
    }

    func testUTMZoneEdges() {
        XCTAssertEqual(CRS.utmZone(longitude: -180), 1)
        XCTAssertEqual(CRS.utmZone(longitude: -174.0001), 1)
        XCTAssertEqual(CRS.utmZone(longitude: -174), 2)
        XCTAssertEqual(CRS.utmZone(longitude: 179.999), 60)
        XCTAssertEqual(CRS.utmZone(longitude: 180), 1)
        XCTAssertEqual(CRS.utmZone(longitude: 0), 31)
    }

    func testProjDefinitionPrefersTheDefinition() {
        XCTAssertEqual(CRS(epsg: 32652).projDefinition, "EPSG:32652")
        XCTAssertEqual(CRS(epsg: 32064, definition: "PROJCRS[...km...]").projDefinition, "PROJCRS[...km...]")
        XCTAssertEqual(CRS(epsg: nil, definition: "+proj=longlat +datum=WGS84").projDefinition, "+proj=longlat +datum=WGS84")
    }
}

final class PixelWindowTests: XCTestCase {
    func testIntersection() {
        let a = PixelWindow(x: 0, y: 0, width: 10, height: 10)
        XCTAssertEqual(a.intersection(PixelWindow(x: 5, y: 8, width: 10, height: 10)), PixelWindow(x: 5, y: 8, width: 5, height: 2))
        XCTAssertNil(a.intersection(PixelWindow(x: 10, y: 0, width: 5, height: 5)), "touching edges do not overlap")
        XCTAssertTrue(a.contains(PixelWindow(x: 0, y: 0, width: 10, height: 10)))
        XCTAssertFalse(a.contains(PixelWindow(x: 1, y: 0, width: 10, height: 10)))
    }
}

final class RasterTests: XCTestCase {
    func testBandSequentialLayoutAndTypedAccess() {
        var r = Raster(layout: RasterLayout(width: 3, height: 2, bandCount: 2, pixelType: .uint16))
        r.withMutableBand(1, as: UInt16.self) { band in
            for i in band.indices { band[i] = UInt16(1000 + i) }
        }
        XCTAssertEqual(r.value(x: 0, y: 0, band: 0), 0)
        XCTAssertEqual(r.value(x: 2, y: 1, band: 1), 1005)
        XCTAssertEqual(r.bandBytes(1).count, 12)
        XCTAssertEqual(r.withBand(1, as: UInt16.self) { Array($0) }, [1000, 1001, 1002, 1003, 1004, 1005])
    }

    func testByteCountOverflowIsDetected() {
        XCTAssertNil(RasterLayout.byteCount(window: PixelWindow(x: 0, y: 0, width: 1 << 40, height: 1 << 40),
                                            bandCount: 4, pixelType: .float64))
        XCTAssertEqual(RasterLayout.byteCount(window: PixelWindow(x: 0, y: 0, width: 4, height: 3), bandCount: 2,
                                              pixelType: .float32), 96)
    }

    func testPixelTypeNames() {
        XCTAssertEqual(PixelType.allCases.map(\.gdalName), ["Byte", "Int16", "UInt16", "Float32", "Float64"])
        XCTAssertEqual(PixelType.allCases.map(\.bytesPerSample), [1, 2, 2, 4, 8])
    }

    /// A cloud mask: pixels whose centres lie in a polygon read as nodata in every band (the base's
    /// nodata, else 0); the rest, and windows the polygons miss, read as the base does.
    func testMaskedSourceHidesPixelsUnderItsPolygons() throws {
        var raster = Raster(layout: RasterLayout(width: 8, height: 6, bandCount: 2, pixelType: .uint16), nodata: 9,
                            georeferencing: Georeferencing(transform: GeoTransform(originX: 100, originY: 60, pixelWidth: 10, pixelHeight: -10),
                                                           crs: CRS(epsg: 32652)))
        raster.withMutableBand(0, as: UInt16.self) { band in for i in band.indices { band[i] = UInt16(1000 + i) } }
        raster.withMutableBand(1, as: UInt16.self) { band in for i in band.indices { band[i] = UInt16(2000 + i) } }
        // A square over the pixel centres of columns 2-3, rows 1-2 (x 120-140, y 30-50 in map units).
        let cloud = MapPolygon([MapPoint(x: 121, y: 31), MapPoint(x: 139, y: 31), MapPoint(x: 139, y: 49), MapPoint(x: 121, y: 49)])
        let masked = MaskedSource(InMemorySource(raster), hiding: [cloud])
        XCTAssertEqual(masked.nodata, 9)
        var buffer = [UInt16](repeating: 0, count: 8 * 6 * 2)
        try buffer.withUnsafeMutableBytes { try masked.read(window: PixelWindow(x: 0, y: 0, width: 8, height: 6), into: $0) }
        for y in 0..<6 {
            for x in 0..<8 {
                let hidden = (2...3).contains(x) && (1...2).contains(y)
                XCTAssertEqual(buffer[y * 8 + x], hidden ? 9 : UInt16(1000 + y * 8 + x), "band 0 at \(x), \(y)")
                XCTAssertEqual(buffer[48 + y * 8 + x], hidden ? 9 : UInt16(2000 + y * 8 + x), "band 1 at \(x), \(y)")
            }
        }
        // A window the cloud misses reads as the base does.
        var part = [UInt16](repeating: 0, count: 2 * 2 * 2)
        try part.withUnsafeMutableBytes { try masked.read(window: PixelWindow(x: 6, y: 4, width: 2, height: 2), into: $0) }
        XCTAssertEqual(part, [1038, 1039, 1046, 1047, 2038, 2039, 2046, 2047])
        // Without a nodata value of its own, the base's masked pixels read as 0.
        raster.nodata = nil
        XCTAssertEqual(MaskedSource(InMemorySource(raster), hiding: [cloud]).nodata, 0)
    }
}

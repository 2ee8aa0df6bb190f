import Foundation
import GeoRaster
@testable import RasterIO
import XCTest

final class GeoTIFFRoundTripTests: XCTestCase {
    /// Every pixel type, band count, compression, block layout and interleave at awkward sizes:
    /// written, read back, identical samples and georeferencing.
    func testWriteThenReadGivesIdenticalPixelsAndGeoreferencing() throws {
        let folder = try makeTemporaryFolder(self)
        var cases = 0
        for type in PixelType.allCases {
            for (bands, size) in [(1, (37, 53)), (3, (17, 33)), (4, (65, 15))] {
                for compression in GeoTIFFWriter.Compression.allCases where compression != .jpeg {
                    for blocks in [GeoTIFFWriter.Blocks.tiles(16), .strips(7)] {
                        for interleave in [Interleave.pixel, .band] {
                            let raster = makeRaster(width: size.0, height: size.1, bands: bands, type: type, seed: UInt64(cases))
                            let path = folder + "/case\(cases).tif"
                            try GeoTIFFWriter.write(raster, to: path, options: .init(compression: compression, blocks: blocks,
                                                                                    interleave: interleave))
                            let file = try GeoTIFFFile(path: path)
                            let back = try file.readRaster()
                            let label = "\(type) x\(bands) \(compression) \(blocks) \(interleave)"
                            XCTAssertEqual(back.layout, raster.layout, label)
                            XCTAssertTrue(back.samples == raster.samples, "samples differ: \(label)")
                            XCTAssertEqual(file.info.georeferencing, raster.georeferencing, label)
                            XCTAssertEqual(file.info.sampling, .area)
                            XCTAssertEqual(file.info.interleave, bands == 1 || interleave == .band ? .band : .pixel, label)
                            cases += 1
                        }
                    }
                }
            }
        }
        XCTAssertEqual(cases, 5 * 3 * 3 * 2 * 2)
    }

    /// JPEG is lossy: 8-bit RGB written as YCbCr JPEG reads back close to the original, with its
    /// georeferencing; anything else is refused with `unsupported`.
    func testJPEGWritesRGBAndRefusesOtherLayouts() throws {
        let folder = try makeTemporaryFolder(self)
        // A smooth image (JPEG keeps smooth content close; random noise it would not).
        var raster = makeRaster(width: 96, height: 80, bands: 3, type: .uint8, seed: 1)
        raster.samples = (0..<raster.samples.count).map { i in
            let band = i / (96 * 80), x = i % 96, y = (i / 96) % 80
            return UInt8(20 + band * 40 + x + y / 2)
        }
        try GeoTIFFWriter.write(raster, to: folder + "/rgb.tif", options: .init(compression: .jpeg, blocks: .tiles(32)))
        let file = try GeoTIFFFile(path: folder + "/rgb.tif")
        let back = try file.readRaster()
        XCTAssertEqual(back.layout, raster.layout)
        XCTAssertEqual(file.info.georeferencing, raster.georeferencing)
        let errors = zip(back.samples, raster.samples).map { abs(Int($0) - Int($1)) }
        XCTAssertLessThanOrEqual(Double(errors.reduce(0, +)) / Double(errors.count), 3, "JPEG at quality 90 on a smooth image, mean error")
        XCTAssertLessThanOrEqual(errors.max() ?? 0, 20, "largest error (chroma subsampled 2 x 2)")
        let grey = makeRaster(width: 32, height: 32, bands: 1, type: .uint8, seed: 2)
        XCTAssertThrowsError(try GeoTIFFWriter.write(grey, to: folder + "/grey.tif", options: .init(compression: .jpeg))) { error in
            XCTAssertEqual((error as? RasterIOError)?.code, .unsupported)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/grey.tif"), "nothing half-written")
    }

    /// An acquisition date written as TIFF DateTime reads back as an ISO date; a mosaic has one when
    /// all its tiles agree.
    func testAcquisitionDateRoundTrip() throws {
        let folder = try makeTemporaryFolder(self)
        var options = GeoTIFFWriter.Options(compression: .lzw)
        options.acquisitionDate = "2012-10-09"
        try GeoTIFFWriter.write(makeRaster(width: 16, height: 16, bands: 1, type: .uint8, seed: 3), to: folder + "/dated.tif", options: options)
        XCTAssertEqual(try GeoTIFFFile(path: folder + "/dated.tif").info.acquisitionDate, "2012-10-09")
        try GeoTIFFWriter.write(makeRaster(width: 16, height: 16, bands: 1, type: .uint8, seed: 3), to: folder + "/plain.tif")
        XCTAssertNil(try GeoTIFFFile(path: folder + "/plain.tif").info.acquisitionDate)
        XCTAssertEqual(GeoTIFFFile.isoDate("2009:07:14 12:00:00"), "2009-07-14")
        XCTAssertNil(GeoTIFFFile.isoDate("yesterday"))
    }

    func testWindowReadsMatchTheFullRead() throws {
        let folder = try makeTemporaryFolder(self)
        let raster = makeRaster(width: 100, height: 77, bands: 3, type: .uint16, seed: 7)
        for (name, options) in [("tiled.tif", GeoTIFFWriter.Options(blocks: .tiles(32))),
                                ("striped.tif", GeoTIFFWriter.Options(compression: .lzw, blocks: .strips(5), interleave: .band))] {
            let path = folder + "/" + name
            try GeoTIFFWriter.write(raster, to: path, options: options)
            let file = try GeoTIFFFile(path: path)
            var generator = SampleGenerator(seed: 3)
            for _ in 0..<40 {
                let x = Int(generator.next() % 100), y = Int(generator.next() % 77)
                let w = 1 + Int(generator.next() % UInt64(100 - x)), h = 1 + Int(generator.next() % UInt64(77 - y))
                let window = PixelWindow(x: x, y: y, width: w, height: h)
                let part = try file.readRaster(window: window)
                for band in 0..<3 {
                    for (row, column) in [(0, 0), (h - 1, w - 1), (h / 2, w / 3)] {
                        XCTAssertEqual(part.value(x: column, y: row, band: band),
                                       raster.value(x: x + column, y: y + row, band: band), "\(name) \(window)")
                    }
                }
                XCTAssertEqual(part.georeferencing?.transform.originX, 560_000 + Double(x) * 0.5)
            }
        }
    }

    func testPixelIsPointShiftsTheTransformByHalfAPixel() throws {
        let folder = try makeTemporaryFolder(self)
        let raster = makeRaster(width: 20, height: 10, bands: 1, type: .uint8)
        let path = folder + "/point.tif"
        try GeoTIFFWriter.write(raster, to: path, options: .init(sampling: .point))
        let file = try GeoTIFFFile(path: path)
        XCTAssertEqual(file.info.sampling, .point)
        // The corner-based transform SiteWatch reports is the one that was written.
        assertSameTransform(file.info.georeferencing?.transform, raster.georeferencing?.transform)
        if let gdal = try gdalInfo(path) {
            let gt = gdal["geoTransform"] as! [Double]
            XCTAssertEqual(gt, raster.georeferencing!.transform.gdalOrder, "GDAL applies the same half-pixel shift")
        }
    }

    func testRotatedTransformRoundTripsThroughModelTransformation() throws {
        let folder = try makeTemporaryFolder(self)
        let rotated = Georeferencing(transform: GeoTransform(gdalOrder: [100, 17.320508075688775, 5, 200, 10, -8.660254037844387]),
                                     crs: CRS(epsg: 32652))
        let raster = makeRaster(width: 10, height: 15, bands: 1, type: .uint8, georeferencing: rotated)
        let path = folder + "/rotated.tif"
        try GeoTIFFWriter.write(raster, to: path)
        let file = try GeoTIFFFile(path: path)
        assertSameTransform(file.info.georeferencing?.transform, rotated.transform)
        XCTAssertEqual(file.info.georeferencing?.crs, CRS(epsg: 32652))
        if let gdal = try gdalInfo(path) {
            assertSameTransform(GeoTransform(gdalOrder: gdal["geoTransform"] as! [Double]), rotated.transform)
        }
    }

    /// GDAL reads the writer's files with the same geotransform, CRS and nodata, and sees the
    /// overviews.
    func testGDALReadsBackTheSameGeoreferencing() throws {
        let folder = try makeTemporaryFolder(self)
        for (epsg, transform) in [(32652, GeoTransform(originX: 560_000.25, originY: 4_631_700.75, pixelWidth: 0.5, pixelHeight: -0.5)),
                                  (4326, GeoTransform(originX: 129.7, originY: 41.85, pixelWidth: 5e-6, pixelHeight: -5e-6)),
                                  (3857, GeoTransform(originX: 14_440_000, originY: 5_135_000, pixelWidth: 0.6, pixelHeight: -0.6))] {
            let raster = makeRaster(width: 300, height: 200, bands: 3, type: .uint8,
                                    georeferencing: Georeferencing(transform: transform, crs: CRS(epsg: epsg)), nodata: 0)
            let path = folder + "/\(epsg).tif"
            try GeoTIFFWriter.write(raster, to: path, options: .init(compression: .lzw, overviewFactors: [2, 4]))
            let file = try GeoTIFFFile(path: path)
            XCTAssertEqual(file.info.overviewSizes, [[150, 100], [75, 50]])
            XCTAssertEqual(file.info.nodata, 0)
            XCTAssertEqual(file.info.georeferencing?.crs, CRS(epsg: epsg))
            guard let gdal = try gdalInfo(path) else { continue }
            XCTAssertEqual(gdal["geoTransform"] as? [Double], transform.gdalOrder)
            XCTAssertEqual((gdal["stac"] as? [String: Any])?["proj:epsg"] as? Int, epsg)
            let bands = gdal["bands"] as! [[String: Any]]
            XCTAssertEqual(bands.count, 3)
            XCTAssertEqual(bands[0]["noDataValue"] as? Double, 0)
            XCTAssertEqual((bands[0]["overviews"] as? [Any])?.count, 2)
        }
    }

    func testOverviewsAverageBlocks() throws {
        let folder = try makeTemporaryFolder(self)
        var raster = Raster(layout: RasterLayout(width: 4, height: 2, bandCount: 1, pixelType: .uint8),
                            georeferencing: makeRaster(width: 1, height: 1, bands: 1, type: .uint8).georeferencing)
        raster.withMutableBand(0, as: UInt8.self) { b in for i in b.indices { b[i] = UInt8(i * 10) } }  // 0 10 20 30 / 40 50 60 70
        let reduced = Overview.reduce(raster, by: 2, resampling: .average)
        XCTAssertEqual(reduced.layout, RasterLayout(width: 2, height: 1, bandCount: 1, pixelType: .uint8))
        XCTAssertEqual(reduced.samples, [25, 45])  // (0+10+40+50)/4, (20+30+60+70)/4
        XCTAssertEqual(Overview.reduce(raster, by: 2, resampling: .nearest).samples, [0, 20])
        XCTAssertEqual(reduced.georeferencing?.transform.pixelWidth, 1.0)
        let path = folder + "/ov.tif"
        try GeoTIFFWriter.write(raster, to: path, options: .init(overviewFactors: [2]))
        XCTAssertEqual(try GeoTIFFFile(path: path).info.overviewSizes, [[2, 1]])
    }

    func testWriterRefusesACRSWithoutAnEPSGCode() throws {
        let folder = try makeTemporaryFolder(self)
        let raster = makeRaster(width: 4, height: 4, bands: 1, type: .uint8,
                                georeferencing: Georeferencing(transform: GeoTransform(originX: 0, originY: 0, pixelWidth: 1, pixelHeight: -1),
                                                               crs: CRS(epsg: nil, definition: "+proj=longlat +ellps=GRS80")))
        XCTAssertThrowsError(try GeoTIFFWriter.write(raster, to: folder + "/x.tif")) { error in
            XCTAssertEqual((error as? RasterIOError)?.code, .unsupported)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/x.tif"))
    }
}

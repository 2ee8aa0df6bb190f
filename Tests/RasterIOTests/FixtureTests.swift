import Foundation
import GeoRaster
import RasterIO
import XCTest

/// The foundation fixtures in Fixtures/foundation are made by this code. The test regenerates them
/// and requires byte equality, so the committed files stay reproducible; with RECORD_FIXTURES=1 it
/// writes them instead.
final class FixtureTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/foundation").path

    /// A 2 x 2 mosaic of 64 x 64 RGB tiles at 0.5 m in UTM 52N over the site, the south-east tile
    /// missing (a gap), one tile as PNG + world file + .prj, names unrelated to position.
    static func makeMosaic(in folder: String) throws {
        let site = GeoTransform(originX: 560_200, originY: 4_631_700, pixelWidth: 0.5, pixelHeight: -0.5)
        let names = ["north-west.tif", "tiles/b.tif", "tiles/png/c.png"]
        for (index, name) in names.enumerated() {
            let window = PixelWindow(x: (index % 2) * 64, y: (index / 2) * 64, width: 64, height: 64)
            var tile = Raster(layout: RasterLayout(width: 64, height: 64, bandCount: 3, pixelType: .uint8),
                              georeferencing: Georeferencing(transform: site.window(window), crs: CRS(epsg: 32652)))
            // A smooth gradient per band plus a bright square per tile: easy to recognise in a viewer.
            for band in 0..<3 {
                tile.withMutableBand(band, as: UInt8.self) { out in
                    for y in 0..<64 {
                        for x in 0..<64 {
                            let (mx, my) = (window.x + x, window.y + y)
                            let square = (20..<44).contains(x) && (20..<44).contains(y)
                            out[y * 64 + x] = square ? 240 : UInt8((mx * (band + 1) + my * (3 - band)) % 200 + 20)
                        }
                    }
                }
            }
            let path = folder + "/mosaic/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            if name.hasSuffix(".png") {
                try PNGFile.write(tile, to: path)
            } else {
                try GeoTIFFWriter.write(tile, to: path, options: .init(compression: .lzw, blocks: .tiles(32)))
            }
        }
    }

    /// Bad inputs, each pinned to its error in InvalidInputTests and the CLI tests.
    static func makeInvalid(in folder: String) throws {
        let invalid = folder + "/invalid"
        try FileManager.default.createDirectory(atPath: invalid, withIntermediateDirectories: true)
        let raster = makeRaster(width: 32, height: 32, bands: 1, type: .uint8, seed: 2)
        // truncated.tif: the first half of a valid file (libtiff writes the IFD last, so none is left).
        try GeoTIFFWriter.write(raster, to: invalid + "/truncated.tif", options: .init(compression: .none, blocks: .strips(32)))
        let whole = try Data(contentsOf: URL(fileURLWithPath: invalid + "/truncated.tif"))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: invalid + "/truncated.tif"))
        // corrupt-tile.tif: the first tile's DEFLATE stream overwritten with 0xFF.
        try GeoTIFFWriter.write(raster, to: invalid + "/corrupt-tile.tif", options: .init(compression: .deflate, blocks: .tiles(16)))
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: invalid + "/corrupt-tile.tif")))
        for i in 8..<40 { bytes[i] = 0xFF }
        try Data(bytes).write(to: URL(fileURLWithPath: invalid + "/corrupt-tile.tif"))
        // no-georeferencing.tif: a valid image with no GeoTIFF tags.
        try GeoTIFFWriter.write(makeRaster(width: 8, height: 8, bands: 1, type: .uint8, georeferencing: nil),
                                to: invalid + "/no-georeferencing.tif")
        // huge-header.tif: declares 10^6 x 10^6 pixels in one DEFLATE strip, holds 10 bytes.
        try MinimalTIFF.write(path: invalid + "/huge-header.tif", width: 1_000_000, height: 1_000_000, stripBytes: 10,
                              actualBytes: 10, compression: 8)
    }

    func testCommittedFixturesAreReproducible() throws {
        let record = ProcessInfo.processInfo.environment["RECORD_FIXTURES"] == "1"
        let target = record ? Self.root : try makeTemporaryFolder(self)
        try Self.makeMosaic(in: target)
        try Self.makeInvalid(in: target)
        guard !record else { return }
        let made = try TileMosaicFiles.list(target)
        XCTAssertEqual(try TileMosaicFiles.list(Self.root), made, "Fixtures/foundation differs from what the code makes; rerun with RECORD_FIXTURES=1")
        for file in made {
            XCTAssertEqual(try SHA256.hex(fileAt: Self.root + "/" + file), try SHA256.hex(fileAt: target + "/" + file),
                           "\(file) is not reproducible; rerun with RECORD_FIXTURES=1")
        }
    }

    func testTheFixtureMosaicReadsAsOneRaster() throws {
        let mosaic = try TileMosaic(folder: Self.root + "/mosaic")
        XCTAssertEqual(mosaic.tiles.count, 3)
        XCTAssertEqual(mosaic.gapCount, 1)
        XCTAssertEqual(mosaic.info.layout, RasterLayout(width: 128, height: 128, bandCount: 3, pixelType: .uint8))
        let footprint = try Footprint(mosaic.info)
        // The mosaic covers 64 m x 64 m a few hundred metres from the camp's centroid.
        XCTAssertEqual(footprint.center.longitude, 129.7253, accuracy: 0.01)
        XCTAssertEqual(footprint.center.latitude, 41.8344, accuracy: 0.01)
        let centreOfSquare = try mosaic.readRaster(window: PixelWindow(x: 96, y: 32, width: 1, height: 1))
        XCTAssertEqual(centreOfSquare.samples, [240, 240, 240])
        let gap = try mosaic.readRaster(window: PixelWindow(x: 100, y: 100, width: 1, height: 1))
        XCTAssertEqual(gap.samples, [0, 0, 0])
    }
}

/// Relative paths of the regular files under a folder, sorted.
enum TileMosaicFiles {
    static func list(_ root: String) throws -> [String] {
        guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        while let path = e.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue,
               !path.hasSuffix(".md") {
                files.append(path)
            }
        }
        return files.sorted()
    }
}

import Foundation
import GeoRaster
import RasterIO
import XCTest

/// Each kind of bad input pinned to its exact error: code, path and message.
final class InvalidInputTests: XCTestCase {
    func error(_ body: () throws -> Void) -> RasterIOError? {
        do { try body() } catch let e as RasterIOError { return e } catch { XCTFail("not a RasterIOError: \(error)") }
        return nil
    }

    func testTruncatedFile() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/truncated.tif"
        try GeoTIFFWriter.write(makeRaster(width: 64, height: 64, bands: 1, type: .uint8, seed: 5), to: path,
                                options: .init(compression: .none, blocks: .strips(64)))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        // libtiff writes the IFD after the pixel data, so the front half has no directory at all.
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        let e = error { _ = try GeoTIFFFile(path: path).readRaster() }
        XCTAssertEqual(e?.code, .malformed)
        XCTAssertEqual(e?.path, path)
        XCTAssertNotNil(e?.cause, "libtiff's own message: \(String(describing: e))")
    }

    func testTruncatedPixelDataWithIntactHeader() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/short.tif"
        // A hand-made classic TIFF: header and IFD first, then a strip shorter than declared.
        try MinimalTIFF.write(path: path, width: 16, height: 16, stripBytes: 256, actualBytes: 100)
        let e = error { _ = try GeoTIFFFile(path: path).readRaster() }
        XCTAssertEqual(e?.code, .malformed)
        XCTAssertEqual(e?.message, "cannot decode strip 0")
        XCTAssertTrue(e?.cause?.contains("Read error") == true, String(describing: e?.cause))
    }

    /// SiteWatch decodes LZW (with its predictor) itself: whatever bytes a damaged file holds, a read
    /// gives either the declared pixels or a `malformed` error naming the file, never a crash or an
    /// overrun. 200 damaged copies, a few bytes each, of striped and tiled, 8- and 16-bit files.
    func testDamagedLZWNeverCrashes() throws {
        let folder = try makeTemporaryFolder(self)
        var generator = SampleGenerator(seed: 11)
        var failures = 0, reads = 0
        for (index, (type, blocks)) in [(PixelType.uint8, GeoTIFFWriter.Blocks.tiles(16)), (.uint16, .strips(5)),
                                         (.uint8, .strips(7)), (.uint16, .tiles(32))].enumerated() {
            let raster = makeRaster(width: 45, height: 37, bands: 3, type: type, seed: UInt64(index))
            let path = folder + "/lzw\(index).tif"
            try GeoTIFFWriter.write(raster, to: path, options: .init(compression: .lzw, blocks: blocks))
            let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            for _ in 0..<50 {
                var bytes = original
                // The blocks lie between the 8-byte header and the directory libtiff writes after them.
                let blockBytes = max(1, original.count / 2)
                for _ in 0..<(1 + Int(generator.next() % 6)) {
                    bytes[8 + Int(generator.next() % UInt64(blockBytes))] = UInt8(truncatingIfNeeded: generator.next())
                }
                let damaged = folder + "/damaged.tif"
                try Data(bytes).write(to: URL(fileURLWithPath: damaged))
                do {
                    let back = try GeoTIFFFile(path: damaged).readRaster()
                    XCTAssertEqual(back.layout, raster.layout)
                    reads += 1
                } catch let e as RasterIOError {
                    XCTAssertEqual(e.code, .malformed, "\(e)")
                    XCTAssertEqual(e.path, damaged)
                    failures += 1
                }
            }
        }
        XCTAssertEqual(reads + failures, 200)
        XCTAssertGreaterThan(failures, 0, "some damage must be detected")
    }

    func testCorruptTile() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/corrupt.tif"
        try GeoTIFFWriter.write(makeRaster(width: 32, height: 32, bands: 1, type: .uint8, seed: 2), to: path,
                                options: .init(compression: .deflate, blocks: .tiles(16)))
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // libtiff writes the first tile right after the 8-byte header: scramble its deflate stream.
        for i in 8..<40 { bytes[i] = 0xFF }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let e = error { _ = try GeoTIFFFile(path: path).readRaster() }
        XCTAssertEqual(e?.code, .malformed)
        XCTAssertEqual(e?.path, path)
        XCTAssertEqual(e?.message, "cannot decode tile 0")
    }

    func testNoGeoreferencing() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/plain.tif"
        try GeoTIFFWriter.write(makeRaster(width: 8, height: 8, bands: 1, type: .uint8, georeferencing: nil), to: path)
        let file = try GeoTIFFFile(path: path)
        XCTAssertNil(file.info.georeferencing)
        let e = error { _ = try Footprint(file.info) }
        XCTAssertEqual(e?.code, .notGeoreferenced)
        XCTAssertEqual(e?.message, "raster has no georeferencing (no transform)")
    }

    func testHeaderDeclaringAMillionByAMillionPixels() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/huge.tif"
        // DEFLATE, because libtiff splits a single *uncompressed* strip into small virtual strips.
        try MinimalTIFF.write(path: path, width: 1_000_000, height: 1_000_000, stripBytes: 10, actualBytes: 10, compression: 8)
        let e = error { _ = try GeoTIFFFile(path: path) }
        XCTAssertEqual(e?.code, .limitsExceeded)
        XCTAssertEqual(e?.path, path)
        XCTAssertEqual(e?.message, "a 1000000 x 1000000 block needs 1000000000000 bytes, over the 268435456-byte block limit")
    }

    func testHugeImageWithSmallBlocksRefusesAWholeRead() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/wide.tif"
        // One row per strip keeps each block small; the whole image is still 10^12 bytes.
        try MinimalTIFF.write(path: path, width: 1_000_000, height: 1_000_000, stripBytes: 1_000_000, actualBytes: 10, rowsPerStrip: 1)
        let file = try GeoTIFFFile(path: path)
        let e = error { _ = try file.readRaster() }
        XCTAssertEqual(e?.code, .limitsExceeded)
        XCTAssertEqual(e?.message, "reading 1000000 x 1000000 x 1 uint8 samples would exceed the 4294967296-byte window limit")
    }

    func testMissingEmptyAndForeignFiles() throws {
        let folder = try makeTemporaryFolder(self)
        XCTAssertEqual(error { _ = try RasterDataset.open(folder + "/nope.tif") }?.code, .io)
        XCTAssertTrue(FileManager.default.createFile(atPath: folder + "/empty.tif", contents: Data()))
        let empty = error { _ = try RasterDataset.open(folder + "/empty.tif") }
        XCTAssertEqual(empty?.code, .malformed)
        XCTAssertEqual(empty?.message, "file is empty, expected a GeoTIFF, PNG or JPEG")
        try "hello".write(toFile: folder + "/text.tif", atomically: true, encoding: .utf8)
        XCTAssertEqual(error { _ = try RasterDataset.open(folder + "/text.tif") }?.message, "not a TIFF, PNG or JPEG file (unknown signature)")
    }

    func testUnsupportedSampleTypeNamesTheFeature() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/int32.tif"
        try MinimalTIFF.write(path: path, width: 2, height: 2, stripBytes: 16, actualBytes: 16, bitsPerSample: 32, sampleFormat: 2)
        let e = error { _ = try GeoTIFFFile(path: path) }
        XCTAssertEqual(e?.code, .unsupported)
        XCTAssertEqual(e?.message, "unsupported TIFF feature: 32-bit signed integer samples (SiteWatch reads uint8, int16, uint16, float32, float64)")
    }
}

/// Hand-made little-endian classic TIFFs: one strip per `rowsPerStrip` rows, whatever the header
/// claims, so tests can declare sizes no writer would produce.
enum MinimalTIFF {
    static func write(path: String, width: UInt32, height: UInt32, stripBytes: UInt64, actualBytes: Int,
                      rowsPerStrip: UInt32? = nil, bitsPerSample: UInt16 = 8, sampleFormat: UInt16 = 1,
                      compression: UInt16 = 1) throws {
        let rows = rowsPerStrip ?? height
        let strips = Int((height + rows - 1) / rows)
        var entries: [(UInt16, UInt16, UInt32, UInt32)] = [  // tag, type, count, value
            (256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, UInt32(bitsPerSample)), (259, 3, 1, UInt32(compression)),
            (262, 3, 1, 1), (277, 3, 1, 1), (278, 4, 1, rows), (339, 3, 1, UInt32(sampleFormat)),
        ]
        // StripOffsets and StripByteCounts: inline for one strip, else arrays after the IFD.
        let ifdOffset = 8
        let ifdSize = 2 + (entries.count + 2) * 12 + 4
        let arraysOffset = ifdOffset + ifdSize
        let dataOffset = arraysOffset + (strips > 1 ? strips * 8 : 0)
        if strips == 1 {
            entries.append((273, 4, 1, UInt32(dataOffset)))
            entries.append((279, 4, 1, UInt32(truncatingIfNeeded: min(stripBytes, UInt64(UInt32.max)))))
        } else {
            entries.append((273, 4, UInt32(strips), UInt32(arraysOffset)))
            entries.append((279, 4, UInt32(strips), UInt32(arraysOffset + strips * 4)))
        }
        entries.sort { $0.0 < $1.0 }
        var bytes: [UInt8] = [0x49, 0x49, 42, 0] + le32(UInt32(ifdOffset))
        bytes += le16(UInt16(entries.count))
        for (tag, type, count, value) in entries {
            bytes += le16(tag) + le16(type) + le32(count) + (type == 3 && count == 1 ? le16(UInt16(value)) + [0, 0] : le32(value))
        }
        bytes += le32(0)
        if strips > 1 {
            for _ in 0..<strips { bytes += le32(UInt32(dataOffset)) }  // every strip points at the same bytes
            for _ in 0..<strips { bytes += le32(UInt32(truncatingIfNeeded: stripBytes)) }
        }
        bytes += [UInt8](repeating: 7, count: actualBytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
    private static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }
    private static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xff) } }
}

import Foundation
import GeoRaster
import RasterIO
import XCTest

/// Walks ../shared/geotiff-corpus/expected.json (what GDAL reads from 91 real GeoTIFFs) and checks
/// that the reader either reproduces GDAL exactly or refuses the file with a clear error.
final class CorpusConformanceTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/geotiff-corpus")

    struct Expected: Decodable {
        struct Band: Decodable { var sha256: String; var min: Double; var max: Double; var mean: Double }
        var width: Int
        var height: Int
        var band_count: Int
        var data_types: [String]
        var geotransform: [Double]?
        var epsg: Int?
        var has_crs: Bool
        var nodata: [NodataValue?]
        var area_or_point: String?
        var decodes_fully: Bool
        var bands: [Band]?
    }

    /// expected.json writes NaN nodata as the string "NaN".
    enum NodataValue: Decodable, Equatable {
        case number(Double)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let d = try? c.decode(Double.self) { self = .number(d); return }
            let s = try c.decode(String.self)
            guard s.lowercased() == "nan" else { throw DecodingError.dataCorruptedError(in: c, debugDescription: s) }
            self = .number(.nan)
        }
        var value: Double { if case .number(let v) = self { return v }; return .nan }
    }

    func testReaderAgreesWithGDALOnTheCorpus() throws {
        let expectedURL = Self.corpus.appendingPathComponent("expected.json")
        guard FileManager.default.fileExists(atPath: expectedURL.path) else {
            throw XCTSkip("../shared/geotiff-corpus is absent (a user's clone): conformance not checked")
        }
        // expected.json comes from Python's json module, which writes -Infinity for some means.
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        let expected = try decoder.decode([String: Expected].self, from: Data(contentsOf: expectedURL))
        var agree = 0, lossy: [String] = [], unsupported: [String] = [], errors: [String] = [], disagreements: [String] = []

        for name in expected.keys.sorted() {
            let want = expected[name]!
            let path = Self.corpus.appendingPathComponent(name).path
            var problems: [String] = []
            do {
                let file = try GeoTIFFFile(path: path)
                let raster = try file.readRaster()
                // GDAL's failures on three of the four files come from their CRS, not their pixels:
                // the corners cannot be converted to longitude/latitude. Placing the raster on the
                // earth is part of reading it for SiteWatch, so the footprint must fail the same way.
                if file.info.georeferencing?.crs != nil { _ = try Footprint(file.info) }
                if !want.decodes_fully {
                    disagreements.append("\(name): GDAL cannot decode it, but the reader returned pixels")
                    continue
                }
                problems = Self.compare(file.info, raster, want)
                if problems.isEmpty, let note = Self.lossyDifference(file.info, raster, want) { lossy.append("\(name): \(note)") }
            } catch let error as RasterIOError {
                if !want.decodes_fully {
                    XCTAssertTrue(error.description.contains(name), "error must name the file: \(error)")
                    errors.append("\(name): \(error.code): \(error.message)")
                } else if error.code == .unsupported {
                    unsupported.append("\(name): \(error.message)")
                } else {
                    disagreements.append("\(name): unexpected error \(error)")
                }
                continue
            }
            if problems.isEmpty { agree += 1 } else { disagreements.append("\(name): " + problems.joined(separator: "; ")) }
        }
        print("GeoTIFF corpus: \(agree) agree (\(lossy.count) of them within JPEG decoder tolerance), \(unsupported.count) unsupported, \(errors.count) error, \(disagreements.count) disagree")
        for line in lossy { print("  agree within tolerance: \(line)") }
        for line in unsupported { print("  unsupported: \(line)") }
        for line in errors { print("  error (expected, GDAL cannot decode): \(line)") }
        for line in disagreements { print("  DISAGREE: \(line)") }
        XCTAssertEqual(disagreements, [], "the reader disagrees with GDAL")
        XCTAssertEqual(errors.count, expected.values.filter { !$0.decodes_fully }.count)
    }

    static func compare(_ info: RasterInfo, _ raster: Raster, _ want: Expected) -> [String] {
        var problems: [String] = []
        if info.layout.width != want.width || info.layout.height != want.height {
            problems.append("size \(info.layout.width)x\(info.layout.height) != \(want.width)x\(want.height)")
        }
        if info.layout.bandCount != want.band_count { problems.append("bands \(info.layout.bandCount) != \(want.band_count)") }
        let types = Array(repeating: info.layout.pixelType.gdalName, count: info.layout.bandCount)
        if types != want.data_types { problems.append("types \(types) != \(want.data_types)") }
        let gt = info.georeferencing?.transform.gdalOrder
        switch (gt, want.geotransform) {
        case (nil, nil): break
        case let (got?, expected?):
            if zip(got, expected).contains(where: { abs($0 - $1) > 1e-9 * max(1, abs($1)) }) {
                problems.append("geotransform \(got) != \(expected)")
            }
        default: problems.append("geotransform \(gt.map { "\($0)" } ?? "none") != \(want.geotransform.map { "\($0)" } ?? "none")")
        }
        let crs = info.georeferencing?.crs
        if want.has_crs != (crs != nil) { problems.append("has CRS \(crs != nil) != \(want.has_crs)") }
        // gdalsrsinfo 3.6 prints any authority's code after "EPSG:": test_esri_wkt.tif's 102039 is
        // ESRI:102039 and float_raster_with_nodata.tif's 0 is IGNF:ETRS89LAEA. Where the expected
        // code is no EPSG CRS, the reader must report no EPSG code and a definition PROJ can use.
        let isEPSGCode = want.epsg.map { $0 > 0 && CRSCatalog.describe(epsg: $0) != nil } ?? false
        let wantEPSG = isEPSGCode ? want.epsg : nil
        if want.has_crs, crs?.epsg != wantEPSG { problems.append("EPSG \(crs?.epsg.map(String.init) ?? "none") != \(want.epsg.map(String.init) ?? "none")") }
        if want.has_crs, !isEPSGCode, !(crs?.projDefinition.map(CRSCatalog.isValidDefinition) ?? false) {
            problems.append("CRS without an EPSG code has no definition PROJ can use")
        }
        let wantNodata = want.nodata.first.flatMap { $0 }?.value
        switch (info.nodata, wantNodata) {
        case (nil, nil): break
        case let (a?, b?) where a == b || (a.isNaN && b.isNaN): break
        case let (a?, b?) where b != 0 && abs(a - b) <= 1e-6 * abs(b): break
        default: problems.append("nodata \(String(describing: info.nodata)) != \(String(describing: wantNodata))")
        }
        if info.sampling?.rawValue != want.area_or_point {
            problems.append("AREA_OR_POINT \(info.sampling?.rawValue ?? "none") != \(want.area_or_point ?? "none")")
        }
        let isJPEG = info.compression?.hasSuffix("JPEG") == true
        for (band, expected) in (want.bands ?? []).enumerated() where band < raster.bandCount {
            if SHA256.hex(raster.bandBytes(band)) == expected.sha256 { continue }
            // JPEG decoders are not bit-exact across libjpeg builds (IDCT and upsampling are left to
            // the implementation): rasterio/cogeo.tif decodes bit-identically to Debian 12's GDAL
            // 3.6.2, but expected.json came from another libjpeg. For JPEG only, statistics within
            // a few levels count as agreement.
            let stats = Self.statistics(raster, band: band)
            if isJPEG, abs(stats.min - expected.min) <= 3, abs(stats.max - expected.max) <= 3,
               abs(stats.mean - expected.mean) < 0.01 { continue }
            problems.append("band \(band + 1) sha256 differs (min \(stats.min) max \(stats.max) mean \(stats.mean) vs \(expected.min) \(expected.max) \(expected.mean))")
        }
        return problems
    }

    /// A note when a JPEG file agreed by statistics rather than bytes.
    static func lossyDifference(_ info: RasterInfo, _ raster: Raster, _ want: Expected) -> String? {
        let differing = (want.bands ?? []).enumerated().filter { SHA256.hex(raster.bandBytes($0.offset)) != $0.element.sha256 }
        guard !differing.isEmpty else { return nil }
        return differing.map { band, expected in
            let stats = statistics(raster, band: band)
            return "band \(band + 1) mean \(String(format: "%.5f", stats.mean)) vs GDAL \(String(format: "%.5f", expected.mean))"
        }.joined(separator: ", ")
    }

    static func statistics(_ raster: Raster, band: Int) -> (min: Double, max: Double, mean: Double) {
        var lo = Double.infinity, hi = -Double.infinity, sum = 0.0
        for y in 0..<raster.height {
            for x in 0..<raster.width {
                let v = raster.value(x: x, y: y, band: band)
                lo = min(lo, v); hi = max(hi, v); sum += v
            }
        }
        return (lo, hi, sum / Double(raster.width * raster.height))
    }
}

import ArgumentParser
import Foundation
import GeoRaster
import RasterIO

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a GeoTIFF, a PNG with a world file, or a folder of tiles (like gdalinfo).")

    @Argument(help: "A raster file or a folder of tiles.")
    var path: String

    @Flag(name: .long, help: "Print JSON for programs instead of text.")
    var json = false

    @Flag(name: .long, help: "Decode every pixel and report each band's SHA-256 (proves the file is readable).")
    var checksum = false

    @Option(name: .long, help: "CRS to assume where the files give none, e.g. EPSG:32652.")
    var crs: CRSArgument?

    func run() throws {
        try SiteWatch.reportingErrors {
            let source = try RasterDataset.open(path, crs: crs?.crs)
            var report = try InfoReport(source)
            if checksum { report.band_sha256 = try Self.bandChecksums(source) }
            print(json ? report.json : report.text, terminator: "")
        }
    }

    /// SHA-256 of each band's decoded samples (row-major, host order), read in strips of rows so
    /// memory stays bounded whatever the raster's size.
    static func bandChecksums(_ source: RasterSource) throws -> [String] {
        let layout = source.layout
        var hashers = Array(repeating: SHA256(), count: layout.bandCount)
        let rowBytes = max(1, layout.width * layout.bandCount * layout.pixelType.bytesPerSample)
        let rowsPerRead = max(1, min(layout.height, (64 << 20) / rowBytes))
        for y in stride(from: 0, to: layout.height, by: rowsPerRead) {
            let part = try source.readRaster(window: PixelWindow(x: 0, y: y, width: layout.width,
                                                                 height: min(rowsPerRead, layout.height - y)))
            for band in 0..<layout.bandCount { hashers[band].update(part.bandBytes(band)) }
        }
        return hashers.indices.map { hashers[$0].finalize().map { String(format: "%02x", $0) }.joined() }
    }
}

/// "EPSG:32652" or "32652".
struct CRSArgument: ExpressibleByArgument {
    let crs: CRS
    init?(argument: String) {
        let digits = argument.uppercased().hasPrefix("EPSG:") ? String(argument.dropFirst(5)) : argument
        guard let code = Int(digits), code > 0 else { return nil }
        crs = CRS(epsg: code)
    }
}

/// What `sitewatch info` reports; its JSON keys are stable (snake_case).
struct InfoReport: Encodable {
    struct Band: Encodable {
        var band: Int
        var type: String
        var block: [Int]
        var nodata: Double?
    }
    struct Tiles: Encodable {
        var count: Int
        var gaps: Int
        var uncovered_pixels: Int
        var files: [String]
    }

    var path: String
    var format: String
    var size: [Int]
    var band_count: Int
    var bands: [Band]
    var crs: String?
    var epsg: Int?
    var crs_name: String?
    var geotransform: [Double]?
    var area_or_point: String?
    var extent: [Double]?
    var extent_lonlat: [Double]?
    var corners_lonlat: [String: [Double]]?
    /// Why the corners could not be converted to longitude/latitude.
    var lonlat_error: String?
    var compression: String?
    var interleave: String
    var overviews: [[Int]]
    var bigtiff: Bool
    var acquisition_date: String?
    var ground_control_points: Bool
    var tiles: Tiles?
    /// With --checksum: SHA-256 of each band's decoded samples.
    var band_sha256: [String]?

    init(_ source: RasterSource) throws {
        let info = source.info
        path = info.path
        format = info.format
        size = [info.layout.width, info.layout.height]
        band_count = info.layout.bandCount
        bands = (0..<info.layout.bandCount).map {
            Band(band: $0 + 1, type: info.layout.pixelType.gdalName, block: [info.blockWidth, info.blockHeight],
                 nodata: info.nodata)
        }
        if let geo = info.georeferencing {
            geotransform = geo.transform.gdalOrder
            let rect = geo.transform.extent(width: info.layout.width, height: info.layout.height)
            extent = [rect.minX, rect.minY, rect.maxX, rect.maxY]
            if let c = geo.crs {
                crs = c.description
                epsg = c.epsg
                crs_name = c.epsg.flatMap { CRSCatalog.describe(epsg: $0)?.name }
                do {
                    let footprint = try Footprint(info)
                    corners_lonlat = [
                        "upper_left": footprint.upperLeft, "lower_left": footprint.lowerLeft,
                        "upper_right": footprint.upperRight, "lower_right": footprint.lowerRight,
                        "center": footprint.center,
                    ].mapValues { [$0.longitude, $0.latitude] }
                    extent_lonlat = footprint.boundingBox
                } catch let error as RasterIOError {
                    lonlat_error = error.message + (error.cause.map { " (\($0))" } ?? "")
                }
            }
        }
        area_or_point = info.sampling?.rawValue
        compression = info.compression
        interleave = info.interleave.rawValue
        overviews = info.overviewSizes
        bigtiff = info.isBigTIFF
        acquisition_date = info.acquisitionDate
        ground_control_points = info.hasGroundControlPoints
        if let mosaic = source as? TileMosaic {
            tiles = Tiles(count: mosaic.tiles.count, gaps: mosaic.gapCount, uncovered_pixels: mosaic.uncoveredPixelCount,
                          files: mosaic.tiles.map(\.relativePath))
        }
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try! encoder.encode(self), as: UTF8.self) + "\n"
    }

    var text: String {
        func f(_ v: Double) -> String { String(format: "%.10g", v) }
        var lines = ["Driver: \(format)", "Files: \(path)", "Size is \(size[0]), \(size[1])"]
        if let tiles {
            lines.append("Tiles: \(tiles.count), gaps: \(tiles.gaps) (\(tiles.uncovered_pixels) pixels uncovered)")
        }
        if let crs {
            lines.append("Coordinate System: \(crs)\(crs_name.map { " (\($0))" } ?? "")")
        } else {
            lines.append("Coordinate System: none")
        }
        if let gt = geotransform {
            lines.append("Origin = (\(f(gt[0])), \(f(gt[3])))")
            lines.append("Pixel Size = (\(f(gt[1])), \(f(gt[5])))")
            lines.append("GeoTransform = \(gt.map(f).joined(separator: ", "))")
        } else {
            lines.append("Georeferencing: none\(ground_control_points ? " (ground control points only, not used)" : "")")
        }
        if let area_or_point { lines.append("AREA_OR_POINT=\(area_or_point)") }
        if let acquisition_date { lines.append("Acquisition date: \(acquisition_date) (TIFF DateTime)") }
        if let extent { lines.append("Extent = (\(f(extent[0])), \(f(extent[1]))) - (\(f(extent[2])), \(f(extent[3])))") }
        if let corners = corners_lonlat {
            lines.append("Corner Coordinates (lon, lat):")
            for (name, label) in [("upper_left", "Upper Left "), ("lower_left", "Lower Left "), ("upper_right", "Upper Right"),
                                  ("lower_right", "Lower Right"), ("center", "Center     ")] {
                let c = corners[name]!
                lines.append("  \(label) (\(String(format: "%.7f", c[0])), \(String(format: "%.7f", c[1])))")
            }
        }
        if let lonlat_error { lines.append("Corner Coordinates (lon, lat): not available: \(lonlat_error)") }
        lines.append("Compression: \(compression ?? "none"), interleave: \(interleave)\(bigtiff ? ", BigTIFF" : "")")
        if !overviews.isEmpty { lines.append("Overviews: " + overviews.map { "\($0[0])x\($0[1])" }.joined(separator: ", ")) }
        for band in bands {
            lines.append("Band \(band.band) Block=\(band.block[0])x\(band.block[1]) Type=\(band.type)")
            if let nodata = band.nodata { lines.append("  NoData Value=\(nodata.isNaN ? "nan" : f(nodata))") }
            if let sums = band_sha256 { lines.append("  SHA-256=\(sums[band.band - 1])") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

import ArgumentParser
import ChangeAnalysis
import ChangeReport
import Foundation
import GeoRaster
import RasterIO

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two dates of a site and write the change report.",
        discussion: """
            Writes OUT/report.json, OUT/report.md, OUT/report.html, OUT/features.geojson and OUT/change.tif. \
            Outputs are built in a temporary folder and renamed into place when complete.
            """)

    @Option(name: .long, help: "The earlier date: a GeoTIFF, a PNG with world file, or a folder of tiles.")
    var before: String

    @Option(name: .long, help: "The later date.")
    var after: String

    @Option(name: .long, help: "A point inside the compound: LON,LAT (WGS 84). Required unless --gsd is given.")
    var site: DoublePair?

    @Option(name: .long, help: "For two images without georeferencing (PNG, TIFF) of the same size: their ground sample distance, metres. The site is then the images' centre, areas come from the GSD, and positions are metres in the image frame (no lon/lat).")
    var gsd: Double?

    @Option(name: .long, help: "GeoJSON polygon (lon/lat) limiting the analysis.")
    var aoi: String?

    @Option(name: .long, help: "Claims file (JSON) listing documented figures; default: the built-in claims of Kwan-li-so No. 25 near that site.")
    var claims: String?

    @Option(name: .long, help: "Analyst's GeoJSON polygon (lon/lat) of the compound at the before date, used instead of extraction.")
    var perimeterBefore: String?

    @Option(name: .long, help: "Analyst's GeoJSON polygon (lon/lat) of the compound at the after date.")
    var perimeterAfter: String?

    @Option(name: .long, help: "GeoJSON polygons (lon/lat) of cloud, cloud shadow, haze or other unusable areas at the before date: read as nodata.")
    var maskBefore: String?

    @Option(name: .long, help: "GeoJSON polygons (lon/lat) of unusable areas at the after date.")
    var maskAfter: String?

    @Option(name: .long, help: "Output folder (must not exist or be empty).")
    var out: String

    @Option(name: .long, help: "Report title.")
    var title: String?

    @Option(name: .long, help: "Half-size of the analysed square around the site when no AOI is given, metres.")
    var radius: Double = 1200

    @OptionGroup var changeMap: ChangeMapOptions

    @Flag(name: .long, help: "Print nothing but errors.")
    var quiet = false

    @Flag(name: .long, help: "Print each stage's figures and timings.")
    var verbose = false

    func validate() throws {
        if let gsd {
            guard gsd.isFinite, gsd > 0, gsd <= 1000 else { throw ValidationError("--gsd must be a pixel size in metres, > 0, got \(gsd)") }
            let lonLat = [("--site", site != nil), ("--aoi", aoi != nil), ("--perimeter-before", perimeterBefore != nil),
                          ("--perimeter-after", perimeterAfter != nil), ("--mask-before", maskBefore != nil), ("--mask-after", maskAfter != nil)]
            if let given = lonLat.first(where: \.1) {
                throw ValidationError("\(given.0) takes longitude/latitude, which images placed by --gsd do not have")
            }
        } else {
            guard let site else { throw ValidationError("--site LON,LAT is required (or --gsd for images without georeferencing)") }
            guard (-180...180).contains(site.values[0]), (-90...90).contains(site.values[1]) else {
                throw ValidationError("--site is LON,LAT in degrees, got \(site.values[0]),\(site.values[1])")
            }
        }
        guard radius >= 50 else { throw ValidationError("--radius must be at least 50 m") }
    }

    func run() throws {
        try SiteWatch.reportingErrors {
            let progress = Progress(enabled: !quiet)
            let job = CompareJob(before: before, after: after, site: site.map { GeoPoint(longitude: $0.values[0], latitude: $0.values[1]) },
                                 aoiPath: aoi, claimsPath: claims, perimeterBeforePath: perimeterBefore,
                                 perimeterAfterPath: perimeterAfter, maskBeforePath: maskBefore, maskAfterPath: maskAfter,
                                 title: title, radiusMeters: radius, gsdMeters: gsd, changeParameters: changeMap.parameters)
            let outputs = try job.run(progress: progress)
            progress.finish()
            let staging = try OutputFolder(out)
            for (name, bytes) in outputs.files { try FileChecks.writeAtomically(bytes, to: staging.path + "/" + name) }
            try outputs.writeChangeRaster(staging.path + "/change.tif")
            try staging.commit()
            if verbose {
                for line in outputs.summary { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            }
            if !quiet { print("Report: \(out)/report.html") }
        }
    }
}

/// One run of the main job, independent of argument parsing so `batch` can run many.
struct CompareJob {
    var before: String
    var after: String
    /// The site in lon/lat; nil with `gsdMeters`, where it is the images' centre.
    var site: GeoPoint?
    var aoiPath: String?
    var claimsPath: String?
    var perimeterBeforePath: String?
    var perimeterAfterPath: String?
    var maskBeforePath: String?
    var maskAfterPath: String?
    var title: String?
    var radiusMeters: Double
    /// Places two images without georeferencing in `CRS.imageFrame` at this pixel size.
    var gsdMeters: Double? = nil
    var changeParameters = ChangeParameters()

    struct Outputs {
        var files: [(String, [UInt8])]
        var summary: [String]
        var writeChangeRaster: (String) throws -> Void
    }

    func run(progress: Progress) throws -> Outputs {
        let started = Date()
        // Each date as the analysis sees it: as read, or placed in the image frame by --gsd.
        let open = { (path: String) throws -> RasterSource in
            let source = try RasterDataset.open(path)
            return try gsdMeters.map { try LocalFrameSource(source, gsdMeters: $0) } ?? source
        }
        let beforeSource = try open(before)
        let afterSource = try open(after)
        if gsdMeters != nil, beforeSource.info.layout.window != afterSource.info.layout.window {
            throw RasterIOError(.incompatibleInputs, path: after,
                                "is \(afterSource.info.layout.width) x \(afterSource.info.layout.height) px, but \(before) is \(beforeSource.info.layout.width) x \(beforeSource.info.layout.height): images placed by --gsd must have the same size")
        }
        for source in [beforeSource, afterSource] {
            guard source.info.georeferencing?.crs != nil else {
                throw RasterIOError(.notGeoreferenced, path: source.info.path, "the imagery has no CRS; cannot place the site")
            }
        }
        let crsBefore = beforeSource.info.georeferencing!.crs!, crsAfter = afterSource.info.georeferencing!.crs!
        // Cloud masks: pixels under them read as nodata everywhere below.
        func masked(_ path: String?, _ crs: CRS) throws -> (PixelSource) -> PixelSource {
            guard let path else { return { $0 } }
            let polygons = try GeoJSONInput.polygons(path).map { MapPolygon(try CoordinateTransform.fromLonLat($0, to: crs)) }
            return { MaskedSource($0, hiding: polygons) }
        }
        let maskedBefore = try masked(maskBeforePath, crsBefore), maskedAfter = try masked(maskAfterPath, crsAfter)
        // A CRS difference goes through PROJ: before-CRS map coordinates to after-CRS ones.
        var reproject: (@Sendable (MapPoint) -> MapPoint)?
        if crsBefore != crsAfter {
            let transform = LockedTransform(try CoordinateTransform(from: crsBefore, to: crsAfter))
            reproject = { transform.forward($0) }
        }
        // The dates must overlap at all before the site can be in both.
        let beforeExtent = beforeSource.info.georeferencing!.transform.extent(width: beforeSource.info.layout.width,
                                                                               height: beforeSource.info.layout.height)
        let beforeTransform = beforeSource.info.georeferencing!.transform
        let siteMap: MapPoint
        if let site {
            let afterFootprint = try Footprint(afterSource.info)
            let afterCorners = try CoordinateTransform.fromLonLat(afterFootprint.corners, to: crsBefore)
            let afterExtent = MapRect(enclosing: afterCorners)
            guard afterExtent.minX < beforeExtent.maxX, afterExtent.maxX > beforeExtent.minX,
                  afterExtent.minY < beforeExtent.maxY, afterExtent.maxY > beforeExtent.minY else {
                throw CompareError.noOverlap(path: after, "the after imagery does not overlap the before imagery (\(before))")
            }
            siteMap = try CoordinateTransform.fromLonLat([site], to: crsBefore)[0]
        } else {
            // Images placed by --gsd share the frame; the site is their centre.
            siteMap = MapPoint(x: (beforeExtent.minX + beforeExtent.maxX) / 2, y: (beforeExtent.minY + beforeExtent.maxY) / 2)
        }
        let siteText = site.map { "\($0.longitude),\($0.latitude)" } ?? "at the images' centre"
        guard let sitePixel = beforeTransform.pixel(siteMap), beforeSource.info.layout.window.contains(
            PixelWindow(x: Int(sitePixel.x.rounded(.down)), y: Int(sitePixel.y.rounded(.down)), width: 1, height: 1)) else {
            throw CompareError.siteOutside(path: before, "the site \(siteText) lies outside the before imagery")
        }
        let siteAfter = reproject?(siteMap) ?? siteMap
        guard let afterPixel = afterSource.info.georeferencing!.transform.pixel(siteAfter), afterSource.info.layout.window.contains(
            PixelWindow(x: Int(afterPixel.x.rounded(.down)), y: Int(afterPixel.y.rounded(.down)), width: 1, height: 1)) else {
            throw CompareError.siteOutside(path: after, "the site \(siteText) lies outside the after imagery")
        }

        // The analysed window: the AOI's bounding box, else a square around the site.
        let region: MapRect
        if let aoiPath {
            let ring = try GeoJSONInput.polygon(aoiPath)
            region = MapRect(enclosing: try CoordinateTransform.fromLonLat(ring, to: crsBefore))
        } else {
            region = MapRect(minX: siteMap.x - radiusMeters, minY: siteMap.y - radiusMeters,
                             maxX: siteMap.x + radiusMeters, maxY: siteMap.y + radiusMeters)
        }
        let corners = [MapPoint(x: region.minX, y: region.minY), MapPoint(x: region.maxX, y: region.maxY),
                       MapPoint(x: region.minX, y: region.maxY), MapPoint(x: region.maxX, y: region.minY)].compactMap(beforeTransform.pixel)
        let x0 = Int(corners.map(\.x).min()!.rounded(.down)), y0 = Int(corners.map(\.y).min()!.rounded(.down))
        let x1 = Int(corners.map(\.x).max()!.rounded(.up)), y1 = Int(corners.map(\.y).max()!.rounded(.up))
        guard let window = PixelWindow(x: x0, y: y0, width: x1 - x0, height: y1 - y0).intersection(beforeSource.info.layout.window) else {
            throw CompareError.siteOutside(path: before, "the area of interest lies outside the before imagery")
        }

        progress.stage("change detection")
        var store: RowStore?
        let result: ChangeResult
        do {
            result = try ChangeDetector(parameters: changeParameters).run(
                openBefore: { CroppedSource(maskedBefore(try open(before)), window: window) },
                openAfter: { maskedAfter(try open(after)) },
                reproject: reproject,
                store: { overlap in
                    let s: RowStore = overlap.pixelCount > 64_000_000 ? try FileRowStore(width: overlap.width, height: overlap.height)
                                                                      : InMemoryRowStore(width: overlap.width, height: overlap.height, fill: ChangeMagnitudeCode.invalid)
                    store = s
                    return s
                },
                pixelSizeMeters: abs(beforeTransform.pixelWidth) * (crsBefore.epsg.flatMap(CRSCatalog.linearUnitMeters) ?? 1),
                progress: { stage, done, total in progress.update(stage, done, total) })
        } catch let error as ChangeAnalysisError {
            switch error.kind {
            case .noOverlap: throw CompareError.noOverlap(path: after, error.message)
            case .notGeoreferenced: throw RasterIOError(.notGeoreferenced, path: after, error.message)
            case .incompatibleBands: throw RasterIOError(.incompatibleInputs, path: after, error.message)
            }
        }

        let siteAnalysis = try SiteAnalysis.run(
            job: self, before: maskedBefore(beforeSource), after: maskedAfter(afterSource), crsBefore: crsBefore, crsAfter: crsAfter,
            siteMap: siteMap, registration: result.registration, progress: progress)

        let cropTransform = beforeTransform.window(window)
        let metrePerUnit = crsBefore.epsg.flatMap(CRSCatalog.linearUnitMeters) ?? 1
        let pixelArea = abs(beforeTransform.pixelWidth * beforeTransform.pixelHeight) * metrePerUnit * metrePerUnit

        let registration = result.registration
        var report = SiteReport(
            title: title ?? "Change report",
            // In the image frame, the report's positions are its metres (SiteReport.PositionFrame).
            site: site ?? GeoPoint(longitude: siteMap.x, latitude: siteMap.y),
            inputs: try [("before", before, beforeSource), ("after", after, afterSource)].map { date, path, source in
                SiteReport.DateInput(date: date, path: path, tiles: try Self.tiles(source), crs: source.info.georeferencing!.crs!.description,
                                     gsdMeters: abs(source.info.georeferencing!.transform.pixelWidth) * metrePerUnit,
                                     size: [source.info.layout.width, source.info.layout.height], acquisition: source.info.acquisitionDate)
            },
            registration: .init(shiftXPixels: registration.shiftX, shiftYPixels: registration.shiftY,
                                shiftEastMeters: registration.shiftX * beforeTransform.pixelWidth * metrePerUnit,
                                shiftNorthMeters: registration.shiftY * beforeTransform.pixelHeight * metrePerUnit,
                                confidence: registration.confidence, residualPixels: registration.residual,
                                status: registration.status.rawValue),
            normalisation: result.normalisation.gains.indices.map { (band: $0 + 1, gain: result.normalisation.gains[$0], offset: result.normalisation.offsets[$0]) },
            change: .init(thresholdMethod: result.thresholdMethod, threshold: result.threshold, validPixels: result.validPixels,
                          changedPixels: result.changedPixels, changedAreaSquareMeters: Double(result.changedPixels) * pixelArea,
                          regions: result.regions.count),
            compound: siteAnalysis.compound, newFences: siteAnalysis.newFences, removedFences: siteAnalysis.removedFences,
            structures: siteAnalysis.structures, claims: siteAnalysis.claims,
            occlusion: siteAnalysis.occlusion + [("nodata_fraction", .double(1 - Double(result.validPixels) / Double(max(1, result.overlap.pixelCount)), decimals: 4))],
            parameters: [("radius_m", .double(radiusMeters, decimals: 1)),
                         ("aoi", aoiPath.map { .string($0) } ?? .null),
                         ("mask_before", maskBeforePath.map { .string($0) } ?? .null),
                         ("mask_after", maskAfterPath.map { .string($0) } ?? .null),
                         ("window_px", .array([window.x, window.y, window.width, window.height].map { .integer($0) })),
                         ("threshold", .string(result.thresholdMethod)),
                         ("no_change_tail_probability", .double(changeParameters.noChangeTailProbability, decimals: 6)),
                         ("averaging_radius_m", .double(changeParameters.averagingRadiusMeters, decimals: 2)),
                         ("morphology", .string("open+close, 3x3")), ("connectivity", .integer(8)),
                         ("min_region_px", .integer(4))],
            softwareVersion: SiteWatch.version,
            run: [("started_at", .string(ISO8601DateFormatter().string(from: started))),
                  ("stages_s", .object(result.timings.keys.sorted().map { ($0, .double(result.timings[$0]!, decimals: 3)) })),
                  ("total_s", .double(Date().timeIntervalSince(started), decimals: 3))],
            method: Self.method + SiteAnalysis.method, limitations: Self.limitationsList + siteAnalysis.limitations)

        if crsBefore.isImageFrame { report.positionFrame = .imageMeters }
        let n = result.normalisation
        report.normalisationFit = [
            ("method", .string(n.method.rawValue)), ("invariant_fraction", .double(n.invariantFraction, decimals: 4)),
            ("invariant_pixels", .integer(n.invariantPixels)), ("sampled_pixels", .integer(n.sampledPixels)),
            ("band_correlations", .array(n.bandCorrelations.map { .double($0, decimals: 4) })),
            ("canonical_correlations", .array(n.canonicalCorrelations.map { .double($0, decimals: 4) })),
            ("iterations", .integer(n.iterations)), ("fallback_reason", n.fallbackReason.map { .string($0) } ?? .null),
        ]

        // Pictures: before, after and change over the analysed window, downsampled.
        progress.stage("pictures")
        // The pictures show the compound with 150 m around it when there is one, else the whole window.
        var focus = window
        if let b = siteAnalysis.perimeters["before"], let a = siteAnalysis.perimeters["after"] {
            let box = b.bounds.union(a.bounds)
            let corners = [MapPoint(x: box.minX - 150, y: box.minY - 150), MapPoint(x: box.maxX + 150, y: box.maxY + 150),
                           MapPoint(x: box.minX - 150, y: box.maxY + 150), MapPoint(x: box.maxX + 150, y: box.minY - 150)]
                .compactMap(beforeTransform.pixel)
            let x0 = Int(corners.map(\.x).min()!.rounded(.down)), y0 = Int(corners.map(\.y).min()!.rounded(.down))
            let x1 = Int(corners.map(\.x).max()!.rounded(.up)), y1 = Int(corners.map(\.y).max()!.rounded(.up))
            focus = PixelWindow(x: x0, y: y0, width: x1 - x0, height: y1 - y0).intersection(window) ?? window
        }
        let pictures = try Pictures(beforeSource: beforeSource, afterSource: afterSource, window: window, focus: focus, result: result,
                                    store: store!, reproject: reproject)
        // The 60 largest change regions are boxed; the rest are in change.tif.
        let largest = result.regions.sorted { $0.component.area > $1.component.area }.prefix(60)
        let regionOverlays: [Picture.Overlay] = largest.map { region in
            let b = region.bounds
            return .init(shape: .polygon([MapPoint(x: b.minX, y: b.minY), MapPoint(x: b.maxX, y: b.minY), MapPoint(x: b.maxX, y: b.maxY),
                                          MapPoint(x: b.minX, y: b.maxY)].map(pictures.beforePixel)), style: "change-region", label: nil)
        }
        let images = [
            Picture(title: "Before", caption: before, png: pictures.before.png, width: pictures.before.width, height: pictures.before.height,
                    overlays: siteAnalysis.overlays(date: "before", toPixel: pictures.beforePixel)),
            Picture(title: "After", caption: after, png: pictures.after.png, width: pictures.after.width, height: pictures.after.height,
                    overlays: siteAnalysis.overlays(date: "after", toPixel: pictures.afterPixel)),
            Picture(title: "Change", caption: "change-vector magnitude after co-registration and IR-MAD normalisation, averaged over \(changeParameters.averagingRadiusMeters) m; boxes: change regions",
                    png: pictures.change.png, width: pictures.change.width, height: pictures.change.height, overlays: regionOverlays),
        ]

        let json = ReportJSON.render(report)
        var files: [(String, [UInt8])] = [
            ("report.json", Array(json.utf8)),
            ("report.md", Array(ReportMarkdown.render(report).utf8)),
            ("report.html", Array(ReportHTML.render(report, pictures: images).utf8)),
        ]
        // GeoJSON is longitude/latitude by definition (RFC 7946): none for the image frame.
        if report.positionFrame == .wgs84 { files.append(("features.geojson", Array(ReportGeoJSON.render(report).utf8))) }
        let summary = siteAnalysis.summary + [
            String(format: "registration: shift (%.3f, %.3f) px, confidence %.2f, residual %.3f px, %@", registration.shiftX,
                   registration.shiftY, registration.confidence, registration.residual, registration.status.rawValue),
            "change: \(result.regions.count) regions, threshold \(result.threshold)",
        ] + result.timings.keys.sorted().map { String(format: "time %@: %.2f s", $0, result.timings[$0]!) }
        let magnitudeStore = store!
        let overlap = result.overlap
        return Outputs(files: files, summary: summary, writeChangeRaster: { path in
            try ChangeRaster.write(store: magnitudeStore, code: result.magnitudeCode, threshold: result.threshold, overlap: overlap,
                                   transform: cropTransform, crs: crsBefore.isImageFrame ? nil : crsBefore, to: path)
        })
    }

    static func tiles(_ source: RasterSource) throws -> [SiteReport.TileInput] {
        let paths = (source as? TileMosaic)?.tiles.map(\.path) ?? [source.info.path]
        return try paths.map { SiteReport.TileInput(path: $0, sha256: try SHA256.hex(fileAt: $0)) }
    }

    static let method = [
        "Both dates are read window by window; the after date is resampled onto the before date's grid (cubic).",
        "Co-registration: translation estimated on gradient magnitude (robust to light, season and radiometry) by normalised cross-correlation and robust Lucas-Kanade refinement over windows spread across the area; applied only when the correlation is strong and consistent.",
        "Radiometric normalisation: IR-MAD (Nielsen 2007) chooses the pixels that did not change by their chi-square probability; per band, an orthogonal regression of before on after over them (it does not shrink where the dates correlate weakly). Where too few pixels are invariant, medians and interquartile ranges are matched instead, and the report says so (normalisation_fit).",
        "Change: per-pixel change-vector magnitude averaged over a box of half-width averaging_radius_m (parameters), thresholded by the rule named in the report (change.threshold_method: Otsu, or Kittler-Illingworth, held above the no-change tail, where unchanged ground passes with probability no_change_tail_probability by the histogram's median and median absolute deviation), cleaned by opening and closing, grouped into 8-connected regions.",
    ]

    static let limitationsList = [
        "Pixel change on imagery like this is dominated by shadows, seasons and view angle; change regions are evidence to inspect, not counts of structures.",
        "Change regions' areas are in the imagery's own CRS units squared; the compound's areas are measured in a locally true CRS (see Method).",
        "Co-registration is a single translation: relief displacement and view-angle lean of tall objects are not modelled.",
    ]
}

/// Errors of the compare job beyond the readers' own, each with its exit code.
enum CompareError: Error, CustomStringConvertible {
    case siteOutside(path: String, String)
    case noOverlap(path: String, String)
    var description: String {
        switch self {
        case .siteOutside(let path, let message), .noOverlap(let path, let message): return "\(path): \(message)"
        }
    }
    var exitCode: Int32 {
        switch self {
        case .siteOutside: return ExitStatus.siteOutside
        case .noOverlap: return ExitStatus.noOverlap
        }
    }
}

/// A PROJ transform shared by threads (PROJ contexts are single-threaded).
final class LockedTransform: @unchecked Sendable {
    private let transform: CoordinateTransform
    private let lock = NSLock()
    init(_ transform: CoordinateTransform) { self.transform = transform }
    func forward(_ p: MapPoint) -> MapPoint { lock.lock(); defer { lock.unlock() }; return transform.forward(p) }
}

/// Lon/lat polygons from GeoJSON (a Polygon, a Feature, or the first polygon of a FeatureCollection).
enum GeoJSONInput {
    static func polygon(_ path: String) throws -> [GeoPoint] {
        guard let first = try polygons(path).first else {
            throw RasterIOError(.malformed, path: path, "no polygon found (expected a GeoJSON Polygon, Feature or FeatureCollection with at least 4 positions)")
        }
        return first
    }

    /// Every polygon's outer ring (Polygon, MultiPolygon, Feature, FeatureCollection), in order.
    static func polygons(_ path: String) throws -> [[GeoPoint]] {
        guard let data = FileManager.default.contents(atPath: path) else { throw RasterIOError(.io, path: path, "cannot read GeoJSON file") }
        guard let json = try? JSONSerialization.jsonObject(with: data) else {
            throw RasterIOError(.malformed, path: path, "not valid JSON (expected GeoJSON polygons)")
        }
        func find(_ object: Any) -> [[[Double]]] {
            guard let dict = object as? [String: Any] else { return [] }
            switch dict["type"] as? String {
            case "Polygon": return (dict["coordinates"] as? [[[Double]]])?.prefix(1).map { $0 } ?? []
            case "MultiPolygon": return (dict["coordinates"] as? [[[[Double]]]])?.compactMap(\.first) ?? []
            case "Feature": return dict["geometry"].map(find) ?? []
            case "FeatureCollection": return (dict["features"] as? [Any])?.flatMap(find) ?? []
            default: return []
            }
        }
        let rings = find(json)
        guard !rings.isEmpty, rings.allSatisfy({ $0.count >= 4 && $0.allSatisfy { $0.count >= 2 } }) else {
            throw RasterIOError(.malformed, path: path, "no polygon found (expected a GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection with rings of at least 4 positions)")
        }
        return try rings.map { ring in
            let points = ring.map { GeoPoint(longitude: $0[0], latitude: $0[1]) }
            guard points.allSatisfy({ (-180...180).contains($0.longitude) && (-90...90).contains($0.latitude) }) else {
                throw RasterIOError(.malformed, path: path, "coordinates are not longitude/latitude in degrees (RFC 7946)")
            }
            return points.first == points.last ? Array(points.dropLast()) : points
        }
    }
}

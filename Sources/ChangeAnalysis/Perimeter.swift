import GeoRaster

/// A compound's security perimeter at one date.
public struct DatePerimeter: Sendable {
    public enum Source: String, Sendable { case extracted, analyst }
    /// Map coordinates of the date's source CRS, counter-clockwise.
    public var polygon: MapPolygon
    /// Plausible inner and outer contours: each fitted fence line moved by its own scatter, so the
    /// area between them is the extraction's spread.
    public var inner: MapPolygon?
    public var outer: MapPolygon?
    /// The stretches of the perimeter hidden by nodata or an invalid-pixel mask (cloud), where the
    /// polygon is a guess (the fence lines on either side extended), and their total length in
    /// metres (map units).
    public var occludedStretches: [MapPolyline]
    public var occludedLengthMeters: Double { occludedStretches.reduce(0) { $0 + $1.length } }
    /// 0-1: the share of the perimeter where a fence signature was actually found.
    public var confidence: Double
    public var source: Source

    public init(polygon: MapPolygon, inner: MapPolygon? = nil, outer: MapPolygon? = nil,
                occludedStretches: [MapPolyline] = [], confidence: Double = 1, source: Source) {
        self.polygon = polygon.counterClockwise
        self.inner = inner?.counterClockwise
        self.outer = outer?.counterClockwise
        self.occludedStretches = occludedStretches
        self.confidence = confidence
        self.source = source
    }

    /// An analyst's polygon, taken as drawn (no spread, full confidence).
    public static func analyst(_ polygon: MapPolygon) -> DatePerimeter {
        DatePerimeter(polygon: polygon, source: .analyst)
    }
}

/// The two dates reconciled.
public struct PerimeterChange: Sendable {
    /// `after` is corrected for misregistration, its unchanged stretches snapped onto `before`.
    public var before: DatePerimeter, after: DatePerimeter
    public var areaBeforeSquareMeters: Double, areaAfterSquareMeters: Double
    public var growthPercent: Double
    /// One standard uncertainty of the growth, in percentage points.
    public var growthUncertaintyPoints: Double
    public var newFences: [MapPolyline], removedFences: [MapPolyline]
    public var newFenceLengthMeters: Double, removedFenceLengthMeters: Double
    /// Length of the after perimeter that coincides with the before one (snapped), metres.
    public var unchangedLengthMeters: Double
    /// The distance within which a stretch counted as unchanged, metres.
    public var snapToleranceMeters: Double
}

/// Tuning of the extraction. Distances are in metres on the ground so that they mean the same at
/// every GSD; defaults come from the fence as the project's imagery shows it (a ~1 m dark line,
/// a bright cleared strip 1-9 m outside it).
public struct PerimeterParameters: Sendable, Hashable {
    /// Half-size of the square read around the site (the documented compound is 1.8 x 1.2 km).
    public var windowRadiusMeters: Double = 1500
    /// The image is box-averaged to about this pixel size: a 1 m fence stays one pixel wide, and a
    /// 0.5 m scene costs a quarter of the work.
    public var workingPixelMeters: Double = 1.0
    /// When the window's median does not give a closed fence line, brightness is taken relative to
    /// the mean of a square this many metres from each pixel (see `PerimeterExtractor.Normalisation`).
    public var normalisationRadiusMeters: Double = 250
    /// Dark features up to about twice this wide count as lines (black top-hat half-size).
    public var lineHalfWidthMeters: Double = 2.0
    /// How far from a line the bright cleared strip must appear.
    public var stripReachMeters: Double = 6.0
    /// Line depth (closing minus image), relative to the window's median brightness.
    public var lineContrast: Float = 0.22
    /// Brightness of the cleared strip, relative to the window's median brightness.
    public var stripBrightness: Float = 1.15
    /// The smallest enclosure taken for the compound (smaller loops are buildings, yards).
    public var minimumAreaSquareMeters: Double = 20_000
    /// Gap-closing dilations tried in turn, metres, until a closed loop encloses the site.
    public var gapClosingMeters: [Double] = [1, 2, 3, 5, 8, 12]
    /// Notches narrower than this (guard posts and their shadows on the line) are closed.
    public var notchWidthMeters: Double = 10
    /// Douglas-Peucker tolerance for the traced enclosure before the sides are fitted.
    public var simplifyMeters: Double = 7
    /// Rows of the source read at once (memory stays bounded by window width x this).
    public var stripRows: Int = 256
    public init() {}
}

public struct PerimeterError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable { case notGeoreferenced, siteOutsideImage, noClosedPerimeter, outlineCrossesItself }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    public var description: String { message }
}

public enum PerimeterAnalysis {
    /// The closed wall/fence line enclosing `site` at one date, found from linear structure in that
    /// image alone (not pixel differences).
    /// - Parameters:
    ///   - aoi: limits the search; pixels outside it act as a barrier.
    ///   - validity: an optional mask on the source's grid (first band, 0 = invalid, e.g. cloud).
    ///   - debug: receives intermediate planes (name, width, height, values) for inspection.
    public static func extract(_ source: PixelSource, site: MapPoint, aoi: MapPolygon? = nil,
                               validity: PixelSource? = nil,
                               parameters: PerimeterParameters = PerimeterParameters(),
                               debug: ((String, Int, Int, [Float]) -> Void)? = nil) throws -> DatePerimeter {
        var extractor = try PerimeterExtractor(source: source, site: site, aoi: aoi, validity: validity,
                                               parameters: parameters, debug: debug)
        return try extractor.run()
    }

    /// Reconciles both dates: shifts the after polygon by `afterShiftMeters` (added to after
    /// coordinates to bring them onto the before date), snaps stretches that did not move onto the
    /// before polygon, and computes areas, growth, its uncertainty and new/removed fence polylines.
    public static func compare(before: DatePerimeter, after: DatePerimeter, afterShiftMeters: MapPoint,
                               registrationResidualMeters: Double, pixelSizeMeters: Double) -> PerimeterChange {
        PerimeterReconciliation.compare(before: before, after: after, afterShiftMeters: afterShiftMeters,
                                        registrationResidualMeters: registrationResidualMeters,
                                        pixelSizeMeters: pixelSizeMeters)
    }

    /// Intersection over union of two simple polygons, exact up to rounding (slab decomposition).
    public static func intersectionOverUnion(_ a: MapPolygon, _ b: MapPolygon) -> Double {
        let i = PolygonOverlay.intersectionArea(a, b)
        let u = a.area + b.area - i
        return u > 0 ? i / u : 0
    }

    /// The area two simple polygons share.
    public static func intersectionArea(_ a: MapPolygon, _ b: MapPolygon) -> Double {
        PolygonOverlay.intersectionArea(a, b)
    }
}

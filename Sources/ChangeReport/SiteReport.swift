import GeoRaster

/// Everything a change report says about a site, in report terms: WGS 84 positions, square metres,
/// percentages. The CLI fills it from the analyses; the renderers turn it into JSON, Markdown,
/// HTML and GeoJSON. Schema: docs/report-schema.md.
public struct SiteReport: Sendable {
    public static let schemaVersion = "1.1"

    public struct TileInput: Sendable { public var path: String; public var sha256: String
        public init(path: String, sha256: String) { self.path = path; self.sha256 = sha256 } }

    public struct DateInput: Sendable {
        public var date: String            // "before" / "after"
        public var path: String
        public var tiles: [TileInput]
        public var crs: String
        public var gsdMeters: Double
        public var size: [Int]
        public var acquisition: String?
        public init(date: String, path: String, tiles: [TileInput], crs: String, gsdMeters: Double, size: [Int], acquisition: String?) {
            self.date = date; self.path = path; self.tiles = tiles; self.crs = crs; self.gsdMeters = gsdMeters
            self.size = size; self.acquisition = acquisition
        }
    }

    public struct Registration: Sendable {
        public var shiftXPixels: Double, shiftYPixels: Double
        public var shiftEastMeters: Double, shiftNorthMeters: Double
        public var confidence: Double, residualPixels: Double
        public var status: String
        public init(shiftXPixels: Double, shiftYPixels: Double, shiftEastMeters: Double, shiftNorthMeters: Double,
                    confidence: Double, residualPixels: Double, status: String) {
            self.shiftXPixels = shiftXPixels; self.shiftYPixels = shiftYPixels; self.shiftEastMeters = shiftEastMeters
            self.shiftNorthMeters = shiftNorthMeters; self.confidence = confidence; self.residualPixels = residualPixels; self.status = status
        }
    }

    public struct Outline: Sendable {
        public var areaSquareMeters: Double
        public var ring: [GeoPoint]
        public var source: String          // "extracted" / "analyst"
        public init(areaSquareMeters: Double, ring: [GeoPoint], source: String) {
            self.areaSquareMeters = areaSquareMeters; self.ring = ring; self.source = source
        }
    }

    public struct Compound: Sendable {
        public var before: Outline, after: Outline
        public var growthPercent: Double, growthUncertaintyPoints: Double
        /// IoU of analyst polygon and extraction, per date, where both exist.
        public var analystIoU: [String: Double]
        public init(before: Outline, after: Outline, growthPercent: Double, growthUncertaintyPoints: Double, analystIoU: [String: Double]) {
            self.before = before; self.after = after; self.growthPercent = growthPercent
            self.growthUncertaintyPoints = growthUncertaintyPoints; self.analystIoU = analystIoU
        }
    }

    public struct Line: Sendable {
        public var lengthMeters: Double
        public var points: [GeoPoint]
        public init(lengthMeters: Double, points: [GeoPoint]) { self.lengthMeters = lengthMeters; self.points = points }
    }

    public struct Structure: Sendable {
        public var id: String
        public var kind: String            // "guard_post" / "building"
        public var position: GeoPoint
        public var areaSquareMeters: Double
        public var confidence: Double
        public var footprint: [GeoPoint]
        /// Class-specific facts: "on_new_fence", "in_eastern_part", "inside_compound".
        public var facts: [(String, JSONValue)]
        public init(id: String, kind: String, position: GeoPoint, areaSquareMeters: Double, confidence: Double,
                    footprint: [GeoPoint], facts: [(String, JSONValue)]) {
            self.id = id; self.kind = kind; self.position = position; self.areaSquareMeters = areaSquareMeters
            self.confidence = confidence; self.footprint = footprint; self.facts = facts
        }
    }

    public struct Structures: Sendable {
        public var newGuardPosts: [Structure] = []
        public var newBuildings: [Structure] = []
        public var removedGuardPosts: [Structure] = []
        public var removedBuildings: [Structure] = []
        public var outsideCompound: [Structure] = []
        /// Plain sentences ("7 of 8 new buildings are in the eastern part of the new perimeter").
        public var summary: [String] = []
        public init() {}
    }

    public struct ChangeSummary: Sendable {
        public var thresholdMethod: String
        public var threshold: Double
        public var validPixels: Int, changedPixels: Int
        public var changedAreaSquareMeters: Double
        public var regions: Int
        public init(thresholdMethod: String, threshold: Double, validPixels: Int, changedPixels: Int, changedAreaSquareMeters: Double, regions: Int) {
            self.thresholdMethod = thresholdMethod; self.threshold = threshold; self.validPixels = validPixels
            self.changedPixels = changedPixels; self.changedAreaSquareMeters = changedAreaSquareMeters; self.regions = regions
        }
    }

    public struct ClaimRow: Sendable {
        public var id: String, text: String, documented: String, measured: String, uncertainty: String, verdict: String, reason: String
        public var warning: String?
        public init(id: String, text: String, documented: String, measured: String, uncertainty: String, verdict: String, reason: String, warning: String?) {
            self.id = id; self.text = text; self.documented = documented; self.measured = measured
            self.uncertainty = uncertainty; self.verdict = verdict; self.reason = reason; self.warning = warning
        }
    }

    /// What the report's positions are: longitude and latitude (WGS 84), or, for imagery placed
    /// only by a ground sample distance, metres in the image frame (x right, y up from the
    /// bottom-left corner), which has no position on the earth.
    public enum PositionFrame: String, Sendable {
        case wgs84 = "wgs84_lon_lat"
        case imageMeters = "image_frame_m"
    }

    public var title: String
    /// The site, and every position below, in `positionFrame`'s terms.
    public var site: GeoPoint
    public var positionFrame: PositionFrame = .wgs84
    /// How the after date was normalised onto the before date (method, invariant pixels, each
    /// band's correlation on them, why a fallback was used).
    public var normalisationFit: [(String, JSONValue)] = []
    public var inputs: [DateInput]
    public var registration: Registration
    public var normalisation: [(band: Int, gain: Double, offset: Double)]
    public var change: ChangeSummary
    public var compound: Compound?
    public var newFences: [Line]
    public var removedFences: [Line]
    public var structures: Structures?
    public var claims: [ClaimRow]
    public var occlusion: [(String, JSONValue)]
    public var parameters: [(String, JSONValue)]
    public var softwareVersion: String
    /// The one field that differs between runs of the same inputs: when it ran and how long each
    /// stage took.
    public var run: [(String, JSONValue)]
    public var method: [String]
    public var limitations: [String]

    public init(title: String, site: GeoPoint, inputs: [DateInput], registration: Registration,
                normalisation: [(band: Int, gain: Double, offset: Double)], change: ChangeSummary, compound: Compound?,
                newFences: [Line], removedFences: [Line], structures: Structures?, claims: [ClaimRow],
                occlusion: [(String, JSONValue)], parameters: [(String, JSONValue)], softwareVersion: String,
                run: [(String, JSONValue)], method: [String], limitations: [String]) {
        self.title = title; self.site = site; self.inputs = inputs; self.registration = registration
        self.normalisation = normalisation; self.change = change; self.compound = compound; self.newFences = newFences
        self.removedFences = removedFences; self.structures = structures; self.claims = claims; self.occlusion = occlusion
        self.parameters = parameters; self.softwareVersion = softwareVersion; self.run = run; self.method = method
        self.limitations = limitations
    }
}

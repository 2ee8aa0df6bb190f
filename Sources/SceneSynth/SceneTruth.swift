import RealModule
import GeoRaster

/// A structure on the ground: a guard post, a building in the compound, or a house outside it.
public struct Structure: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable { case guardPost = "guard_post", building, house }
    public var id: String
    public var kind: Kind
    public var center: MapPoint
    /// Footprint edges, metres, before rotation.
    public var width: Double
    public var length: Double
    /// Counter-clockwise rotation of the footprint, degrees.
    public var rotationDegrees: Double
    public var heightMeters: Double
    /// Roof colour as reflectance 0-1 (red, green, blue, near infrared).
    public var roof: [Double]

    public var footprint: MapPolygon {
        let a = rotationDegrees * .pi / 180
        let (c, s) = (cosine(a), sine(a))
        let corners = [(-width / 2, -length / 2), (width / 2, -length / 2), (width / 2, length / 2), (-width / 2, length / 2)]
        return MapPolygon(corners.map { MapPoint(x: center.x + $0.0 * c - $0.1 * s, y: center.y + $0.0 * s + $0.1 * c) })
    }
    public var areaSquareMeters: Double { width * length }

    private enum CodingKeys: String, CodingKey {
        case id, kind, center, width, length, rotationDegrees, heightMeters, roof, footprint, areaSquareMeters
    }

    public init(id: String, kind: Kind, center: MapPoint, width: Double, length: Double, rotationDegrees: Double,
                heightMeters: Double, roof: [Double]) {
        self.id = id; self.kind = kind; self.center = center; self.width = width; self.length = length
        self.rotationDegrees = rotationDegrees; self.heightMeters = heightMeters; self.roof = roof
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(String.self, forKey: .id), kind: try c.decode(Kind.self, forKey: .kind),
                  center: try c.decode(MapPoint.self, forKey: .center), width: try c.decode(Double.self, forKey: .width),
                  length: try c.decode(Double.self, forKey: .length), rotationDegrees: try c.decode(Double.self, forKey: .rotationDegrees),
                  heightMeters: try c.decode(Double.self, forKey: .heightMeters), roof: try c.decode([Double].self, forKey: .roof))
    }

    /// Writes the footprint polygon and area too, so readers of truth.json need no geometry code.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(kind, forKey: .kind); try c.encode(center, forKey: .center)
        try c.encode(width, forKey: .width); try c.encode(length, forKey: .length)
        try c.encode(rotationDegrees, forKey: .rotationDegrees); try c.encode(heightMeters, forKey: .heightMeters)
        try c.encode(roof, forKey: .roof); try c.encode(footprint, forKey: .footprint)
        try c.encode(areaSquareMeters, forKey: .areaSquareMeters)
    }
}

/// Lighting, viewing and radiometry of one date.
public struct DateConditions: Sendable, Codable, Hashable {
    public enum Season: String, Sendable, Codable { case spring, summer, autumn, winter }
    public var season: Season
    public var sunAzimuthDegrees: Double
    public var sunElevationDegrees: Double
    /// Direction from the scene towards the satellite, and its angle from the vertical.
    public var viewAzimuthDegrees: Double
    public var viewOffNadirDegrees: Double
    /// Per band (R, G, B, NIR) gain and offset applied to reflectance.
    public var gains: [Double]
    public var offsets: [Double]
    /// Noise standard deviation in reflectance units.
    public var noise: Double
    /// Blur radius in pixels (0: none).
    public var blurPixels: Double
    /// 0-1: how much atmospheric haze veils the scene.
    public var haze: Double
    /// Where a cloud's shadow falls relative to the cloud, metres east and north: away from the sun,
    /// for clouds about 1.5 km up.
    public var cloudShadowOffset: MapPoint {
        let az = sunAzimuthDegrees * .pi / 180, reach = 1500 / Double.tan(sunElevationDegrees * .pi / 180)
        return MapPoint(x: -Double.sin(az) * reach, y: -Double.cos(az) * reach)
    }
    /// The date the scene stands for, ISO 8601: the before date in the summer of 2009, before the
    /// documented 2010 expansion; the after date in its season after it (written to the tiles as
    /// TIFF DateTime, so reports show it).
    public var acquisitionDate: String {
        switch season {
        case .summer: return "2009-07-14"
        case .spring: return "2012-04-22"
        case .autumn: return "2012-10-09"
        case .winter: return "2013-01-17"
        }
    }
}

/// The exact truth of a generated scene, in the scene's CRS (metres).
public struct SceneTruth: Sendable, Codable {
    public struct Grid: Sendable, Codable, Hashable {
        public var geotransform: [Double]
        public var width: Int
        public var height: Int
        public var gsdMeters: Double
    }
    public struct Compound: Sendable, Codable {
        public var polygon: MapPolygon
        public var areaSquareMeters: Double
    }
    public struct Fence: Sendable, Codable {
        public var line: MapPolyline
        public var lengthMeters: Double
    }
    public struct Cloud: Sendable, Codable {
        public var center: MapPoint
        public var radiiMeters: [Double]
        public var outline: MapPolygon
    }
    public struct Misregistration: Sendable, Codable {
        /// The after image's content is displaced by this much, metres east and north.
        public var eastMeters: Double
        public var northMeters: Double
        /// The same in after pixels (x right, y down).
        public var xPixels: Double
        public var yPixels: Double
    }

    public var schemaVersion = 1
    public var options: SceneOptions
    public var crs: String
    public var epsg: Int
    public var grids: [String: Grid]
    public var site: GeoPoint
    public var siteMap: MapPoint
    public var compoundBefore: Compound
    public var compoundAfter: Compound
    public var growthPercent: Double
    public var newFences: [Fence]
    public var removedFences: [Fence]
    public var newFenceLengthMeters: Double
    public var removedFenceLengthMeters: Double
    public var guardPostsBefore: [Structure]
    public var guardPostsAfter: [Structure]
    public var newGuardPostIDs: [String]
    public var removedGuardPostIDs: [String]
    /// New posts standing within 10 m of a new fence line.
    public var newGuardPostsOnNewFence: Int
    public var buildingsBefore: [Structure]
    public var buildingsAfter: [Structure]
    public var newBuildingIDs: [String]
    public var removedBuildingIDs: [String]
    /// Buildings present at both dates whose roof changed colour (not new structures).
    public var reroofedBuildingIDs: [String]
    /// Structures outside the compound: houses at both dates, and new ones at the after date that
    /// must never be counted as the site's.
    public var housesBefore: [Structure]
    public var housesAfter: [Structure]
    public var distractorIDs: [String]
    public var conditions: [String: DateConditions]
    public var misregistration: Misregistration
    public var clouds: [String: [Cloud]]
    /// Per date, the outlines of the clouds' shadows on the ground (each cloud's outline moved by the
    /// date's `cloudShadowOffset`): what a vendor's cloud mask marks as cloud shadow.
    public var cloudShadows: [String: [MapPolygon]]
    /// Length of each date's perimeter hidden under cloud or cloud shadow.
    public var occludedPerimeterMeters: [String: Double]
    /// The inner walled complex (unchanged between the dates).
    public var innerWall: MapPolygon
}

@inline(__always) func sine(_ x: Double) -> Double { Double.sin(x) }
@inline(__always) func cosine(_ x: Double) -> Double { Double.cos(x) }

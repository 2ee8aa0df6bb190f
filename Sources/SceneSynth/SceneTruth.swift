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
    /// Length of each date's perimeter hidden under cloud.
    public var occludedPerimeterMeters: [String: Double]
    /// The inner walled complex (unchanged between the dates).
    public var innerWall: MapPolygon
}

@inline(__always) func sine(_ x: Double) -> Double { Double.sin(x) }
@inline(__always) func cosine(_ x: Double) -> Double { Double.cos(x) }

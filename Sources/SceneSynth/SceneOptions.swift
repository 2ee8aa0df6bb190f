import GeoRaster

/// What scene to generate. Every choice that changes the scene is here, so the options and the
/// seed reproduce it exactly.
public struct SceneOptions: Sendable, Codable, Hashable {
    public enum Scenario: String, Sendable, Codable, CaseIterable {
        /// The documented change at Kwan-li-so No. 25: the compound grows, new fence, new posts,
        /// new buildings in the eastern part of the new perimeter.
        case camp25
        /// The same compound at both dates; only seasons, light, view and distractors change.
        case nochange
    }

    public enum Shape: String, Sendable, Codable, CaseIterable {
        case rectangle, rotated, lShaped = "l-shaped", irregular
    }

    /// The samples written: 8-bit RGB, or 11-bit RGB + near infrared in 16-bit samples.
    public enum SampleFormat: String, Sendable, Codable, CaseIterable {
        case rgb8, rgbn16
        public var bandCount: Int { self == .rgb8 ? 3 : 4 }
        public var pixelType: PixelType { self == .rgb8 ? .uint8 : .uint16 }
        public var maximum: Float { self == .rgb8 ? 255 : 2047 }
    }

    public var scenario: Scenario
    public var seed: UInt64
    public var shape: Shape
    /// The enclosed area before and after, m². camp25: 580,000 -> 1,000,000 (+72.4 %).
    public var areaBeforeSquareMeters: Double
    public var areaAfterSquareMeters: Double
    public var newGuardPosts: Int
    /// nil: 6...10 drawn from the seed.
    public var newBuildings: Int?
    public var removedBuildings: Int
    /// Ground sample distance of each date, metres.
    public var gsdBeforeMeters: Double
    public var gsdAfterMeters: Double
    /// Offset of the after grid's origin, in after pixels (grids seldom share an origin).
    public var afterGridOffsetPixels: [Double]
    /// Misregistration of the after date, metres east and north (the image content is displaced).
    /// nil: drawn from the seed, 1-3 pixels in a random direction.
    public var misregistrationMeters: [Double]?
    /// Fraction of each date covered by cloud, 0...0.5.
    public var cloudCoverBefore: Double
    public var cloudCoverAfter: Double
    public var sampleFormat: SampleFormat
    /// Edge of the square scene, metres.
    public var sceneSizeMeters: Double
    /// The site: WGS 84 position and its map position in the scene's CRS.
    public var site: GeoPoint
    public var siteMap: MapPoint
    public var epsg: Int

    public init(scenario: Scenario = .camp25, seed: UInt64 = 1, shape: Shape = .rectangle,
                areaBeforeSquareMeters: Double = 580_000, areaAfterSquareMeters: Double? = nil,
                newGuardPosts: Int = 17, newBuildings: Int? = nil, removedBuildings: Int? = nil,
                gsdBeforeMeters: Double = 0.5, gsdAfterMeters: Double? = nil, afterGridOffsetPixels: [Double] = [0.37, 0.61],
                misregistrationMeters: [Double]? = nil, cloudCoverBefore: Double = 0, cloudCoverAfter: Double = 0,
                sampleFormat: SampleFormat = .rgb8, sceneSizeMeters: Double = 2000,
                site: GeoPoint = GeoPoint(longitude: 129.725280, latitude: 41.834384),
                siteMap: MapPoint = MapPoint(x: 560_221.64, y: 4_631_642.57), epsg: Int = 32652) {
        self.scenario = scenario
        self.seed = seed
        self.shape = shape
        self.areaBeforeSquareMeters = areaBeforeSquareMeters
        let growing = scenario == .camp25
        self.areaAfterSquareMeters = growing ? (areaAfterSquareMeters ?? 1_000_000) : areaBeforeSquareMeters
        self.newGuardPosts = growing ? newGuardPosts : 0
        self.newBuildings = growing ? newBuildings : 0
        self.removedBuildings = growing ? (removedBuildings ?? 1) : 0
        self.gsdBeforeMeters = gsdBeforeMeters
        self.gsdAfterMeters = gsdAfterMeters ?? gsdBeforeMeters
        self.afterGridOffsetPixels = afterGridOffsetPixels
        self.misregistrationMeters = misregistrationMeters
        self.cloudCoverBefore = cloudCoverBefore
        self.cloudCoverAfter = cloudCoverAfter
        self.sampleFormat = sampleFormat
        self.sceneSizeMeters = sceneSizeMeters
        self.site = site
        self.siteMap = siteMap
        self.epsg = epsg
    }

    /// Why options cannot make a scene, or nil.
    public var problem: String? {
        if areaBeforeSquareMeters < 10_000 { return "the compound must enclose at least 10,000 m²" }
        if scenario == .camp25 && areaAfterSquareMeters <= areaBeforeSquareMeters { return "camp25 needs the area after to exceed the area before" }
        if areaAfterSquareMeters > 0.45 * sceneSizeMeters * sceneSizeMeters { return "the compound after (\(areaAfterSquareMeters) m²) does not fit a \(sceneSizeMeters) m scene" }
        if !(0.25...4).contains(gsdBeforeMeters) || !(0.25...4).contains(gsdAfterMeters) { return "GSD must be 0.25-4 m" }
        if !(0...0.5).contains(cloudCoverBefore) || !(0...0.5).contains(cloudCoverAfter) { return "cloud cover must be 0-0.5" }
        if newGuardPosts < 0 || newGuardPosts > 60 { return "new guard posts must be 0-60" }
        if let n = newBuildings, n < 0 || n > 30 { return "new buildings must be 0-30" }
        return nil
    }
}

import GeoRaster

/// A structure found in one date's image: a guard post or a building, with its footprint in map
/// coordinates (the caster of the shadow, not the shadow).
public struct DetectedStructure: Sendable, Hashable {
    public enum Kind: String, Sendable, Codable { case guardPost = "guard_post", building }
    public var kind: Kind
    /// Footprint centre: for buildings the centre of roof and walls (half the lean remains, at most
    /// a few metres); for posts the shadow's centre moved back towards the sun.
    public var center: MapPoint
    public var footprint: MapPolygon
    public var areaSquareMeters: Double
    /// 0-1: how clearly the object shows a structure's signature (a compact body and a dark shadow).
    public var confidence: Double
    /// Area of the dark cast shadow seen with it, m²: the evidence that it stands up from the ground.
    public var shadowAreaSquareMeters: Double

    public init(kind: Kind, center: MapPoint, footprint: MapPolygon, areaSquareMeters: Double, confidence: Double,
                shadowAreaSquareMeters: Double = 0) {
        self.kind = kind; self.center = center; self.footprint = footprint
        self.areaSquareMeters = areaSquareMeters; self.confidence = confidence
        self.shadowAreaSquareMeters = shadowAreaSquareMeters
    }
}

/// A structure candidate of one date.
public struct StructureCandidate: Sendable, Hashable {
    public var structure: DetectedStructure
    /// Clear enough to count on its own; a weak candidate only confirms a clear one of the other
    /// date (see `StructureAnalysis.match`).
    public var isStrong: Bool
    public init(structure: DetectedStructure, isStrong: Bool) { self.structure = structure; self.isStrong = isStrong }
}

/// A structure seen at both dates.
public struct StructurePair: Sendable, Hashable {
    public var before: DetectedStructure
    public var after: DetectedStructure
    /// Distance between the two centres after removing the dates' misregistration, metres.
    public var distanceMeters: Double
}

/// Structures classified by comparing the two dates' detections.
public struct StructureChange: Sendable {
    /// Seen after only.
    public var new: [DetectedStructure]
    /// Seen before only.
    public var removed: [DetectedStructure]
    public var unchanged: [StructurePair]

    public init(new: [DetectedStructure], removed: [DetectedStructure], unchanged: [StructurePair]) {
        self.new = new; self.removed = removed; self.unchanged = unchanged
    }

    /// Both changes together (e.g. buildings and guard posts, each matched its own way).
    public static func + (a: StructureChange, b: StructureChange) -> StructureChange {
        StructureChange(new: a.new + b.new, removed: a.removed + b.removed, unchanged: a.unchanged + b.unchanged)
    }
}

/// A coordinate reference system. Most imagery names an EPSG code; a CRS that no EPSG code
/// matches keeps its definition (WKT or a description of its GeoKeys) so it can still be reported.
public struct CRS: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The EPSG code, or nil for a CRS that matches none.
    public var epsg: Int?
    /// A definition PROJ understands (WKT, PROJ string), or a human description when none exists.
    public var definition: String?

    public init(epsg: Int) { self.epsg = epsg; self.definition = nil }
    public init(epsg: Int?, definition: String?) { self.epsg = epsg; self.definition = definition }

    public static let wgs84 = CRS(epsg: 4326)

    /// The frame of an image placed only by its ground sample distance (`LocalFrameSource`): metres
    /// from the image's bottom-left corner, x right, y up. Locally true by assumption, and with no
    /// position on the earth: nothing converts it to or from longitude and latitude.
    public static let imageFrame = CRS(epsg: nil, definition: "image frame: metres from the bottom-left corner at the given ground sample distance, no position on the earth")
    public var isImageFrame: Bool { self == .imageFrame }

    /// WGS 84 / UTM zone for a position: 326zz north of the equator, 327zz south of it.
    public static func utm(for point: GeoPoint) -> CRS {
        CRS(epsg: utmZone(longitude: point.longitude) + (point.latitude >= 0 ? 32600 : 32700))
    }

    /// The UTM zone number, 1...60 (the Norway and Svalbard exceptions are deliberately not applied:
    /// SiteWatch only needs a locally true metric CRS).
    public static func utmZone(longitude: Double) -> Int {
        var lon = longitude.truncatingRemainder(dividingBy: 360)
        if lon >= 180 { lon -= 360 }
        if lon < -180 { lon += 360 }
        return min(60, max(1, Int(((lon + 180) / 6).rounded(.down)) + 1))
    }

    /// The text PROJ takes: the definition where there is one (it may refine the code, e.g. with
    /// another linear unit), else "EPSG:n".
    public var projDefinition: String? {
        definition ?? epsg.map { "EPSG:\($0)" }
    }

    public var description: String {
        if let epsg { return "EPSG:\(epsg)" }
        if isImageFrame { return "image frame (no georeferencing; metres from the bottom-left corner)" }
        return definition.map { "custom (\($0.prefix(60)))" } ?? "unknown"
    }
}

/// Where a raster sits on the earth.
public struct Georeferencing: Hashable, Sendable, Codable {
    public var transform: GeoTransform
    /// nil when the file places the pixels but does not say in which CRS.
    public var crs: CRS?
    public init(transform: GeoTransform, crs: CRS?) { self.transform = transform; self.crs = crs }
}

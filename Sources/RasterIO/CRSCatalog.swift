import CRasterShims
import GeoRaster

/// What PROJ's database knows about CRSs.
public enum CRSCatalog {
    /// An EPSG code for a CRS definition (WKT, PROJ string, "EPSG:n"), or nil if none matches.
    /// A deprecated "EPSG:n" becomes its successor, as GDAL reports it; an identified definition
    /// keeps the code it matched. A definition whose best match is another authority's (ESRI,
    /// IGNF) has no EPSG code.
    public static func identifyEPSG(_ definition: String) -> Int? {
        var message = ShimMessage()
        // 70: PROJ's "equivalent, names differ": the definitions GeoKeys and .prj files give carry
        // no or non-EPSG names.
        let code = message.withBuffer { sw_proj_identify_epsg(definition, 70, $0) }
        return code > 0 ? Int(code) : nil
    }

    /// Whether PROJ can parse a CRS definition at all.
    public static func isValidDefinition(_ definition: String) -> Bool {
        var message = ShimMessage()
        return message.withBuffer { sw_proj_identify_epsg(definition, 100, $0) } >= 0
    }

    /// ESRI-dialect WKT for an EPSG CRS, or nil if PROJ does not know the code.
    public static func wkt(epsg: Int) -> String? {
        var buffer = [CChar](repeating: 0, count: 16384)
        guard sw_proj_epsg_wkt(Int32(epsg), &buffer, buffer.count) == 1 else { return nil }
        return String(cString: buffer)
    }

    /// WKT of a projected EPSG CRS whose coordinates are in another linear unit.
    static func wkt(epsg: Int, linearUnit name: String, metres: Double) -> String? {
        var buffer = [CChar](repeating: 0, count: 16384)
        guard sw_proj_epsg_with_linear_unit(Int32(epsg), name, metres, &buffer, buffer.count) == 1 else { return nil }
        return String(cString: buffer)
    }

    public enum Kind: String, Sendable { case geographic, projected, other }

    /// The CRS's name and kind, or nil if PROJ does not know the code.
    public static func describe(epsg: Int) -> (name: String, kind: Kind)? {
        var message = ShimMessage()
        let kind = message.withBuffer { sw_proj_describe_epsg(Int32(epsg), $0) }
        switch kind {
        case 1: return (message.text, .geographic)
        case 2: return (message.text, .projected)
        case 3: return (message.text, .other)
        default: return nil
        }
    }

    /// The size of a projected CRS's linear unit in metres (1 for metres), nil if not projected.
    public static func linearUnitMeters(epsg: Int) -> Double? {
        let factor = sw_proj_linear_unit_meters(Int32(epsg))
        return factor > 0 ? factor : nil
    }
}

/// A transformation between two CRSs through PROJ, x = easting/longitude, y = northing/latitude.
/// Not thread-safe (it owns a PROJ context): create one per thread.
public final class CoordinateTransform {
    public let source: CRS
    public let target: CRS
    private let handle: OpaquePointer

    public init(from source: CRS, to target: CRS) throws {
        guard let s = source.projDefinition, let t = target.projDefinition else {
            throw RasterIOError(.unsupported, path: "\(source) -> \(target)", "a CRS without a PROJ definition cannot be transformed")
        }
        var message = ShimMessage()
        guard let handle = message.withBuffer({ sw_proj_create(s, t, $0) }) else {
            throw RasterIOError(.unsupported, path: "\(source) -> \(target)", "PROJ cannot transform between these CRSs",
                                cause: message.text)
        }
        self.source = source
        self.target = target
        self.handle = handle
    }

    deinit { sw_proj_destroy(handle) }

    /// Transforms points; a point PROJ cannot transform becomes (inf, inf).
    public func forward(_ points: [MapPoint]) -> [MapPoint] { run(points, inverse: 0) }
    public func inverse(_ points: [MapPoint]) -> [MapPoint] { run(points, inverse: 1) }

    public func forward(_ point: MapPoint) -> MapPoint { forward([point])[0] }
    public func inverse(_ point: MapPoint) -> MapPoint { inverse([point])[0] }

    private func run(_ points: [MapPoint], inverse: Int32) -> [MapPoint] {
        var xs = points.map(\.x), ys = points.map(\.y)
        _ = sw_proj_transform(handle, inverse, &xs, &ys, points.count)
        return zip(xs, ys).map { MapPoint(x: $0, y: $1) }
    }

    /// Map coordinates in `crs` to WGS 84 longitude/latitude.
    public static func toLonLat(_ points: [MapPoint], from crs: CRS) throws -> [GeoPoint] {
        if crs.epsg == 4326 { return points.map { GeoPoint(longitude: $0.x, latitude: $0.y) } }
        return try CoordinateTransform(from: crs, to: .wgs84).forward(points).map { GeoPoint(longitude: $0.x, latitude: $0.y) }
    }

    /// WGS 84 longitude/latitude to map coordinates in `crs`.
    public static func fromLonLat(_ points: [GeoPoint], to crs: CRS) throws -> [MapPoint] {
        let p = points.map { MapPoint(x: $0.longitude, y: $0.latitude) }
        if crs.epsg == 4326 { return p }
        return try CoordinateTransform(from: .wgs84, to: crs).forward(p)
    }
}

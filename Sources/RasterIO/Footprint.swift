import GeoRaster

/// Where a raster lies on the earth: its corners in WGS 84 longitude/latitude.
public struct Footprint: Sendable, Hashable {
    public var upperLeft: GeoPoint
    public var lowerLeft: GeoPoint
    public var upperRight: GeoPoint
    public var lowerRight: GeoPoint
    public var center: GeoPoint

    public var corners: [GeoPoint] { [upperLeft, lowerLeft, upperRight, lowerRight] }

    /// The bounding box in degrees: min longitude, min latitude, max longitude, max latitude.
    public var boundingBox: [Double] {
        [corners.map(\.longitude).min()!, corners.map(\.latitude).min()!,
         corners.map(\.longitude).max()!, corners.map(\.latitude).max()!]
    }

    /// Places a raster on the earth. Throws `notGeoreferenced` without a transform or CRS, and
    /// `malformed` when the CRS cannot convert its corners (outside the projection's domain, or a
    /// projection PROJ cannot invert): such a raster cannot be measured.
    public init(_ info: RasterInfo) throws {
        guard let geo = info.georeferencing else {
            throw RasterIOError(.notGeoreferenced, path: info.path, "raster has no georeferencing (no transform)")
        }
        guard let crs = geo.crs else {
            throw RasterIOError(.notGeoreferenced, path: info.path, "raster has a transform but no CRS")
        }
        let w = Double(info.layout.width), h = Double(info.layout.height)
        let pixels = [PixelPoint(x: 0, y: 0), PixelPoint(x: 0, y: h), PixelPoint(x: w, y: 0),
                      PixelPoint(x: w, y: h), PixelPoint(x: w / 2, y: h / 2)]
        let map = pixels.map(geo.transform.map)
        let lonLat: [GeoPoint]
        do {
            lonLat = try CoordinateTransform.toLonLat(map, from: crs)
        } catch let error as RasterIOError {
            throw RasterIOError(.malformed, path: info.path, "its CRS (\(crs)) cannot be converted to longitude/latitude",
                                cause: error.cause ?? error.message)
        }
        for (point, corner) in zip(lonLat, map) where !(point.longitude.isFinite && point.latitude.isFinite) {
            throw RasterIOError(.malformed, path: info.path,
                                "corner (\(corner.x), \(corner.y)) lies outside the domain of its CRS (\(crs)): it cannot be placed on the earth")
        }
        (upperLeft, lowerLeft, upperRight, lowerRight, center) = (lonLat[0], lonLat[1], lonLat[2], lonLat[3], lonLat[4])
    }
}

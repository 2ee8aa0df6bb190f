/// The affine map from pixel space to map space, in GDAL's convention: the origin is the corner of
/// the top-left pixel.
///
///     mapX = originX + x * pixelWidth  + y * rowRotation
///     mapY = originY + x * columnRotation + y * pixelHeight
public struct GeoTransform: Hashable, Sendable, Codable {
    public var originX: Double
    public var pixelWidth: Double
    public var rowRotation: Double
    public var originY: Double
    public var columnRotation: Double
    /// Negative for north-up imagery.
    public var pixelHeight: Double

    /// From GDAL's six numbers: origin x, pixel width, row rotation, origin y, column rotation,
    /// pixel height.
    public init(gdalOrder c: [Double]) {
        precondition(c.count == 6, "a GDAL geotransform has 6 coefficients, got \(c.count)")
        originX = c[0]; pixelWidth = c[1]; rowRotation = c[2]
        originY = c[3]; columnRotation = c[4]; pixelHeight = c[5]
    }

    /// From a world file's six lines: A (pixel width), D (column rotation), B (row rotation),
    /// E (pixel height), C, F. A world file gives the *centre* of the top-left pixel, so the
    /// corner is half a pixel up and to the left.
    public init(worldFile w: [Double]) {
        precondition(w.count == 6, "a world file has 6 numbers, got \(w.count)")
        let (a, d, b, e, c, f) = (w[0], w[1], w[2], w[3], w[4], w[5])
        self.init(gdalOrder: [c - 0.5 * a - 0.5 * b, a, b, f - 0.5 * d - 0.5 * e, d, e])
    }

    /// A north-up transform with square or rectangular pixels.
    public init(originX: Double, originY: Double, pixelWidth: Double, pixelHeight: Double) {
        self.init(gdalOrder: [originX, pixelWidth, 0, originY, 0, pixelHeight])
    }

    public var gdalOrder: [Double] { [originX, pixelWidth, rowRotation, originY, columnRotation, pixelHeight] }

    /// The six world-file numbers (A, D, B, E, C, F), C/F at the centre of the top-left pixel.
    public var worldFileOrder: [Double] {
        let centre = map(PixelPoint(x: 0.5, y: 0.5))
        return [pixelWidth, columnRotation, rowRotation, pixelHeight, centre.x, centre.y]
    }

    public var isNorthUp: Bool { rowRotation == 0 && columnRotation == 0 }

    public func map(_ p: PixelPoint) -> MapPoint {
        MapPoint(x: originX + p.x * pixelWidth + p.y * rowRotation,
                 y: originY + p.x * columnRotation + p.y * pixelHeight)
    }

    /// The inverse map, or nil if the transform is singular.
    public func pixel(_ m: MapPoint) -> PixelPoint? {
        let det = pixelWidth * pixelHeight - rowRotation * columnRotation
        guard det != 0, det.isFinite else { return nil }
        let dx = m.x - originX, dy = m.y - originY
        return PixelPoint(x: (dx * pixelHeight - dy * rowRotation) / det,
                          y: (dy * pixelWidth - dx * columnRotation) / det)
    }

    /// The map-space extent of a width x height raster (all four corners, so rotation is covered).
    public func extent(width: Int, height: Int) -> MapRect {
        let corners = [PixelPoint(x: 0, y: 0), PixelPoint(x: Double(width), y: 0),
                       PixelPoint(x: 0, y: Double(height)), PixelPoint(x: Double(width), y: Double(height))]
        return MapRect(enclosing: corners.map(map))
    }

    /// The transform of a window of this raster.
    public func window(_ w: PixelWindow) -> GeoTransform {
        let origin = map(PixelPoint(x: Double(w.x), y: Double(w.y)))
        return GeoTransform(gdalOrder: [origin.x, pixelWidth, rowRotation, origin.y, columnRotation, pixelHeight])
    }

    /// The transform of this raster resampled by an integer factor (overviews).
    public func scaled(by factor: Double) -> GeoTransform {
        GeoTransform(gdalOrder: [originX, pixelWidth * factor, rowRotation * factor,
                                 originY, columnRotation * factor, pixelHeight * factor])
    }
}

/// A source whose pixels inside some map polygons read as nodata: a date's cloud or haze mask
/// (a vendor's cloud polygons, or an analyst's) applied once, so that every algorithm that honours
/// nodata — change detection, perimeter extraction and its occlusion, structure detection — leaves
/// those areas out without knowing about clouds.
public final class MaskedSource: PixelSource {
    public let base: PixelSource
    /// Polygons in the base's CRS map coordinates.
    public let polygons: [MapPolygon]
    /// The base's nodata value, or 0 when it declares none (imagery's usual fill value).
    public let nodata: Double?
    private let bounds: [MapRect]

    public init(_ base: PixelSource, hiding polygons: [MapPolygon]) {
        self.base = base
        self.polygons = polygons
        self.bounds = polygons.map(\.bounds)
        self.nodata = base.nodata ?? 0
    }

    public var layout: RasterLayout { base.layout }
    public var georeferencing: Georeferencing? { base.georeferencing }

    public func read(window: PixelWindow, into destination: UnsafeMutableRawBufferPointer) throws {
        try base.read(window: window, into: destination)
        guard let transform = base.georeferencing?.transform, !polygons.isEmpty else { return }
        // Most windows meet no polygon: test the window's corners' box first.
        let corners = [(0, 0), (window.width, 0), (0, window.height), (window.width, window.height)].map {
            transform.map(PixelPoint(x: Double(window.x + $0.0), y: Double(window.y + $0.1)))
        }
        let extent = MapRect(enclosing: corners)
        guard bounds.contains(where: { $0.minX <= extent.maxX && $0.maxX >= extent.minX && $0.minY <= extent.maxY && $0.maxY >= extent.minY })
        else { return }
        let fill = nodata ?? 0
        let n = window.pixelCount, bands = layout.bandCount
        for y in 0..<window.height {
            for x in 0..<window.width {
                let p = transform.map(PixelPoint(x: Double(window.x + x) + 0.5, y: Double(window.y + y) + 0.5))
                var hidden = false
                for (polygon, box) in zip(polygons, bounds)
                where p.x >= box.minX && p.x <= box.maxX && p.y >= box.minY && p.y <= box.maxY && polygon.contains(p) {
                    hidden = true
                    break
                }
                guard hidden else { continue }
                for band in 0..<bands { layout.pixelType.fill(destination, with: fill, from: band * n + y * window.width + x, count: 1) }
            }
        }
    }
}

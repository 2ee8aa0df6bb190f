import GeoRaster
import RasterKernels

/// Why the change core cannot run on two inputs.
public struct ChangeAnalysisError: Error, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable { case notGeoreferenced, noOverlap, incompatibleBands }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    public var description: String { message }
}

/// How before-grid pixels map onto the after date's pixels: both geotransforms, and optionally a
/// change of CRS (a closure from before-CRS to after-CRS map coordinates, which the caller builds
/// with PROJ). Over a window the map is fitted as an affine map through three corners; for a CRS
/// change that is a local approximation whose error is far below a pixel over a strip.
public struct GridMapping: Sendable {
    public let before: GeoTransform
    public let after: GeoTransform
    public let reproject: (@Sendable (MapPoint) -> MapPoint)?

    public init(before: GeoTransform, after: GeoTransform, reproject: (@Sendable (MapPoint) -> MapPoint)? = nil) {
        self.before = before
        self.after = after
        self.reproject = reproject
    }

    /// The after pixel position showing the ground of before pixel position p.
    public func afterPixel(_ p: PixelPoint) -> PixelPoint {
        var m = before.map(p)
        if let reproject { m = reproject(m) }
        return after.pixel(m) ?? PixelPoint(x: .nan, y: .nan)
    }

    /// Destination = pixels of `window` in the before grid (local coordinates); source = pixels of
    /// the after date relative to `sourceOrigin`; `shift` (before pixels) applied first.
    public func affine(window: PixelWindow, sourceOrigin: PixelPoint, shift: PixelPoint) -> PixelAffineMap {
        func at(_ x: Double, _ y: Double) -> PixelPoint {
            let a = afterPixel(PixelPoint(x: Double(window.x) + x + shift.x, y: Double(window.y) + y + shift.y))
            return PixelPoint(x: a.x - sourceOrigin.x, y: a.y - sourceOrigin.y)
        }
        let w = Double(max(window.width, 1)), h = Double(max(window.height, 1))
        let o = at(0, 0), ex = at(w, 0), ey = at(0, h)
        return PixelAffineMap(gdalOrder: [o.x, (ex.x - o.x) / w, (ey.x - o.x) / h, o.y, (ex.y - o.y) / w, (ey.y - o.y) / h])
    }

    /// The after-date pixel window a before window (shifted) needs, with `margin` pixels for the
    /// interpolation kernel, clipped to the after raster; nil if it falls outside.
    public func afterWindow(for window: PixelWindow, shift: PixelPoint, margin: Int, afterSize: PixelWindow) -> PixelWindow? {
        let corners = [(0.0, 0.0), (Double(window.width), 0.0), (0.0, Double(window.height)), (Double(window.width), Double(window.height))]
            .map { afterPixel(PixelPoint(x: Double(window.x) + $0.0 + shift.x, y: Double(window.y) + $0.1 + shift.y)) }
        guard corners.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { return nil }
        let x0 = Int(corners.map(\.x).min()!.rounded(.down)) - margin, y0 = Int(corners.map(\.y).min()!.rounded(.down)) - margin
        let x1 = Int(corners.map(\.x).max()!.rounded(.up)) + margin, y1 = Int(corners.map(\.y).max()!.rounded(.up)) + margin
        return PixelWindow(x: x0, y: y0, width: max(0, x1 - x0), height: max(0, y1 - y0)).intersection(afterSize)
    }

    /// The part of the before grid that the after date covers.
    public func overlap(beforeSize: PixelWindow, afterSize: PixelWindow) throws -> PixelWindow {
        // Map the after raster's outline into before pixels by sampling its edges (a CRS change
        // bends them), then take the bounding box within the before raster.
        guard let inverse = GridMapping.inverse(of: self) else {
            throw ChangeAnalysisError(.notGeoreferenced, "the after date's geotransform cannot be inverted")
        }
        var xs: [Double] = [], ys: [Double] = []
        for k in 0...16 {
            let t = Double(k) / 16
            for p in [PixelPoint(x: t * Double(afterSize.width), y: 0), PixelPoint(x: t * Double(afterSize.width), y: Double(afterSize.height)),
                      PixelPoint(x: 0, y: t * Double(afterSize.height)), PixelPoint(x: Double(afterSize.width), y: t * Double(afterSize.height))] {
                let q = inverse(p)
                if q.x.isFinite && q.y.isFinite { xs.append(q.x); ys.append(q.y) }
            }
        }
        guard !xs.isEmpty else { throw ChangeAnalysisError(.noOverlap, "the two dates do not overlap") }
        let window = PixelWindow(x: Int(xs.min()!.rounded(.up)), y: Int(ys.min()!.rounded(.up)),
                                 width: max(0, Int(xs.max()!.rounded(.down)) - Int(xs.min()!.rounded(.up))),
                                 height: max(0, Int(ys.max()!.rounded(.down)) - Int(ys.min()!.rounded(.up))))
        guard let overlap = window.intersection(beforeSize), overlap.width >= 8, overlap.height >= 8 else {
            throw ChangeAnalysisError(.noOverlap, "the two dates do not overlap (or share less than 8 x 8 pixels)")
        }
        return overlap
    }

    /// After pixel -> before pixel, by Newton iteration on afterPixel (exact for affine maps).
    static func inverse(of mapping: GridMapping) -> ((PixelPoint) -> PixelPoint)? {
        let o = mapping.afterPixel(PixelPoint(x: 0, y: 0))
        let ex = mapping.afterPixel(PixelPoint(x: 1, y: 0)), ey = mapping.afterPixel(PixelPoint(x: 0, y: 1))
        let a = ex.x - o.x, b = ey.x - o.x, c = ex.y - o.y, d = ey.y - o.y
        let det = a * d - b * c
        guard det != 0, det.isFinite else { return nil }
        return { target in
            var p = PixelPoint(x: (d * (target.x - o.x) - b * (target.y - o.y)) / det, y: (-c * (target.x - o.x) + a * (target.y - o.y)) / det)
            for _ in 0..<3 {
                let q = mapping.afterPixel(p)
                let (ex, ey) = (target.x - q.x, target.y - q.y)
                p = PixelPoint(x: p.x + (d * ex - b * ey) / det, y: p.y + (-c * ex + a * ey) / det)
            }
            return p
        }
    }
}

import RealModule
import GeoRaster

/// Which neighbours join two foreground pixels into one component.
public enum Connectivity: Sendable, CaseIterable {
    /// Edge neighbours only: diagonal pixels are separate components.
    case four
    /// Edge and corner neighbours.
    case eight
}

/// A connected set of foreground pixels and its shape measurements — the "objects" of change
/// analysis (new buildings, cleared plots), measured without keeping a label image.
///
/// All fields derive from exact integer sums (area, Σx, Σy, Σx², Σy², Σxy, edge counts), so they do
/// not depend on the order pixels were visited: the streaming labeler and the whole-image reference
/// give equal values, not merely close ones. The sums are exact while area × coordinate² < 2^63 —
/// any component of an image up to 50 000 px on a side.
public struct Component: Hashable, Sendable {
    /// Foreground pixels.
    public var area: Int
    /// The smallest window holding every pixel.
    public var boundingBox: PixelWindow
    /// y * imageWidth + x of the component's first pixel in raster order (top row, leftmost):
    /// sorting by it gives the canonical order.
    public var firstPixelIndex: Int
    /// Mean of the pixel centres, (x + 0.5, y + 0.5).
    public var centroid: PixelPoint
    /// Pixel edges between a pixel of the component and background or the image border (the
    /// 4-neighbour boundary length, whatever the connectivity): 4 for one pixel, 8 for two diagonal
    /// pixels joined under `.eight`, 2 (w + h) for a w × h rectangle. Holes' edges count too.
    public var perimeter: Int
    /// Angle of the major axis from +x towards +y (image rows, i.e. clockwise on screen), in
    /// (-pi/2, pi/2]: 0.5 * atan2(2 mu11, mu20 - mu02) from second central moments. A horizontal bar
    /// gives 0, a vertical bar pi/2; 0 when the moments do not define an axis (a square, a pixel).
    public var orientation: Double
    /// 4 × sqrt of the larger and smaller eigenvalue of the pixel-centre covariance matrix (as
    /// scikit-image's regionprops): the axes of the ellipse with the same second moments.
    public var majorAxisLength: Double
    public var minorAxisLength: Double
}

/// Connected-component labelling of binary masks (any non-zero byte is foreground).
///
/// Two implementations with one answer:
/// - `ComponentLabeler`, streaming: fed horizontal strips top to bottom, it keeps only the previous
///   row's runs and the open components, and hands out components as soon as they can no longer
///   grow. Memory is bounded by the width, not the height. It takes byte masks (runs found by a byte
///   loop with `using: .scalar`, or by packing 16 bytes per compare and scanning words with `.simd`)
///   or packed `BitPlaneView` strips, which the change core feeds directly.
/// - `label(_:connectivity:labels:)`, the whole-image reference: a classic two-pass union-find over
///   pixels that can also write a label image. It is the specification the streaming labeler is
///   tested against, and the tool when a label image is actually wanted.
public enum ConnectedComponents {
    /// All components of `mask` in canonical order (by `firstPixelIndex`). If `labels` is given
    /// (same size as the mask), it receives 0 for background and i + 1 for the pixels of the i-th
    /// returned component.
    public static func label(_ mask: PlaneView<UInt8>, connectivity: Connectivity,
                             labels: MutablePlaneView<Int32>? = nil) -> [Component] {
        if let labels { checkSameSize(mask, labels, "ConnectedComponents.label") }
        return labelReference(mask, connectivity: connectivity, labels: labels)
    }

    /// Convenience over a tightly packed mask buffer.
    public static func label(mask: UnsafeBufferPointer<UInt8>, width: Int, height: Int, connectivity: Connectivity,
                             labels: UnsafeMutableBufferPointer<Int32>? = nil) -> [Component] {
        let view = PlaneView(mask, width: width, height: height)
        return label(view, connectivity: connectivity,
                     labels: labels.map { MutablePlaneView($0, width: width, height: height) })
    }

    /// The half-open column range [start, end) of set bytes in a row, and its component.
    struct Run {
        var start: Int
        var end: Int
        var label: Int32 = -1
    }

    /// Appends the maximal runs of non-zero bytes of `row` to `runs`.
    static func findRuns(_ row: UnsafePointer<UInt8>, width: Int, into runs: inout [Run], using implementation: KernelImplementation) {
        let found = UnsafeMutablePointer<Run>.allocate(capacity: (width + 1) / 2 + 1)
        defer { found.deallocate() }
        let count: Int
        switch implementation {
        case .scalar: count = findRunsScalar(row, width: width, into: found)
        case .simd:
            let words = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, BitPacking.words(width)))
            defer { words.deallocate() }
            BitPacking.packRowSIMD(row, words, width)
            count = findRuns(packed: words, width: width, into: found)
        }
        runs.append(contentsOf: UnsafeBufferPointer(start: found, count: count))
    }

    /// Order-independent integer sums of a component's pixels.
    struct Accumulator {
        var area = 0
        var minX = Int.max, minY = Int.max, maxX = Int.min, maxY = Int.min
        var firstPixelIndex = Int.max
        var sumX = 0, sumY = 0, sumXX = 0, sumYY = 0, sumXY = 0
        var perimeter = 0

        /// Pixels start..<end of row y.
        mutating func add(start: Int, end: Int, y: Int, imageWidth: Int) {
            let n = end - start
            area += n
            minX = min(minX, start); maxX = max(maxX, end - 1)
            minY = min(minY, y); maxY = max(maxY, y)
            firstPixelIndex = min(firstPixelIndex, y * imageWidth + start)
            // Closed forms over x = start ... end-1: n (start + end - 1) is always even.
            let sx = n * (start + end - 1) / 2
            let sxx = squareSum(end - 1) - squareSum(start - 1)
            sumX += sx; sumXX += sxx
            sumY += n * y; sumYY += n * y * y
            sumXY += sx * y
        }

        /// 0² + 1² + ... + k².
        private func squareSum(_ k: Int) -> Int { k < 0 ? 0 : k * (k + 1) * (2 * k + 1) / 6 }

        mutating func merge(_ o: Accumulator) {
            area += o.area
            minX = min(minX, o.minX); minY = min(minY, o.minY); maxX = max(maxX, o.maxX); maxY = max(maxY, o.maxY)
            firstPixelIndex = min(firstPixelIndex, o.firstPixelIndex)
            sumX += o.sumX; sumY += o.sumY; sumXX += o.sumXX; sumYY += o.sumYY; sumXY += o.sumXY
            perimeter += o.perimeter
        }

        var component: Component {
            let a = area, x0 = minX, y0 = minY
            // Shift to the bounding box corner, still in integers, so that the moments below are
            // computed from small exact numbers (a bar's mu11 comes out exactly 0, not ±1e-17).
            let sx = sumX - a * x0, sy = sumY - a * y0
            let sxx = sumXX - 2 * x0 * sumX + a * x0 * x0
            let syy = sumYY - 2 * y0 * sumY + a * y0 * y0
            let sxy = sumXY - x0 * sumY - y0 * sumX + a * x0 * y0
            let ad = Double(a), a2 = ad * ad
            // a² mu = a Σuv - Σu Σv, exact in Int unless it overflows.
            func scaled(_ suv: Int, _ su: Int, _ sv: Int) -> Double {
                let (p, o1) = a.multipliedReportingOverflow(by: suv)
                let (q, o2) = su.multipliedReportingOverflow(by: sv)
                if !o1 && !o2 { let (r, o3) = p.subtractingReportingOverflow(q); if !o3 { return Double(r) / a2 } }
                return (ad * Double(suv) - Double(su) * Double(sv)) / a2
            }
            let mu20 = scaled(sxx, sx, sx), mu02 = scaled(syy, sy, sy), mu11 = scaled(sxy, sx, sy)
            let half = (mu20 + mu02) / 2
            let root = (((mu20 - mu02) / 2) * ((mu20 - mu02) / 2) + mu11 * mu11).squareRoot()
            return Component(
                area: a,
                boundingBox: PixelWindow(x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1),
                firstPixelIndex: firstPixelIndex,
                centroid: PixelPoint(x: Double(x0) + Double(sx) / ad + 0.5, y: Double(y0) + Double(sy) / ad + 0.5),
                perimeter: perimeter,
                orientation: 0.5 * Double.atan2(y: 2 * mu11, x: mu20 - mu02),
                majorAxisLength: 4 * max(half + root, 0).squareRoot(),
                minorAxisLength: 4 * max(half - root, 0).squareRoot())
        }
    }
}

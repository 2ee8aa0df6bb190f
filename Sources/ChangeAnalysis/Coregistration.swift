import GeoRaster
import RasterKernels

/// The sub-pixel translation between the dates, estimated on gradient magnitude (insensitive to
/// gain, offset, season and haze, which move brightness but not edges).
public struct Registration: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Sharp, consistent correlation: the shift was applied.
        case applied
        /// The correlation peak is weak or the windows disagree: not applied, reported as such.
        case weak
    }
    /// Shift in before pixels: the after date is sampled at p + shift to align with before pixel p.
    public var shiftX: Double
    public var shiftY: Double
    /// The normalised cross-correlation at the peak, 0-1.
    public var confidence: Double
    /// RMS difference between the windows' own estimates and the joint one, pixels.
    public var residual: Double
    public var windows: Int
    public var status: Status

    public var appliedShift: PixelPoint { status == .applied ? PixelPoint(x: shiftX, y: shiftY) : PixelPoint(x: 0, y: 0) }
}

enum Coregistration {
    /// Gradient-magnitude planes of both dates over one window.
    struct WindowGradients {
        var width: Int
        var height: Int
        var before: [Float]
        var after: [Float]
        var valid: [UInt8]
    }

    /// Windows spread over the overlap on a grid, clipped to it.
    static func windows(in overlap: PixelWindow, size: Int, count: Int) -> [PixelWindow] {
        let side = max(1, Int(Double(count).squareRoot().rounded(.up)))
        let w = min(size, overlap.width), h = min(size, overlap.height)
        var result: [PixelWindow] = []
        for j in 0..<side {
            for i in 0..<side where result.count < count {
                let x = overlap.x + (overlap.width - w) * (2 * i + 1) / (2 * side)
                let y = overlap.y + (overlap.height - h) * (2 * j + 1) / (2 * side)
                result.append(PixelWindow(x: x, y: y, width: w, height: h))
            }
        }
        return Array(Set(result)).sorted { ($0.y, $0.x) < ($1.y, $1.x) }
    }

    static func gradients(_ reader: AlignedReader, _ window: PixelWindow, shift: PixelPoint) throws -> WindowGradients {
        try reader.read(window, shift: shift)
        let n = window.pixelCount, bands = reader.bandCount
        var meanBefore = [Float](repeating: 0, count: n), meanAfter = [Float](repeating: 0, count: n)
        for band in 0..<bands {
            for i in 0..<n {
                meanBefore[i] += reader.beforePlanes[band * n + i]
                meanAfter[i] += reader.afterPlanes[band * n + i]
            }
        }
        func gradient(_ plane: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: n)
            plane.withUnsafeBufferPointer { source in
                out.withUnsafeMutableBufferPointer { target in
                    GradientMagnitude.compute(PlaneView(source, width: window.width, height: window.height),
                                              into: MutablePlaneView(target, width: window.width, height: window.height))
                }
            }
            return out
        }
        // Clipped at the 90th percentile of each window: new buildings add edges far stronger than
        // the ground's texture, and unclipped they would dominate the correlation.
        func clipped(_ plane: [Float]) -> [Float] {
            let sorted = plane.enumerated().filter { reader.validity[$0.offset] != 0 }.map(\.element).sorted()
            guard let cap = sorted.isEmpty ? nil : sorted[Int(Double(sorted.count - 1) * 0.9)], cap > 0 else { return plane }
            return plane.map { min($0, cap) }
        }
        let gb = clipped(gradient(meanBefore)), ga = clipped(gradient(meanAfter))
        return WindowGradients(width: window.width, height: window.height, before: gb, after: ga, valid: reader.validity)
    }

    /// 2 x 2 block means; a block is valid only if all four pixels are.
    static func halved(_ g: WindowGradients) -> WindowGradients {
        let w = g.width / 2, h = g.height / 2
        var out = WindowGradients(width: w, height: h, before: [Float](repeating: 0, count: w * h),
                                  after: [Float](repeating: 0, count: w * h), valid: [UInt8](repeating: 0, count: w * h))
        for y in 0..<h {
            for x in 0..<w {
                let i = 2 * y * g.width + 2 * x, j = i + g.width
                out.before[y * w + x] = (g.before[i] + g.before[i + 1] + g.before[j] + g.before[j + 1]) / 4
                out.after[y * w + x] = (g.after[i] + g.after[i + 1] + g.after[j] + g.after[j + 1]) / 4
                out.valid[y * w + x] = g.valid[i] & g.valid[i + 1] & g.valid[j] & g.valid[j + 1]
            }
        }
        return out
    }

    /// Normalised cross-correlation of before(x) with after(x + d) for integer d, over the pixels
    /// that stay inside and valid for every d searched.
    static func correlationSurface(_ g: WindowGradients, radius r: Int) -> [Double] {
        let size = 2 * r + 1
        var surface = [Double](repeating: -1, count: size * size)
        let w = g.width, h = g.height
        guard w > 2 * r + 4, h > 2 * r + 4 else { return surface }
        for dy in -r...r {
            for dx in -r...r {
                var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0, n = 0.0
                for y in (r + 1)..<(h - r - 1) {
                    let rowB = y * w, rowA = (y + dy) * w + dx
                    var fa: Float = 0, fb: Float = 0, faa: Float = 0, fbb: Float = 0, fab: Float = 0, count: Float = 0
                    for x in (r + 1)..<(w - r - 1) where g.valid[rowB + x] != 0 && g.valid[rowA + x] != 0 {
                        let b = g.before[rowB + x], a = g.after[rowA + x]
                        fa += a; fb += b; faa += a * a; fbb += b * b; fab += a * b; count += 1
                    }
                    sa += Double(fa); sb += Double(fb); saa += Double(faa); sbb += Double(fbb); sab += Double(fab); n += Double(count)
                }
                guard n > 16 else { continue }
                let cov = sab - sa * sb / n, va = saa - sa * sa / n, vb = sbb - sb * sb / n
                if va > 0 && vb > 0 { surface[(dy + r) * size + dx + r] = cov / (va * vb).squareRoot() }
            }
        }
        return surface
    }

    /// Lucas-Kanade refinement of a shift d on gradient planes: minimises
    /// sum (after(x + d) - before(x))^2 by Gauss-Newton with bilinear sampling.
    static func refine(_ windows: [WindowGradients], start: PixelPoint, iterations: Int = 8) -> PixelPoint {
        var d = start
        var terms: [(ix: Double, iy: Double, e: Double)] = []
        for _ in 0..<iterations {
            terms.removeAll(keepingCapacity: true)
            for g in windows {
                let w = g.width, h = g.height
                let margin = Int(max(abs(d.x), abs(d.y)).rounded(.up)) + 3
                guard w > 2 * margin, h > 2 * margin else { continue }
                for y in margin..<(h - margin) {
                    for x in margin..<(w - margin) where g.valid[y * w + x] != 0 {
                        let px = Double(x) + d.x, py = Double(y) + d.y
                        let a = bilinear(g.after, w, px, py)
                        let ix = (bilinear(g.after, w, px + 1, py) - bilinear(g.after, w, px - 1, py)) / 2
                        let iy = (bilinear(g.after, w, px, py + 1) - bilinear(g.after, w, px, py - 1)) / 2
                        terms.append((ix, iy, a - Double(g.before[y * w + x])))
                    }
                }
            }
            guard terms.count > 16 else { break }
            // Robust: pixels that changed (new structures) leave large residuals; drop those past
            // 3x the median absolute residual so they cannot pull the shift.
            // The median from every 16th term: as good a scale, without sorting a million values.
            var magnitudes = stride(from: 0, to: terms.count, by: 16).map { abs(terms[$0].e) }
            magnitudes.sort()
            let cutoff = max(1e-9, 3 * magnitudes[magnitudes.count / 2])
            var sxx = 0.0, sxy = 0.0, syy = 0.0, sxe = 0.0, sye = 0.0
            for t in terms where abs(t.e) <= cutoff {
                sxx += t.ix * t.ix; sxy += t.ix * t.iy; syy += t.iy * t.iy; sxe += t.ix * t.e; sye += t.iy * t.e
            }
            let det = sxx * syy - sxy * sxy
            guard det > 1e-12 else { break }
            let ux = -(syy * sxe - sxy * sye) / det, uy = -(sxx * sye - sxy * sxe) / det
            d = PixelPoint(x: d.x + ux, y: d.y + uy)
            if abs(ux) < 1e-4 && abs(uy) < 1e-4 { break }
        }
        return d
    }

    @inline(__always)
    static func bilinear(_ plane: [Float], _ w: Int, _ x: Double, _ y: Double) -> Double {
        let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down))
        let tx = x - Double(x0), ty = y - Double(y0)
        let i = y0 * w + x0
        let a = Double(plane[i]), b = Double(plane[i + 1]), c = Double(plane[i + w]), e = Double(plane[i + w + 1])
        return (a + (b - a) * tx) * (1 - ty) + (c + (e - c) * tx) * ty
    }

    /// The joint estimate over all windows and its consistency.
    static func estimate(_ reader: AlignedReader, overlap: PixelWindow, parameters: ChangeParameters) throws -> Registration {
        let r = parameters.maxShiftPixels
        var grads: [WindowGradients] = []
        for window in windows(in: overlap, size: parameters.registrationWindowSize, count: parameters.registrationWindowCount) {
            grads.append(try gradients(reader, window, shift: PixelPoint(x: 0, y: 0)))
        }
        // Integer search on gradients halved in resolution (a quarter of the pixels, half the
        // radius: about 14x less work), the peak of the summed correlation surfaces; the
        // full-resolution refinement below converges from within a pixel of it.
        let coarse = grads.map(halved)
        let half = (r + 1) / 2
        let size = 2 * half + 1
        var total = [Double](repeating: 0, count: size * size)
        for g in coarse {
            let s = correlationSurface(g, radius: half)
            for i in total.indices { total[i] += s[i] }
        }
        let best = total.indices.max { total[$0] < total[$1] }!
        let peak = total[best] / Double(max(grads.count, 1))
        let start = PixelPoint(x: Double(2 * (best % size - half)), y: Double(2 * (best / size - half)))
        // Sub-pixel: Gauss-Newton jointly, then per window for the residual.
        let joint = refine(grads, start: start)
        var squares = 0.0
        for g in grads {
            // Starting at the joint estimate, a window converges in a few steps.
            let own = refine([g], start: joint, iterations: 3)
            squares += (own.x - joint.x) * (own.x - joint.x) + (own.y - joint.y) * (own.y - joint.y)
        }
        let residual = (squares / Double(max(grads.count, 1))).squareRoot()
        let onEdge = abs(joint.x) > Double(r) - 0.5 || abs(joint.y) > Double(r) - 0.5
        let status: Registration.Status = (peak >= 0.2 && residual <= 1.0 && !onEdge && joint.x.isFinite && joint.y.isFinite)
            ? .applied : .weak
        return Registration(shiftX: joint.x, shiftY: joint.y, confidence: max(0, peak), residual: residual,
                            windows: grads.count, status: status)
    }
}

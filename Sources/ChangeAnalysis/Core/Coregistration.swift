import Dispatch
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
        let planesBefore = reader.beforePlanes, planesAfter = reader.afterPlanes
        meanBefore.withUnsafeMutableBufferPointer { mb in
            meanAfter.withUnsafeMutableBufferPointer { ma in
                for band in 0..<bands {
                    for i in 0..<n {
                        mb[i] += planesBefore[band * n + i]
                        ma[i] += planesAfter[band * n + i]
                    }
                }
            }
        }
        let valid = Array(reader.validity.prefix(n))
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
            var values: [Float] = []
            values.reserveCapacity(n)
            for i in 0..<n where valid[i] != 0 { values.append(plane[i]) }
            guard !values.isEmpty else { return plane }
            let cap = values.select(Int(Double(values.count - 1) * 0.9))
            guard cap > 0 else { return plane }
            return plane.map { min($0, cap) }
        }
        let gb = clipped(gradient(meanBefore)), ga = clipped(gradient(meanAfter))
        return WindowGradients(width: window.width, height: window.height, before: gb, after: ga, valid: valid)
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
        // Validity as 0/1 factors: the sums below are branch-free and vectorise.
        let weight = g.valid.map { Float($0 != 0 ? 1 : 0) }
        g.before.withUnsafeBufferPointer { before in
            g.after.withUnsafeBufferPointer { after in
                weight.withUnsafeBufferPointer { v in
                    for dy in -r...r {
                        for dx in -r...r {
                            var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0, n = 0.0
                            for y in (r + 1)..<(h - r - 1) {
                                let rowB = y * w, rowA = (y + dy) * w + dx
                                var fa: Float = 0, fb: Float = 0, faa: Float = 0, fbb: Float = 0, fab: Float = 0, count: Float = 0
                                for x in (r + 1)..<(w - r - 1) {
                                    let k = v[rowB + x] * v[rowA + x]
                                    let b = before[rowB + x] * k, a = after[rowA + x] * k
                                    fa += a; fb += b; faa += a * a; fbb += b * b; fab += a * b; count += k
                                }
                                sa += Double(fa); sb += Double(fb); saa += Double(faa); sbb += Double(fbb); sab += Double(fab); n += Double(count)
                            }
                            guard n > 16 else { continue }
                            let cov = sab - sa * sb / n, va = saa - sa * sa / n, vb = sbb - sb * sb / n
                            if va > 0 && vb > 0 { surface[(dy + r) * size + dx + r] = cov / (va * vb).squareRoot() }
                        }
                    }
                }
            }
        }
        return surface
    }

    /// Lucas-Kanade refinement of a shift d on gradient planes: minimises
    /// sum (after(x + d) - before(x))^2 by Gauss-Newton with bilinear sampling.
    ///
    /// d is the same for every pixel, so the bilinear weights are too: each iteration warps the
    /// after plane once (A(x) = after sampled at x + d) and takes the derivatives as central
    /// differences of A, which equal the derivatives of the bilinear surface at x + d sampled
    /// one pixel either side (about 5x less work than sampling five points per pixel). Windows
    /// are warped on `threads` threads.
    static func refine(_ windows: [WindowGradients], start: PixelPoint, iterations: Int = 8, threads: Int = 1) -> PixelPoint {
        var d = start
        // Each window's terms (ix, iy, e) of the pixels used, in buffers sized once.
        let terms = windows.map { RefineTerms(capacity: $0.width * $0.height) }
        defer { terms.forEach { $0.free() } }
        let workers = max(1, min(threads, windows.count))
        for _ in 0..<iterations {
            let shift = d
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for w in stride(from: worker, to: windows.count, by: workers) { terms[w].fill(windows[w], shift) }
            }
            let count = terms.reduce(0) { $0 + $1.count }
            guard count > 16 else { break }
            // Robust: pixels that changed (new structures) leave large residuals; drop those past
            // 3x the median absolute residual so they cannot pull the shift.
            // The median from every 16th term: as good a scale, without sorting a million values.
            var magnitudes: [Double] = []
            magnitudes.reserveCapacity(count / 16 + 1)
            var first = 0  // index of this window's first term among all terms
            for t in terms {
                var k = (16 - first % 16) % 16
                while k < t.count { magnitudes.append(abs(t.e[k])); k += 16 }
                first += t.count
            }
            let cutoff = max(1e-9, 3 * magnitudes.select(magnitudes.count / 2))
            var sxx = 0.0, sxy = 0.0, syy = 0.0, sxe = 0.0, sye = 0.0
            for t in terms {
                for k in 0..<t.count where abs(t.e[k]) <= cutoff {
                    let ix = t.ix[k], iy = t.iy[k], e = t.e[k]
                    sxx += ix * ix; sxy += ix * iy; syy += iy * iy; sxe += ix * e; sye += iy * e
                }
            }
            let det = sxx * syy - sxy * sxy
            guard det > 1e-12 else { break }
            let ux = -(syy * sxe - sxy * sye) / det, uy = -(sxx * sye - sxy * sxe) / det
            d = PixelPoint(x: d.x + ux, y: d.y + uy)
            if abs(ux) < 1e-4 && abs(uy) < 1e-4 { break }
        }
        return d
    }

    /// One window's Gauss-Newton terms at a shift, and the warped plane they come from.
    final class RefineTerms: @unchecked Sendable {
        let ix, iy, e, warped: UnsafeMutablePointer<Double>
        private(set) var count = 0

        init(capacity: Int) {
            ix = .allocate(capacity: max(1, capacity)); iy = .allocate(capacity: max(1, capacity))
            e = .allocate(capacity: max(1, capacity)); warped = .allocate(capacity: max(1, capacity))
        }

        func free() { ix.deallocate(); iy.deallocate(); e.deallocate(); warped.deallocate() }

        func fill(_ g: WindowGradients, _ d: PixelPoint) {
            count = 0
            let w = g.width, h = g.height
            let margin = Int(max(abs(d.x), abs(d.y)).rounded(.up)) + 3
            guard w > 2 * margin, h > 2 * margin else { return }
            let fx = d.x.rounded(.down), fy = d.y.rounded(.down)
            let tx = d.x - fx, ty = d.y - fy
            let ox = Int(fx), oy = Int(fy)
            let w00 = (1 - tx) * (1 - ty), w10 = tx * (1 - ty), w01 = (1 - tx) * ty, w11 = tx * ty
            g.after.withUnsafeBufferPointer { a in
                g.before.withUnsafeBufferPointer { b in
                    g.valid.withUnsafeBufferPointer { valid in
                        // A over rows and columns margin-1 ... size-margin (one pixel around the
                        // pixels used, for the differences); reads stay inside the plane.
                        for y in (margin - 1)...(h - margin) {
                            let row = (y + oy) * w + ox
                            for x in (margin - 1)...(w - margin) {
                                let i = row + x
                                warped[y * w + x] = w00 * Double(a[i]) + w10 * Double(a[i + 1])
                                    + w01 * Double(a[i + w]) + w11 * Double(a[i + w + 1])
                            }
                        }
                        for y in margin..<(h - margin) {
                            for x in margin..<(w - margin) where valid[y * w + x] != 0 {
                                let i = y * w + x
                                ix[count] = (warped[i + 1] - warped[i - 1]) / 2
                                iy[count] = (warped[i + w] - warped[i - w]) / 2
                                e[count] = warped[i] - Double(b[i])
                                count += 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// The joint estimate over all windows and its consistency.
    /// Windows are read and their gradients taken on all readers (threads) at once.
    static func estimate(_ readers: [AlignedReader], overlap: PixelWindow, parameters: ChangeParameters) throws -> Registration {
        let r = parameters.maxShiftPixels
        let spread = windows(in: overlap, size: parameters.registrationWindowSize, count: parameters.registrationWindowCount)
        let grads = try ChangeDetector.parallelMap(spread.count, readers) { reader, i in
            try gradients(reader, spread[i], shift: PixelPoint(x: 0, y: 0))
        }
        // Integer search on gradients halved in resolution (a quarter of the pixels, half the
        // radius: about 14x less work), the peak of the summed correlation surfaces; the
        // full-resolution refinement below converges from within a pixel of it.
        let half = (r + 1) / 2
        let size = 2 * half + 1
        let surfaces = try ChangeDetector.parallelMap(grads.count, readers) { _, i in correlationSurface(halved(grads[i]), radius: half) }
        var total = [Double](repeating: 0, count: size * size)
        for s in surfaces {
            for i in total.indices { total[i] += s[i] }
        }
        let best = total.indices.max { total[$0] < total[$1] }!
        let peak = total[best] / Double(max(grads.count, 1))
        let start = PixelPoint(x: Double(2 * (best % size - half)), y: Double(2 * (best / size - half)))
        // Sub-pixel: Gauss-Newton jointly, then per window for the residual.
        let joint = refine(grads, start: start, threads: readers.count)
        // Starting at the joint estimate, a window converges in a few steps (windows on all threads).
        let own = try ChangeDetector.parallelMap(grads.count, readers) { _, i in refine([grads[i]], start: joint, iterations: 3) }
        let squares = own.reduce(0.0) { $0 + ($1.x - joint.x) * ($1.x - joint.x) + ($1.y - joint.y) * ($1.y - joint.y) }
        let residual = (squares / Double(max(grads.count, 1))).squareRoot()
        let onEdge = abs(joint.x) > Double(r) - 0.5 || abs(joint.y) > Double(r) - 0.5
        let status: Registration.Status = (peak >= 0.2 && residual <= 1.0 && !onEdge && joint.x.isFinite && joint.y.isFinite)
            ? .applied : .weak
        return Registration(shiftX: joint.x, shiftY: joint.y, confidence: max(0, peak), residual: residual,
                            windows: grads.count, status: status)
    }
}

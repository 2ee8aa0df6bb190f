/// The fast path of `Resampling.resample` for pure translations (the two dates share a GSD, the
/// usual case): the fractional offset is the same for every pixel, so bilinear and cubic weights
/// are constants and the interpolation separates into a horizontal then a vertical pass — plain
/// multiply-adds over contiguous loads, which vectorise, instead of a per-pixel gather.
///
/// Tolerance between twins: zero (same weights, same summation order; Swift does not fuse into
/// FMA). Against the general path it differs only by the general path's per-pixel Float
/// coordinates, ~1e-6 relative.
extension Resampling {
    /// Whether a map is a pure translation (unit scale, no rotation).
    static func translation(of map: PixelAffineMap) -> (dx: Double, dy: Double)? {
        let c = map.coefficients
        // Non-finite offsets (NaN coordinates) take the general path, which marks them outside.
        guard c[0].isFinite, c[3].isFinite, abs(c[0]) < 1e9, abs(c[3]) < 1e9 else { return nil }
        return c[1] == 1 && c[2] == 0 && c[4] == 0 && c[5] == 1 ? (c[0], c[3]) : nil
    }

    /// Taps and weights along one axis: destination index i samples source indices
    /// base + i + k (k in 0..<taps, clamped to the source) with weights[k].
    struct AxisTaps {
        let base: Int
        let weights: [Float]
        var taps: Int { weights.count }

        init(offset d: Double, method: Interpolation) {
            switch method {
            case .nearest:
                // floor(i + 0.5 + d): the source pixel containing the mapped centre.
                base = Int((d + 0.5).rounded(.down)); weights = [1]
            case .bilinear:
                let f = d.rounded(.down), t = Float(d - f)
                base = Int(f); weights = [1 - t, t]
            case .cubic:
                let f = d.rounded(.down), t = Float(d - f)
                let w = Resampling.cubicWeights(t)
                base = Int(f) - 1; weights = [w.0, w.1, w.2, w.3]
            }
        }
    }

    static func translate(_ source: PlaneView<Float>, into destination: MutablePlaneView<Float>, dx: Double, dy: Double,
                          interpolation: Interpolation, fill: Float, validity: MutablePlaneView<UInt8>?,
                          using implementation: KernelImplementation) {
        let w = destination.width, h = destination.height
        let horizontal = AxisTaps(offset: dx, method: interpolation), vertical = AxisTaps(offset: dy, method: interpolation)
        // Destination columns and rows whose centre maps inside the source.
        func insideRange(_ count: Int, _ d: Double, _ limit: Int) -> Range<Int> {
            let lo = max(0, Int((-0.5 - d).rounded(.up))), hi = min(count, Int((Double(limit) - 0.5 - d).rounded(.up)))
            return lo < hi ? lo..<hi : 0..<0
        }
        let columns = insideRange(w, dx, source.width), rows = insideRange(h, dy, source.height)
        // A ring of horizontally filtered source rows, keyed by clamped source row index.
        var ring = [Float](repeating: 0, count: vertical.taps * w)
        var ringRow = [Int](repeating: -1, count: vertical.taps)
        ring.withUnsafeMutableBufferPointer { ringBuffer in
            for y in 0..<h {
                let out = destination.row(y)
                let valid = validity?.row(y)
                guard rows.contains(y), !columns.isEmpty else {
                    for x in 0..<w { out[x] = fill }
                    if let valid { for x in 0..<w { valid[x] = 0 } }
                    continue
                }
                var lines: [UnsafeMutablePointer<Float>] = []
                for k in 0..<vertical.taps {
                    let r = min(source.height - 1, max(0, vertical.base + y + k))
                    let slot = r % vertical.taps
                    let line = ringBuffer.baseAddress! + slot * w
                    if ringRow[slot] != r {
                        switch implementation {
                        case .scalar: filterRowScalar(source.row(r), source.width, line, columns, horizontal)
                        case .simd: filterRowSIMD(source.row(r), source.width, line, columns, horizontal)
                        }
                        ringRow[slot] = r
                    }
                    lines.append(line)
                }
                switch implementation {
                case .scalar: combineRowsScalar(lines, vertical.weights, out, columns)
                case .simd: combineRowsSIMD(lines, vertical.weights, out, columns)
                }
                for x in 0..<columns.lowerBound { out[x] = fill }
                for x in columns.upperBound..<w { out[x] = fill }
                if let valid {
                    for x in 0..<w { valid[x] = columns.contains(x) ? 1 : 0 }
                }
            }
        }
    }

    /// line[x] = sum_k weights[k] * src[clamp(base + x + k)] for x in columns: the scalar twin, and
    /// the SIMD twin's edges.
    @inline(__always)
    static func filterColumnScalar(_ src: UnsafePointer<Float>, _ width: Int, _ x: Int, _ taps: AxisTaps) -> Float {
        var sum: Float = 0
        for k in 0..<taps.taps { sum = sum + taps.weights[k] * src[min(width - 1, max(0, taps.base + x + k))] }
        return sum
    }

    static func filterRowScalar(_ src: UnsafePointer<Float>, _ width: Int, _ line: UnsafeMutablePointer<Float>,
                                _ columns: Range<Int>, _ taps: AxisTaps) {
        for x in columns { line[x] = filterColumnScalar(src, width, x, taps) }
    }

    static func combineRowsScalar(_ lines: [UnsafeMutablePointer<Float>], _ weights: [Float], _ out: UnsafeMutablePointer<Float>,
                                  _ columns: Range<Int>) {
        for x in columns {
            var sum: Float = 0
            for k in 0..<weights.count { sum = sum + weights[k] * lines[k][x] }
            out[x] = sum
        }
    }

    static func filterRowSIMD(_ src: UnsafePointer<Float>, _ width: Int, _ line: UnsafeMutablePointer<Float>,
                              _ columns: Range<Int>, _ taps: AxisTaps) {
        // Columns whose taps all fall inside the source need no clamping: 16 at a time.
        let safeStart = max(columns.lowerBound, -taps.base), safeEnd = min(columns.upperBound, width - taps.base - taps.taps + 1)
        var x = columns.lowerBound
        while x < min(safeStart, columns.upperBound) { line[x] = filterColumnScalar(src, width, x, taps); x += 1 }
        let raw = UnsafeRawPointer(src)
        while x + 16 <= safeEnd {
            var sum = SIMD16<Float>(repeating: 0)
            for k in 0..<taps.taps {
                let v = raw.loadUnaligned(fromByteOffset: (taps.base + x + k) * 4, as: SIMD16<Float>.self)
                sum = sum + SIMD16(repeating: taps.weights[k]) * v
            }
            UnsafeMutableRawPointer(line + x).storeBytes(of: sum, as: SIMD16<Float>.self)
            x += 16
        }
        while x < columns.upperBound { line[x] = filterColumnScalar(src, width, x, taps); x += 1 }
    }

    static func combineRowsSIMD(_ lines: [UnsafeMutablePointer<Float>], _ weights: [Float], _ out: UnsafeMutablePointer<Float>,
                                _ columns: Range<Int>) {
        var x = columns.lowerBound
        while x + 16 <= columns.upperBound {
            var sum = SIMD16<Float>(repeating: 0)
            for k in 0..<weights.count {
                sum = sum + SIMD16(repeating: weights[k]) * UnsafeRawPointer(lines[k] + x).loadUnaligned(as: SIMD16<Float>.self)
            }
            UnsafeMutableRawPointer(out + x).storeBytes(of: sum, as: SIMD16<Float>.self)
            x += 16
        }
        while x < columns.upperBound {
            var sum: Float = 0
            for k in 0..<weights.count { sum = sum + weights[k] * lines[k][x] }
            out[x] = sum
            x += 1
        }
    }
}

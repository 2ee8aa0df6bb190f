/// The fast path of `Resampling.resample` for pure translations (the two dates share a GSD, the
/// usual case): the fractional offset is the same for every pixel, so bilinear and cubic weights
/// are constants and the interpolation separates into a horizontal then a vertical pass — plain
/// multiply-adds over contiguous loads, which vectorise, instead of a per-pixel gather.
///
/// `TranslationFilter` is that path in pieces, for callers that stream rows (the change core
/// filters each source row once, as it is decoded, and combines destination rows from a small
/// ring of filtered lines); `resample` runs the same pieces over whole planes.
///
/// Tolerance between twins: zero (same weights, same summation order; Swift does not fuse into
/// FMA). Against the general path it differs only by the general path's per-pixel Float
/// coordinates, ~1e-6 relative.
extension Resampling {
    /// Whether a map is a pure translation (unit scale, no rotation).
    public static func translation(of map: PixelAffineMap) -> (dx: Double, dy: Double)? {
        let c = map.coefficients
        // Non-finite offsets (NaN coordinates) take the general path, which marks them outside.
        guard c[0].isFinite, c[3].isFinite, abs(c[0]) < 1e9, abs(c[3]) < 1e9 else { return nil }
        return c[1] == 1 && c[2] == 0 && c[4] == 0 && c[5] == 1 ? (c[0], c[3]) : nil
    }

    /// Taps and weights along one axis: destination index i samples source indices
    /// base + i + k (k in 0..<taps, clamped to the source) with weights[k].
    struct AxisTaps {
        let base: Int
        let taps: Int
        /// weights[k] for k < taps; the rest 0.
        let weights: SIMD4<Float>

        init(offset d: Double, method: Interpolation) {
            switch method {
            case .nearest:
                // floor(i + 0.5 + d): the source pixel containing the mapped centre.
                base = Int((d + 0.5).rounded(.down)); taps = 1; weights = SIMD4(1, 0, 0, 0)
            case .bilinear:
                let f = d.rounded(.down), t = Float(d - f)
                base = Int(f); taps = 2; weights = SIMD4(1 - t, t, 0, 0)
            case .cubic:
                let f = d.rounded(.down), t = Float(d - f)
                let w = Resampling.cubicWeights(t)
                base = Int(f) - 1; taps = 4; weights = SIMD4(w.0, w.1, w.2, w.3)
            }
        }
    }

    /// A translation by (dx, dy) source pixels from a `sourceWidth` x `sourceHeight` plane onto a
    /// `destinationWidth` x `destinationHeight` one, in two separable passes:
    /// 1. `filterRow`: a source row filtered horizontally into a destination-wide line;
    /// 2. `combine`: a destination row from the `taps` lines of source rows `sourceRow(y, tap:)`.
    /// Destination pixels outside `columns` x `rows` map outside the source (fill, validity 0).
    public struct TranslationFilter {
        public let sourceWidth: Int
        public let sourceHeight: Int
        public let destinationWidth: Int
        public let destinationHeight: Int
        /// Destination columns and rows whose centre maps inside the source.
        public let columns: Range<Int>
        public let rows: Range<Int>
        let horizontal: AxisTaps
        let vertical: AxisTaps

        public init(dx: Double, dy: Double, interpolation: Interpolation, sourceWidth: Int, sourceHeight: Int,
                    destinationWidth: Int, destinationHeight: Int) {
            precondition(sourceWidth > 0 && sourceHeight > 0, "TranslationFilter needs a non-empty source, got \(sourceWidth) x \(sourceHeight)")
            self.sourceWidth = sourceWidth; self.sourceHeight = sourceHeight
            self.destinationWidth = destinationWidth; self.destinationHeight = destinationHeight
            horizontal = AxisTaps(offset: dx, method: interpolation)
            vertical = AxisTaps(offset: dy, method: interpolation)
            func insideRange(_ count: Int, _ d: Double, _ limit: Int) -> Range<Int> {
                let lo = max(0, Int((-0.5 - d).rounded(.up))), hi = min(count, Int((Double(limit) - 0.5 - d).rounded(.up)))
                return lo < hi ? lo..<hi : 0..<0
            }
            columns = insideRange(destinationWidth, dx, sourceWidth)
            rows = insideRange(destinationHeight, dy, sourceHeight)
        }

        /// Source rows each destination row combines.
        public var taps: Int { vertical.taps }

        /// The source row (clamped to the source) that tap k of destination row y reads.
        @inline(__always) public func sourceRow(_ y: Int, tap k: Int) -> Int {
            min(sourceHeight - 1, max(0, vertical.base + y + k))
        }

        /// line[x] for x in `columns`: source row `src` (`sourceWidth` samples) filtered horizontally.
        public func filterRow(_ src: UnsafePointer<Float>, into line: UnsafeMutablePointer<Float>,
                              using implementation: KernelImplementation = .simd) {
            switch implementation {
            case .scalar: filterRowScalar(src, sourceWidth, line, columns, horizontal)
            case .simd: filterRowSIMD(src, sourceWidth, line, columns, horizontal)
            }
        }

        /// out[x] = sum_k weight_k * lines[k][x] for x in `columns`, `fill` elsewhere;
        /// lines[k] is the filtered line of `sourceRow(y, tap: k)`.
        public func combine(_ lines: UnsafePointer<UnsafePointer<Float>>, into out: UnsafeMutablePointer<Float>, fill: Float,
                            using implementation: KernelImplementation = .simd) {
            switch implementation {
            case .scalar: combineRowsScalar(lines, vertical, out, columns)
            case .simd: combineRowsSIMD(lines, vertical, out, columns)
            }
            for x in 0..<columns.lowerBound { out[x] = fill }
            for x in columns.upperBound..<destinationWidth { out[x] = fill }
        }
    }

    static func translate(_ source: PlaneView<Float>, into destination: MutablePlaneView<Float>, dx: Double, dy: Double,
                          interpolation: Interpolation, fill: Float, validity: MutablePlaneView<UInt8>?,
                          using implementation: KernelImplementation) {
        let w = destination.width, h = destination.height
        let filter = TranslationFilter(dx: dx, dy: dy, interpolation: interpolation, sourceWidth: source.width,
                                       sourceHeight: source.height, destinationWidth: w, destinationHeight: h)
        let taps = filter.taps
        // A ring of horizontally filtered source rows, keyed by clamped source row index.
        let ring = UnsafeMutablePointer<Float>.allocate(capacity: taps * w)
        let lines = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: taps)
        defer { ring.deallocate(); lines.deallocate() }
        var ringRow = [Int](repeating: -1, count: taps)
        for y in 0..<h {
            let out = destination.row(y)
            let valid = validity?.row(y)
            guard filter.rows.contains(y), !filter.columns.isEmpty else {
                for x in 0..<w { out[x] = fill }
                if let valid { for x in 0..<w { valid[x] = 0 } }
                continue
            }
            for k in 0..<taps {
                let r = filter.sourceRow(y, tap: k)
                let slot = r % taps
                let line = ring + slot * w
                if ringRow[slot] != r {
                    filter.filterRow(source.row(r), into: line, using: implementation)
                    ringRow[slot] = r
                }
                lines[k] = UnsafePointer(line)
            }
            filter.combine(lines, into: out, fill: fill, using: implementation)
            if let valid {
                for x in 0..<w { valid[x] = filter.columns.contains(x) ? 1 : 0 }
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

    static func combineRowsScalar(_ lines: UnsafePointer<UnsafePointer<Float>>, _ taps: AxisTaps, _ out: UnsafeMutablePointer<Float>,
                                  _ columns: Range<Int>) {
        for x in columns {
            var sum: Float = 0
            for k in 0..<taps.taps { sum = sum + taps.weights[k] * lines[k][x] }
            out[x] = sum
        }
    }

    static func filterRowSIMD(_ src: UnsafePointer<Float>, _ width: Int, _ line: UnsafeMutablePointer<Float>,
                              _ columns: Range<Int>, _ taps: AxisTaps) {
        // Columns whose taps all fall inside the source need no clamping: 16 at a time.
        let safeStart = max(columns.lowerBound, -taps.base), safeEnd = min(columns.upperBound, width - taps.base - taps.taps + 1)
        var x = columns.lowerBound
        while x < min(safeStart, columns.upperBound) { line[x] = filterColumnScalar(src, width, x, taps); x += 1 }
        let raw = UnsafeRawPointer(src + taps.base)
        let w0 = SIMD16<Float>(repeating: taps.weights[0]), w1 = SIMD16<Float>(repeating: taps.weights[1])
        let w2 = SIMD16<Float>(repeating: taps.weights[2]), w3 = SIMD16<Float>(repeating: taps.weights[3])
        @inline(__always) func load(_ i: Int) -> SIMD16<Float> { raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) }
        // One loop per tap count, unrolled: the same sums, starting from 0, in tap order.
        switch taps.taps {
        case 4:
            while x + 16 <= safeEnd {
                var sum = SIMD16<Float>() + w0 * load(x)
                sum = sum + w1 * load(x + 1); sum = sum + w2 * load(x + 2); sum = sum + w3 * load(x + 3)
                UnsafeMutableRawPointer(line + x).storeBytes(of: sum, as: SIMD16<Float>.self)
                x += 16
            }
        case 2:
            while x + 16 <= safeEnd {
                var sum = SIMD16<Float>() + w0 * load(x)
                sum = sum + w1 * load(x + 1)
                UnsafeMutableRawPointer(line + x).storeBytes(of: sum, as: SIMD16<Float>.self)
                x += 16
            }
        default:
            while x + 16 <= safeEnd {
                let sum = SIMD16<Float>() + w0 * load(x)
                UnsafeMutableRawPointer(line + x).storeBytes(of: sum, as: SIMD16<Float>.self)
                x += 16
            }
        }
        while x < columns.upperBound { line[x] = filterColumnScalar(src, width, x, taps); x += 1 }
    }

    static func combineRowsSIMD(_ lines: UnsafePointer<UnsafePointer<Float>>, _ taps: AxisTaps, _ out: UnsafeMutablePointer<Float>,
                                _ columns: Range<Int>) {
        var x = columns.lowerBound
        let w0 = SIMD16<Float>(repeating: taps.weights[0]), w1 = SIMD16<Float>(repeating: taps.weights[1])
        let w2 = SIMD16<Float>(repeating: taps.weights[2]), w3 = SIMD16<Float>(repeating: taps.weights[3])
        @inline(__always) func load(_ k: Int, _ x: Int) -> SIMD16<Float> { UnsafeRawPointer(lines[k] + x).loadUnaligned(as: SIMD16<Float>.self) }
        switch taps.taps {
        case 4:
            let l0 = lines[0], l1 = lines[1], l2 = lines[2], l3 = lines[3]
            while x + 16 <= columns.upperBound {
                var sum = SIMD16<Float>() + w0 * UnsafeRawPointer(l0 + x).loadUnaligned(as: SIMD16<Float>.self)
                sum = sum + w1 * UnsafeRawPointer(l1 + x).loadUnaligned(as: SIMD16<Float>.self)
                sum = sum + w2 * UnsafeRawPointer(l2 + x).loadUnaligned(as: SIMD16<Float>.self)
                sum = sum + w3 * UnsafeRawPointer(l3 + x).loadUnaligned(as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(out + x).storeBytes(of: sum, as: SIMD16<Float>.self)
                x += 16
            }
        case 2:
            while x + 16 <= columns.upperBound {
                var sum = SIMD16<Float>() + w0 * load(0, x)
                sum = sum + w1 * load(1, x)
                UnsafeMutableRawPointer(out + x).storeBytes(of: sum, as: SIMD16<Float>.self)
                x += 16
            }
        default:
            while x + 16 <= columns.upperBound {
                let sum = SIMD16<Float>() + w0 * load(0, x)
                UnsafeMutableRawPointer(out + x).storeBytes(of: sum, as: SIMD16<Float>.self)
                x += 16
            }
        }
        while x < columns.upperBound {
            var sum: Float = 0
            for k in 0..<taps.taps { sum = sum + taps.weights[k] * lines[k][x] }
            out[x] = sum
            x += 1
        }
    }
}

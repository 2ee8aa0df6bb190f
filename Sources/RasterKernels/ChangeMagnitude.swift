/// The fused change kernel: per-pixel spectral change magnitude plus its histogram, in one pass.
///
/// For bands b = 0..<N (1...8) of two dates on the same grid it computes
///
///     m = sqrt( sum_b (gain_b * after_b + offset_b - before_b)^2 )
///
/// — the Euclidean length of the change vector (change vector analysis) after relative radiometric
/// normalisation of the *after* date onto the *before* date. Pixels whose validity mask byte is 0
/// (nodata, cloud) get m = 0 and are not counted. The histogram of m feeds the automatic
/// thresholds (`Thresholds.otsu`, `Thresholds.kittlerIllingworth`); fusing it into the magnitude pass
/// saves a second read of the output plane, which on these machines costs as much as the arithmetic.
///
/// Output: either the Float32 magnitude plane, or (`codes:`) the magnitude quantised to UInt16 as
/// the change core stores it between its passes — code = min(65534, round(m * codeScale)), ties to
/// even; 65535 (`invalidCode`) for masked pixels and NaN magnitudes. The code form saves the
/// Float plane's write and read-back, a third of the pass's memory traffic.
///
/// Histogram: `histogram.count` bins of equal width over [0, maxValue); values >= maxValue go to the
/// last bin. Counts are *added* to the caller's histogram, so tiles accumulate into one histogram.
/// A NaN magnitude (NaN in the input) is written to the output but not counted.
///
/// Tolerance between the twins: zero. Both compute each pixel with the same IEEE operations in the
/// same order (band 0 first; multiply, add, subtract, square, accumulate; Swift never contracts
/// into an FMA), and both take the bin from `binIndex`'s expression, so magnitudes agree bit for bit
/// and histograms exactly; the tests assert both. A future reordering (FMA, pairwise band sums) would
/// loosen the magnitude to a few ulp and could move a value lying within an ulp of a bin edge.
public enum ChangeMagnitude {
    public static let bandCountRange = 1...8
    /// The code of a masked pixel or a NaN magnitude.
    public static let invalidCode: UInt16 = 65535
    /// The largest code of a valid magnitude.
    public static let maxCode: UInt16 = 65534

    /// Computes the magnitude plane and adds its histogram; returns how many pixels were counted.
    /// - Parameters:
    ///   - before, after: N planes each, all of the magnitude plane's size (strides may differ).
    ///   - afterScale: N linear maps applied to `after` (gain, offset per band).
    ///   - validity: 0 = skip the pixel; any other value = use it. nil = all valid.
    @discardableResult
    public static func compute(before: [PlaneView<Float>], after: [PlaneView<Float>], afterScale: [LinearScale],
                               validity: PlaneView<UInt8>? = nil, magnitude: MutablePlaneView<Float>,
                               histogram: UnsafeMutableBufferPointer<UInt32>, maxValue: Float,
                               using implementation: KernelImplementation = .simd) -> Int {
        check(before: before, after: after, afterScale: afterScale, validity: validity, width: magnitude.width, height: magnitude.height)
        let bins = Binning(binCount: histogram.count, maxValue: maxValue)
        guard magnitude.width > 0, magnitude.height > 0 else { return 0 }
        let output = Output.magnitude(magnitude)
        switch implementation {
        case .scalar:
            return computeScalar(before: before, after: after, afterScale: afterScale, validity: validity,
                                 output: output, histogram: histogram.baseAddress!, bins: bins)
        case .simd:
            return computeSIMD(before: before, after: after, afterScale: afterScale, validity: validity,
                               output: output, histogram: histogram.baseAddress!, bins: bins)
        }
    }

    /// As above, writing UInt16 codes, min(65534, round(m * codeScale)) (65535 where masked or NaN),
    /// instead of Float magnitudes.
    @discardableResult
    public static func compute(before: [PlaneView<Float>], after: [PlaneView<Float>], afterScale: [LinearScale],
                               validity: PlaneView<UInt8>? = nil, codes: MutablePlaneView<UInt16>, codeScale: Float,
                               histogram: UnsafeMutableBufferPointer<UInt32>, maxValue: Float,
                               using implementation: KernelImplementation = .simd) -> Int {
        check(before: before, after: after, afterScale: afterScale, validity: validity, width: codes.width, height: codes.height)
        precondition(codeScale > 0 && codeScale.isFinite, "ChangeMagnitude codeScale must be finite and > 0, got \(codeScale)")
        let bins = Binning(binCount: histogram.count, maxValue: maxValue)
        guard codes.width > 0, codes.height > 0 else { return 0 }
        let output = Output.codes(codes, scale: codeScale)
        switch implementation {
        case .scalar:
            return computeScalar(before: before, after: after, afterScale: afterScale, validity: validity,
                                 output: output, histogram: histogram.baseAddress!, bins: bins)
        case .simd:
            return computeSIMD(before: before, after: after, afterScale: afterScale, validity: validity,
                               output: output, histogram: histogram.baseAddress!, bins: bins)
        }
    }

    /// The code of magnitude `m`: what the code form of `compute` writes for a valid pixel.
    @inline(__always) public static func code(of m: Float, codeScale: Float) -> UInt16 {
        let c = m * codeScale
        if c.isNaN { return invalidCode }
        return c > 65534 ? maxCode : UInt16(c.rounded(.toNearestOrEven))
    }

    /// The bin of magnitude `m` in a histogram of `binCount` bins over [0, maxValue), or nil for NaN.
    /// Both twins compute the same expression, m * (binCount / maxValue), so they agree exactly.
    public static func binIndex(of m: Float, binCount: Int, maxValue: Float) -> Int? {
        Binning(binCount: binCount, maxValue: maxValue).index(of: m)
    }

    private static func check(before: [PlaneView<Float>], after: [PlaneView<Float>], afterScale: [LinearScale],
                              validity: PlaneView<UInt8>?, width: Int, height: Int) {
        let n = before.count
        precondition(bandCountRange.contains(n), "ChangeMagnitude handles 1...8 bands, got \(n)")
        precondition(after.count == n && afterScale.count == n,
                     "ChangeMagnitude: \(n) before bands, \(after.count) after bands, \(afterScale.count) scales")
        var sizes = (before + after).map { ($0.width, $0.height) }
        if let validity { sizes.append((validity.width, validity.height)) }
        for (w, h) in sizes {
            precondition(w == width && h == height, "ChangeMagnitude: sizes differ, \(w) x \(h) versus \(width) x \(height)")
        }
    }

    /// Where the kernel writes.
    enum Output {
        case magnitude(MutablePlaneView<Float>)
        case codes(MutablePlaneView<UInt16>, scale: Float)

        var width: Int { switch self { case .magnitude(let p): return p.width; case .codes(let p, _): return p.width } }
        var height: Int { switch self { case .magnitude(let p): return p.height; case .codes(let p, _): return p.height } }
    }

    struct Binning {
        let binCount: Int
        let scale: Float
        let binCountAsFloat: Float

        init(binCount: Int, maxValue: Float) {
            // 2^22 keeps binCount exact as a Float and the SIMD twin's magic-number conversion exact.
            precondition(binCount >= 1 && binCount <= 1 << 22, "histogram needs 1...2^22 bins, got \(binCount)")
            precondition(maxValue > 0 && maxValue.isFinite, "histogram maxValue must be finite and > 0, got \(maxValue)")
            self.binCount = binCount
            self.binCountAsFloat = Float(binCount)
            self.scale = Float(binCount) / maxValue
        }

        @inline(__always) func index(of m: Float) -> Int? {
            let t = m * scale
            if t.isNaN { return nil }
            return t >= binCountAsFloat ? binCount - 1 : Int(t)
        }
    }
}

import RasterKernels

/// Where change begins on the change magnitude, chosen on the histogram of the whole overlap.
///
/// A histogram threshold always splits something: on two dates of unchanged ground Otsu cuts the
/// noise in two and calls a third of it change. So the threshold is also held above the tail of
/// the no-change distribution, estimated robustly from the same histogram: its median plus the
/// normal quantile of `noChangeTailProbability` times its scaled median absolute deviation, which
/// describe the unchanged majority as long as less than half the overlap changed. Unlike the old
/// floor of 4x the median, it scales with the spread, not the level, of the magnitudes; with the
/// orthogonal normalisation the level no longer carries the before image's own contrast. The
/// report names the rule that set the value.
enum ChangeThreshold {
    /// - Returns: the threshold in magnitude units and the name of the rule that set it.
    static func choose(histogram: [UInt32], maxValue: Double, parameters: ChangeParameters) -> (value: Double, method: String) {
        let chosen: (value: Double, method: String)
        switch parameters.threshold {
        case .otsu:
            guard let t = Thresholds.otsu(histogram: histogram, maxValue: maxValue) else { return (maxValue, "none: the magnitudes take a single value") }
            chosen = (t.value, "otsu")
        case .kittlerIllingworth:
            guard let t = Thresholds.kittlerIllingworth(histogram: histogram, maxValue: maxValue) else { return (maxValue, "none: the magnitudes take a single value") }
            chosen = (t.value, "kittler_illingworth")
        case .fixed(let value):
            return (value, "fixed")
        }
        guard let tail = noChangeTail(histogram: histogram, maxValue: maxValue, probability: parameters.noChangeTailProbability),
              tail > chosen.value else { return chosen }
        return (tail, "no_change_tail (\(chosen.method) below it)")
    }

    /// median + z(1 - p) × 1.4826 × MAD of the histogram's values (bin centres), z the standard
    /// normal quantile; nil for an empty histogram.
    static func noChangeTail(histogram: [UInt32], maxValue: Double, probability: Double) -> Double? {
        let total = histogram.reduce(0) { $0 + Int($1) }
        guard total > 0 else { return nil }
        let width = maxValue / Double(histogram.count)
        func quantile(_ counts: [Int], _ q: Double) -> Double {
            let rank = Double(counts.reduce(0, +) - 1) * q
            var seen = 0
            for (i, c) in counts.enumerated() where c > 0 {
                if Double(seen + c - 1) >= rank { return (Double(i) + 0.5) * width }
                seen += c
            }
            return Double(counts.count) * width
        }
        let counts = histogram.map { Int($0) }
        let median = quantile(counts, 0.5)
        // The absolute deviations from the median, binned on the same grid.
        var deviations = [Int](repeating: 0, count: histogram.count)
        let medianBin = Int(median / width)
        for (i, c) in counts.enumerated() where c > 0 { deviations[abs(i - medianBin)] += c }
        let mad = quantile(deviations, 0.5) - 0.5 * width
        return median + normalQuantile(1 - probability) * 1.4826 * max(mad, 0)
    }

    /// The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
    static func normalQuantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "normal quantile of \(p)")
        let a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690, -30.66479806614716, 2.506628277459239]
        let b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
        let c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
        let d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
        let low = 0.02425
        if p < low || p > 1 - low {
            let q = (-2 * ChiSquare.log(p < low ? p : 1 - p)).squareRoot()
            let x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
            return p < low ? x : -x
        }
        let q = p - 0.5, r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}

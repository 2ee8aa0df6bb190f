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

    /// median + z(1 - p) × `madToStandardDeviation` × MAD of the histogram's values (bin centres),
    /// z the standard normal quantile; nil for an empty histogram.
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
        return median + StandardNormal.quantile(1 - probability) * madToStandardDeviation * max(mad, 0)
    }
}

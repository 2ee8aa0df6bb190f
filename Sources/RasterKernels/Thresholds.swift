import RealModule
/// A threshold chosen on a histogram: pixels in bins 0...`bin` are "no change", bins above are
/// "change". `value` is the upper edge of `bin`, (bin + 1) * maxValue / binCount, i.e. the smallest
/// magnitude counted above the threshold; `bin` is authoritative for values within an ulp of it.
public struct HistogramThreshold: Hashable, Sendable {
    public var bin: Int
    public var value: Double
    public init(bin: Int, value: Double) { self.bin = bin; self.value = value }
}

/// Automatic thresholds over a histogram of change magnitude (pure functions, no SIMD: they touch
/// a few hundred bins once per scene).
///
/// Both return nil when fewer than two bins are non-empty: an empty or single-valued histogram has
/// no split into two non-empty classes. Where the criterion is flat over a run of empty bins (two
/// separated modes), the middle of the run is returned rather than its first bin, so that the
/// threshold sits midway across the gap instead of hugging the lower mode.
public enum Thresholds {
    /// Otsu (1979): the split maximising the between-class variance w0 w1 (mu0 - mu1)^2.
    public static func otsu<C: RandomAccessCollection>(histogram: C, maxValue: Double) -> HistogramThreshold?
    where C.Element == UInt32 {
        let h = histogram.map(Double.init)
        guard nonEmptyBins(h) >= 2 else { return nil }
        let total = h.reduce(0, +)
        let totalMoment = h.indices.reduce(0.0) { $0 + Double($1) * h[$1] }
        var w0 = 0.0, m0 = 0.0
        var scores = [Double](repeating: -.infinity, count: h.count)
        for t in 0..<(h.count - 1) {
            w0 += h[t]; m0 += Double(t) * h[t]
            let w1 = total - w0
            guard w0 > 0, w1 > 0 else { continue }
            let mu0 = m0 / w0, mu1 = (totalMoment - m0) / w1
            scores[t] = w0 * w1 * (mu0 - mu1) * (mu0 - mu1)
        }
        return best(scores, maximise: true, binCount: h.count, maxValue: maxValue)
    }

    /// Kittler & Illingworth (1986) minimum error thresholding: models the two classes as Gaussians
    /// and picks the split minimising J(t) = 1 + 2 (P0 ln s0 + P1 ln s1) - 2 (P0 ln P0 + P1 ln P1).
    /// Unlike Otsu it follows unequal variances: the threshold moves towards the narrower mode.
    ///
    /// Each class variance gets Sheppard's 1/12 bin² (the variance of a value spread uniformly over
    /// its bin): a class that fits in one bin is then a narrow Gaussian, not a zero variance whose
    /// logarithm would be -infinity, so every split with two non-empty classes has a finite score.
    public static func kittlerIllingworth<C: RandomAccessCollection>(histogram: C, maxValue: Double) -> HistogramThreshold?
    where C.Element == UInt32 {
        let h = histogram.map(Double.init)
        guard nonEmptyBins(h) >= 2 else { return nil }
        let total = h.reduce(0, +)
        var n0 = 0.0, s0 = 0.0, q0 = 0.0
        var n1 = total, s1 = 0.0, q1 = 0.0
        for i in h.indices { s1 += Double(i) * h[i]; q1 += Double(i) * Double(i) * h[i] }
        var scores = [Double](repeating: .infinity, count: h.count)
        for t in 0..<(h.count - 1) {
            let c = h[t], i = Double(t)
            n0 += c; s0 += i * c; q0 += i * i * c
            n1 -= c; s1 -= i * c; q1 -= i * i * c
            guard n0 > 0, n1 > 0 else { continue }
            let p0 = n0 / total, p1 = n1 / total
            let mean0 = s0 / n0, mean1 = s1 / n1
            let var0 = max(q0 / n0 - mean0 * mean0, 0) + 1.0 / 12
            let var1 = max(q1 / n1 - mean1 * mean1, 0) + 1.0 / 12
            // P ln sigma = P/2 ln variance.
            scores[t] = 1 + (p0 * Double.log(var0) + p1 * Double.log(var1))
                - 2 * (p0 * Double.log(p0) + p1 * Double.log(p1))
        }
        return best(scores, maximise: false, binCount: h.count, maxValue: maxValue)
    }

    private static func nonEmptyBins(_ h: [Double]) -> Int { h.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }

    /// The middle of the first run of equal best scores (a flat run arises across empty bins).
    private static func best(_ scores: [Double], maximise: Bool, binCount: Int, maxValue: Double) -> HistogramThreshold? {
        var bestScore = maximise ? -Double.infinity : Double.infinity
        var first = -1, last = -1
        for (t, s) in scores.enumerated() where s.isFinite {
            if maximise ? s > bestScore : s < bestScore { bestScore = s; first = t; last = t }
            else if s == bestScore && last == t - 1 { last = t }
        }
        guard first >= 0 else { return nil }
        let bin = (first + last) / 2
        return HistogramThreshold(bin: bin, value: Double(bin + 1) * maxValue / Double(binCount))
    }
}

import RealModule

/// The chi-square distribution with an integer number of degrees of freedom: IR-MAD's no-change
/// statistic (the sum of the squared standardised MAD variates) follows it where nothing changed.
public enum ChiSquare {
    /// P(X > x) for X ~ χ²(degrees), in closed form (Abramowitz & Stegun 26.4.4 and 26.4.5):
    /// even k: e^(-x/2) Σ_{j<k/2} (x/2)^j / j!; odd k: erfc(√(x/2)) + e^(-x/2) Σ_{j<(k-1)/2} (x/2)^(j+1/2) / Γ(j+3/2).
    public static func survival(_ x: Double, degrees: Int) -> Double {
        precondition(degrees >= 1, "chi-square with \(degrees) degrees of freedom")
        guard x > 0 else { return 1 }
        guard x.isFinite else { return 0 }
        let half = x / 2
        let e = Double.exp(-half)
        if degrees % 2 == 0 {
            var term = 1.0, sum = 1.0
            for j in stride(from: 1, to: degrees / 2, by: 1) { term *= half / Double(j); sum += term }
            return min(1, e * sum)
        }
        var term = half.squareRoot() / 0.886_226_925_452_758_0   // (x/2)^(1/2) / Γ(3/2)
        var sum = 0.0
        for j in 0..<((degrees - 1) / 2) {
            sum += term
            term *= half / (Double(j) + 1.5)                        // Γ(j+5/2) = (j+3/2) Γ(j+3/2)
        }
        return min(1, Double.erfc(half.squareRoot()) + e * sum)
    }

    static func log(_ x: Double) -> Double { Double.log(x) }

    /// The x with P(X > x) = p (bisection on `survival`, which is monotone): thresholds with a
    /// meaning, such as the 0.1 % tail of unchanged pixels.
    public static func quantile(survival p: Double, degrees: Int) -> Double {
        precondition(p > 0 && p < 1, "survival probability \(p) outside (0, 1)")
        var low = 0.0, high = Double(degrees)
        while survival(high, degrees: degrees) > p { high *= 2 }
        for _ in 0..<80 {
            let mid = (low + high) / 2
            if survival(mid, degrees: degrees) > p { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }
}

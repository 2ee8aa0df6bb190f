import RealModule

/// Distributions the change map's decisions are stated in.

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

/// The standard normal distribution: the no-change tail of the change threshold.
public enum StandardNormal {
    /// The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
    public static func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "normal quantile of \(p)")
        let a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690, -30.66479806614716, 2.506628277459239]
        let b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
        let c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
        let d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
        let low = 0.02425
        if p < low || p > 1 - low {
            let q = (-2 * Double.log(p < low ? p : 1 - p)).squareRoot()
            let x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
            return p < low ? x : -x
        }
        let q = p - 0.5, r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}

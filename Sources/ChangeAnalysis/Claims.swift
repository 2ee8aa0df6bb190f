import GeoRaster

/// A documented figure about a site, to be checked against what SiteWatch measures. Codable so that
/// a claims file (JSON) decodes straight into `[Claim]`.
public struct Claim: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable {
        /// Growth of the enclosed area, percent (`values[0]`).
        case areaGrowthPercent
        /// Enclosed area before and after (`values[0]`, `values[1]`) in `units`.
        case areaBeforeAfter
        /// New guard posts along the new fence line (`values[0]`).
        case newGuardPosts
        /// At least `values[0]` new buildings, in the eastern part of the new perimeter.
        case newBuildingsEastern
    }
    public enum Units: String, Sendable, Codable {
        case percent, count
        case squareMeters = "m2", squareKilometers = "km2", hectares = "ha"
        /// Square metres per one unit.
        var squareMeters: Double {
            switch self {
            case .squareMeters: return 1
            case .squareKilometers: return 1_000_000
            case .hectares: return 10_000
            case .percent, .count: return 1
            }
        }
    }
    public var id: String
    public var text: String
    public var kind: Kind
    public var values: [Double]
    public var units: Units
    /// Where the figure comes from.
    public var source: String?

    public init(id: String, text: String, kind: Kind, values: [Double], units: Units, source: String? = nil) {
        self.id = id; self.text = text; self.kind = kind; self.values = values; self.units = units; self.source = source
    }
}

/// What SiteWatch measured, with uncertainties, for checking claims.
public struct Measurements: Sendable, Codable, Hashable {
    public var areaBeforeSquareMeters: Double?
    public var areaAfterSquareMeters: Double?
    /// One standard uncertainty of each area (fence placement, co-registration), m².
    public var areaUncertaintySquareMeters: Double
    /// New guard posts within the fence tolerance of the new fence line.
    public var newGuardPostsOnNewFence: Int?
    /// Count uncertainty of posts (posts hidden or doubtful), ±.
    public var newGuardPostsUncertainty: Int
    public var newBuildings: Int?
    public var newBuildingsEast: Int?
    /// Fraction of the perimeter hidden (cloud, no data) at either date, 0-1.
    public var occludedFraction: Double

    public init(areaBeforeSquareMeters: Double?, areaAfterSquareMeters: Double?, areaUncertaintySquareMeters: Double,
                newGuardPostsOnNewFence: Int?, newGuardPostsUncertainty: Int = 1, newBuildings: Int?, newBuildingsEast: Int?,
                occludedFraction: Double = 0) {
        self.areaBeforeSquareMeters = areaBeforeSquareMeters; self.areaAfterSquareMeters = areaAfterSquareMeters
        self.areaUncertaintySquareMeters = areaUncertaintySquareMeters
        self.newGuardPostsOnNewFence = newGuardPostsOnNewFence; self.newGuardPostsUncertainty = newGuardPostsUncertainty
        self.newBuildings = newBuildings; self.newBuildingsEast = newBuildingsEast; self.occludedFraction = occludedFraction
    }

    /// Growth in percent and its standard uncertainty (first-order propagation of both areas').
    public var growthPercent: (value: Double, uncertainty: Double)? {
        guard let a = areaBeforeSquareMeters, let b = areaAfterSquareMeters, a > 0 else { return nil }
        let r = b / a
        let u = r * ((areaUncertaintySquareMeters / a) * (areaUncertaintySquareMeters / a)
                     + (areaUncertaintySquareMeters / b) * (areaUncertaintySquareMeters / b)).squareRoot()
        return ((r - 1) * 100, u * 100)
    }
}

public struct ClaimVerdict: Sendable, Codable, Hashable {
    public enum Verdict: String, Sendable, Codable { case consistent, notConsistent = "not_consistent", inconclusive }
    public var id: String
    public var documented: String
    public var measured: String
    public var uncertainty: String
    public var verdict: Verdict
    /// One sentence.
    public var reason: String
    /// Set when a documented figure is off from the measured scale by a factor of ten or more: a
    /// unit error, not a contradiction.
    public var unitWarning: String?
}

public enum Claims {
    /// The documented change at Kwan-li-so No. 25 (see shared/site-facts.md), plus the popular
    /// account's figures, whose units are wrong (580 m² is a 24 m yard), kept so the unit check
    /// can say so.
    public static let camp25: [Claim] = [
        Claim(id: "area-growth", text: "The perimeter expanded in 2010 by 72 %", kind: .areaGrowthPercent, values: [72], units: .percent,
              source: "HRNK imagery analysis (2013); Wikipedia"),
        Claim(id: "area-before-after", text: "The area grew from 580,000 m² to 1,000,000 m²", kind: .areaBeforeAfter,
              values: [580_000, 1_000_000], units: .squareMeters, source: "HRNK (2013); HRNK Update 2 (2016): 1.01 km²"),
        Claim(id: "area-popular", text: "The camp grew from 580 m² to 1,000 m² (popular account)", kind: .areaBeforeAfter,
              values: [580, 1_000], units: .squareMeters, source: "Wikipedia (widely copied)"),
        Claim(id: "new-guard-posts", text: "17 new guard posts along the new fence line", kind: .newGuardPosts, values: [17], units: .count,
              source: "Wikipedia, citing HRNK 2013"),
        Claim(id: "new-buildings-east", text: "Several new buildings in the eastern part of the new perimeter", kind: .newBuildingsEastern,
              values: [2], units: .count, source: "Wikipedia, citing HRNK 2013"),
    ]

    /// Perimeter hidden beyond this fraction makes area and post claims inconclusive.
    public static let maximumOccludedFraction = 0.05

    public static func evaluate(_ claims: [Claim], measured m: Measurements) -> [ClaimVerdict] {
        claims.map { evaluate($0, measured: m) }
    }

    static func evaluate(_ claim: Claim, measured m: Measurements) -> ClaimVerdict {
        let hidden = m.occludedFraction > maximumOccludedFraction
        let hiddenText = "\(Int((m.occludedFraction * 100).rounded())) % of the perimeter is hidden"
        func verdict(_ documented: String, _ measured: String, _ uncertainty: String, _ v: ClaimVerdict.Verdict, _ reason: String,
                     unitWarning: String? = nil) -> ClaimVerdict {
            ClaimVerdict(id: claim.id, documented: documented, measured: measured, uncertainty: uncertainty, verdict: v,
                         reason: reason, unitWarning: unitWarning)
        }
        func missing(_ documented: String, _ what: String) -> ClaimVerdict {
            verdict(documented, "not measured", "-", .inconclusive, "SiteWatch could not measure \(what).")
        }
        switch claim.kind {
        case .areaGrowthPercent:
            let documented = "+\(format(claim.values.first ?? .nan, 1)) %"
            guard let g = m.growthPercent else { return missing(documented, "both areas") }
            let u = max(g.uncertainty, 0.5)
            let measured = "+\(format(g.value, 1)) %", unc = "± \(format(2 * u, 1)) points (2σ)"
            if hidden { return verdict(documented, measured, unc, .inconclusive, "\(hiddenText), so the enclosed area is not fully measured.") }
            let d = abs(g.value - claim.values[0])
            return d <= 2 * u + 1
                ? verdict(documented, measured, unc, .consistent, "The measured growth is within \(format(d, 1)) points of the documented figure, inside the uncertainty plus the claim's rounding.")
                : verdict(documented, measured, unc, .notConsistent, "The measured growth differs from the documented figure by \(format(d, 1)) points, beyond the uncertainty.")
        case .areaBeforeAfter:
            let k = claim.units.squareMeters
            let documentedValues = claim.values.map { $0 * k }
            let documented = documentedValues.map { "\(format($0, 0)) m²" }.joined(separator: " → ")
            guard let a = m.areaBeforeSquareMeters, let b = m.areaAfterSquareMeters, documentedValues.count == 2 else {
                return missing(documented, "both areas")
            }
            let u = max(m.areaUncertaintySquareMeters, 1)
            let measured = "\(format(a, 0)) m² → \(format(b, 0)) m²", unc = "± \(format(2 * u, 0)) m² each (2σ)"
            // Unit sanity: a documented area a factor of ten or more off the measured one is a unit
            // error (m² for thousands of m², km² for m²), not a contradiction worth arguing.
            let ratios = [documentedValues[0] / a, documentedValues[1] / b]
            if ratios.contains(where: { $0 >= 10 || $0 <= 0.1 }) {
                let factor = (ratios[0] * ratios[1]).squareRoot()
                let power = nearestPowerOfTen(factor)
                let corrected = documentedValues.map { $0 / pow10(power) }
                let ratioConsistent = abs(documentedValues[1] / documentedValues[0] - b / a) <= 2 * (m.growthPercent?.uncertainty ?? 1) / 100 + 0.01
                let warning = "The documented areas are \(factorText(factor)) the measured ones: a unit error; read as \(corrected.map { "\(format($0, 0)) m²" }.joined(separator: " → ")), they \(ratioConsistent ? "agree" : "do not agree") with the measurement."
                return verdict(documented, measured, unc, .notConsistent,
                               "As written the figures are \(factorText(factor)) the measured scale, so their units are wrong.",
                               unitWarning: warning)
            }
            if hidden { return verdict(documented, measured, unc, .inconclusive, "\(hiddenText), so the enclosed area is not fully measured.") }
            // Documented figures are rounded; allow 2 % of the figure on top of the uncertainty.
            let ok = abs(documentedValues[0] - a) <= 2 * u + 0.02 * documentedValues[0] && abs(documentedValues[1] - b) <= 2 * u + 0.02 * documentedValues[1]
            return ok
                ? verdict(documented, measured, unc, .consistent, "Both measured areas agree with the documented figures within the uncertainty and the figures' rounding.")
                : verdict(documented, measured, unc, .notConsistent, "At least one measured area differs from its documented figure beyond the uncertainty and rounding.")
        case .newGuardPosts:
            let expected = Int(claim.values.first ?? 0)
            let documented = "\(expected) new guard posts on the new fence"
            guard let n = m.newGuardPostsOnNewFence else { return missing(documented, "the new guard posts") }
            let u = m.newGuardPostsUncertainty
            let measured = "\(n)", unc = "± \(u)"
            if hidden { return verdict(documented, measured, unc, .inconclusive, "\(hiddenText), so posts there may be hidden.") }
            return abs(n - expected) <= u
                ? verdict(documented, measured, unc, .consistent, "\(n) new posts stand on the new fence line, within \(u) of the documented \(expected).")
                : verdict(documented, measured, unc, .notConsistent, "\(n) new posts stand on the new fence line, more than \(u) from the documented \(expected).")
        case .newBuildingsEastern:
            let least = Int(claim.values.first ?? 2)
            let documented = "several (≥ \(least)) new buildings, in the east"
            guard let total = m.newBuildings, let east = m.newBuildingsEast else { return missing(documented, "the new buildings") }
            let measured = "\(east) of \(total) new buildings in the eastern part", unc = "± 1"
            if east >= least && 2 * east > total {
                return verdict(documented, measured, unc, .consistent, "\(east) of \(total) new buildings stand east of the old compound's centre, in the new perimeter's eastern part.")
            }
            if hidden && east < least { return verdict(documented, measured, unc, .inconclusive, "\(hiddenText), so buildings there may be hidden.") }
            return verdict(documented, measured, unc, .notConsistent,
                           total < least ? "Only \(total) new buildings were found, fewer than several." : "Only \(east) of \(total) new buildings stand in the eastern part.")
        }
    }

    private static func format(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return "?" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let r = (abs(x) * scale).rounded() / scale
        let integer = Int(r)
        var digits = String(integer)
        // Thousands separators, as the documented figures are written.
        var grouped = ""
        while digits.count > 3 { grouped = "," + digits.suffix(3) + grouped; digits = String(digits.dropLast(3)) }
        grouped = digits + grouped
        var text = (x < 0 ? "-" : "") + grouped
        if decimals > 0 {
            let fraction = Int(((r - Double(integer)) * scale).rounded())
            let f = String(fraction)
            text += "." + String(repeating: "0", count: max(0, decimals - f.count)) + f
        }
        return text
    }

    /// The nearest power of ten, without Foundation or C: all the unit check needs.
    private static func nearestPowerOfTen(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return 0 }
        var p = 0.0, v = x
        while v >= 3.1623 { v /= 10; p += 1 }
        while v < 0.31623 { v *= 10; p -= 1 }
        return p
    }

    private static func pow10(_ e: Double) -> Double {
        var r = 1.0
        if e >= 0 { for _ in 0..<Int(e) { r *= 10 } } else { for _ in 0..<Int(-e) { r /= 10 } }
        return r
    }

    /// A unit error is a power of ten: name the nearest one ("1/1,000 of", "1,000 ×").
    private static func factorText(_ factor: Double) -> String {
        let rounded = pow10(nearestPowerOfTen(factor))
        return rounded < 1 ? "1/\(format(1 / rounded, 0)) of" : "\(format(rounded, 0)) ×"
    }
}

/// The mean of the valid codes in the (2r + 1) × (2r + 1) box around each pixel, for the change
/// magnitude between the change core's passes: misregistration, parallax and resampling leave
/// residuals a pixel or two across that do not agree between dates, and averaging over about a
/// metre keeps what is wider (issue 19: on real 0.3-1.5 m pairs it raised the change map's F1).
///
///     out(x, y) = floor((Σ valid codes in the box + floor(n / 2)) / n),   n = valid codes in the box
///
/// (the mean rounded half up), evaluated in Double: the sums are integers below 2^53, so the
/// expression is exact but for the division's own rounding, which both twins share
///
/// over the box clipped to the plane. A pixel whose own code is `invalid` stays invalid (masked
/// pixels are never made valid), and invalid codes are left out of every average. `rows` picks the
/// output rows within `source`, so a strip read with a halo of r rows above and below comes out as
/// if the whole plane had been filtered.
///
/// Tolerance between the twins: zero (the same integer sums, the same Double expression). The
/// scalar twin sums each box afresh; the SIMD twin keeps per-column sums over the box's rows,
/// updated a row at a time in `SIMD8<UInt32>` lanes, turns each row's column sums into prefix sums
/// and takes four boxes at a time as differences of them in `SIMD4<Double>` lanes. The division
/// is most of the cost: as a scalar UInt64 division it made this pass 0.35-0.4 s of an 8192²
/// change core (Benchmarks, 2 threads).
public enum BoxMean {
    public static func smooth(_ source: PlaneView<UInt16>, rows: Range<Int>, radius: Int, invalid: UInt16,
                              into destination: MutablePlaneView<UInt16>, using implementation: KernelImplementation = .simd) {
        precondition(radius >= 0, "BoxMean radius must not be negative, got \(radius)")
        precondition(rows.lowerBound >= 0 && rows.upperBound <= source.height, "BoxMean rows \(rows) outside a source of \(source.height) rows")
        precondition(destination.width == source.width && destination.height == rows.count,
                     "BoxMean destination is \(destination.width) x \(destination.height), expected \(source.width) x \(rows.count)")
        guard source.width > 0, !rows.isEmpty else { return }
        switch implementation {
        case .scalar: smoothScalar(source, rows: rows, radius: radius, invalid: invalid, into: destination)
        case .simd: smoothSIMD(source, rows: rows, radius: radius, invalid: invalid, into: destination)
        }
    }

    /// The rounded mean both twins take: floor((sum + floor(count / 2)) / count), in Double.
    @inline(__always) static func mean(sum: Double, count: Double) -> UInt16 {
        UInt16(((sum + (count * 0.5).rounded(.down)) / count).rounded(.down))
    }
}

/// The mean of the valid codes in the (2r + 1) × (2r + 1) box around each pixel, for the change
/// magnitude between the change core's passes: misregistration, parallax and resampling leave
/// residuals a pixel or two across that do not agree between dates, and averaging over about a
/// metre keeps what is wider (issue 19: on real 0.3-1.5 m pairs it raised the change map's F1).
///
///     out(x, y) = (Σ valid codes in the box + n / 2) / n   (integers),   n = valid codes in the box
///
/// the mean rounded half up
///
/// over the box clipped to the plane. A pixel whose own code is `invalid` stays invalid (masked
/// pixels are never made valid), and invalid codes are left out of every average. `rows` picks the
/// output rows within `source`, so a strip read with a halo of r rows above and below comes out as
/// if the whole plane had been filtered.
///
/// Tolerance between the twins: zero (exact integer arithmetic). The scalar twin sums each box
/// afresh and divides; the SIMD twin keeps per-column sums over the box's rows, updated a row at a
/// time in `SIMD8<UInt32>` lanes, takes each box along the row from prefix sums, and divides by
/// multiplying with a per-count magic reciprocal and shifting (Granlund & Montgomery 1994), exact
/// for boxes up to 63 x 63. The division was the pass's cost: a UInt64 division per pixel, or
/// Swift's `SIMD4<Double>` division (compiled lane by lane), made this pass 0.3-0.4 s of an 8192²
/// change core on 2 threads, as long as the fused magnitude kernel (perf).
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

    /// The rounded mean: (sum + count / 2) / count.
    @inline(__always) static func mean(sum: UInt64, count: UInt64) -> UInt16 { UInt16((sum + count / 2) / count) }

    /// Boxes up to this radius divide by magic reciprocals: for n valid codes (n ≤ 63² < 2^12) the
    /// dividend is below 65536 n, so (dividend × ceil(2^40 / n)) >> 40 is the exact quotient.
    static let largestMagicRadius = 31
    @inline(__always) static func magic(_ n: Int) -> UInt64 { n == 0 ? 0 : ((1 << 40) + UInt64(n) - 1) / UInt64(n) }
}

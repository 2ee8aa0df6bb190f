/// Sample-type conversion for radiometric normalisation and previews.
///
/// Sensors deliver UInt8, UInt16 or Int16 digital numbers; the change kernels work on Float32
/// reflectance-like values. `widen` computes y = gain * x + offset per sample (one `LinearScale` per
/// band: the caller calls it once per band row or plane) so that the scaling costs nothing beyond
/// the conversion itself. `narrow` goes the other way for previews: y = clamp(round(gain * x +
/// offset), 0, 255), rounding half to even, NaN to 0.
///
/// Scalar and SIMD twins perform the same IEEE operations per sample (a multiply, then an add;
/// Swift does not contract them into an FMA), so they agree bit for bit.
public enum SampleConversion {
    /// Integer samples (UInt8, UInt16, Int16) → Float32, y = gain * x + offset. `source` and
    /// `destination` have the same count.
    // Inlinable so that callers in other modules specialise it for their sample type: unspecialised,
    // Float(_:) from a generic integer went through protocol witnesses at ~15 ns a sample (measured).
    @inlinable
    public static func widen<T: WidenableSample>(_ source: UnsafeBufferPointer<T>, into destination: UnsafeMutableBufferPointer<Float>,
                                                 scale: LinearScale = .identity, using implementation: KernelImplementation = .simd) {
        precondition(source.count == destination.count,
                     "widen: \(source.count) samples into a buffer of \(destination.count)")
        guard let s = source.baseAddress, let d = destination.baseAddress else { return }
        switch implementation {
        case .scalar: widenScalar(s, d, source.count, scale)
        case .simd: widenSIMD(s, d, source.count, scale)
        }
    }

    /// Plane form of `widen`: row by row, so strided windows convert without a copy.
    @inlinable
    public static func widen<T: WidenableSample>(_ source: PlaneView<T>, into destination: MutablePlaneView<Float>,
                                                 scale: LinearScale = .identity, using implementation: KernelImplementation = .simd) {
        checkSameSize(source, destination, "SampleConversion.widen")
        guard source.width > 0 else { return }
        for y in 0..<source.height {
            switch implementation {
            case .scalar: widenScalar(source.row(y), destination.row(y), source.width, scale)
            case .simd: widenSIMD(source.row(y), destination.row(y), source.width, scale)
            }
        }
    }

    /// Float32 → UInt8 for previews: y = clamp(round(gain * x + offset), 0, 255), ties to even, NaN → 0.
    public static func narrow(_ source: UnsafeBufferPointer<Float>, into destination: UnsafeMutableBufferPointer<UInt8>,
                              scale: LinearScale = .identity, using implementation: KernelImplementation = .simd) {
        precondition(source.count == destination.count,
                     "narrow: \(source.count) samples into a buffer of \(destination.count)")
        guard let s = source.baseAddress, let d = destination.baseAddress else { return }
        switch implementation {
        case .scalar: narrowScalar(s, d, source.count, scale)
        case .simd: narrowSIMD(s, d, source.count, scale)
        }
    }

    /// Plane form of `narrow`.
    public static func narrow(_ source: PlaneView<Float>, into destination: MutablePlaneView<UInt8>,
                              scale: LinearScale = .identity, using implementation: KernelImplementation = .simd) {
        checkSameSize(source, destination, "SampleConversion.narrow")
        guard source.width > 0 else { return }
        for y in 0..<source.height {
            switch implementation {
            case .scalar: narrowScalar(source.row(y), destination.row(y), source.width, scale)
            case .simd: narrowSIMD(source.row(y), destination.row(y), source.width, scale)
            }
        }
    }
}

/// The integer sample types a sensor delivers: one generic loop serves all three, specialised per
/// type by the optimiser.
public protocol WidenableSample: FixedWidthInteger & SIMDScalar & Codable {}
extension UInt8: WidenableSample {}
extension UInt16: WidenableSample {}
extension Int16: WidenableSample {}

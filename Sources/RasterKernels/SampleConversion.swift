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
///
/// The public entry points are generic over the sample type, but the loops are not: each sample
/// type has its own concrete loop, chosen once per call. Generic loops ran through protocol
/// witnesses whenever a caller in another module could not specialise them (measured 0.19 GB/s
/// for UInt8; the concrete SIMD16<UInt8> -> SIMD16<Float> loop compiles to vpmovzxbd + vcvtdq2ps).
public enum SampleConversion {
    /// Integer samples (UInt8, UInt16, Int16) → Float32, y = gain * x + offset. `source` and
    /// `destination` have the same count.
    public static func widen<T: WidenableSample>(_ source: UnsafeBufferPointer<T>, into destination: UnsafeMutableBufferPointer<Float>,
                                                 scale: LinearScale = .identity, using implementation: KernelImplementation = .simd) {
        precondition(source.count == destination.count,
                     "widen: \(source.count) samples into a buffer of \(destination.count)")
        guard let s = source.baseAddress, let d = destination.baseAddress else { return }
        widenRow(UnsafeRawPointer(s), T.self, d, source.count, scale, implementation)
    }

    /// Plane form of `widen`: row by row, so strided windows convert without a copy.
    public static func widen<T: WidenableSample>(_ source: PlaneView<T>, into destination: MutablePlaneView<Float>,
                                                 scale: LinearScale = .identity, using implementation: KernelImplementation = .simd) {
        checkSameSize(source, destination, "SampleConversion.widen")
        guard source.width > 0 else { return }
        for y in 0..<source.height {
            widenRow(UnsafeRawPointer(source.row(y)), T.self, destination.row(y), source.width, scale, implementation)
        }
    }

    /// One row, dispatched to the concrete loop of its sample type.
    @inline(__always)
    static func widenRow<T: WidenableSample>(_ s: UnsafeRawPointer, _: T.Type, _ d: UnsafeMutablePointer<Float>, _ count: Int,
                                             _ scale: LinearScale, _ implementation: KernelImplementation) {
        switch (T.self, implementation) {
        case (is UInt8.Type, .scalar): widenScalar(s.assumingMemoryBound(to: UInt8.self), d, count, scale)
        case (is UInt8.Type, .simd): widenSIMD(s.assumingMemoryBound(to: UInt8.self), d, count, scale)
        case (is UInt16.Type, .scalar): widenScalar(s.assumingMemoryBound(to: UInt16.self), d, count, scale)
        case (is UInt16.Type, .simd): widenSIMD(s.assumingMemoryBound(to: UInt16.self), d, count, scale)
        case (is Int16.Type, .scalar): widenScalar(s.assumingMemoryBound(to: Int16.self), d, count, scale)
        case (is Int16.Type, .simd): widenSIMD(s.assumingMemoryBound(to: Int16.self), d, count, scale)
        default: preconditionFailure("widen: unsupported sample type \(T.self)")
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

/// The integer sample types a sensor delivers: UInt8, UInt16 and Int16, each with its own loop.
public protocol WidenableSample: FixedWidthInteger & SIMDScalar & Codable {}
extension UInt8: WidenableSample {}
extension UInt16: WidenableSample {}
extension Int16: WidenableSample {}

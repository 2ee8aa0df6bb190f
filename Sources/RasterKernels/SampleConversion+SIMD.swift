extension SampleConversion {
    static func widenSIMD<T: WidenableSample>(_ s: UnsafePointer<T>, _ d: UnsafeMutablePointer<Float>,
                                              _ count: Int, _ scale: LinearScale) {
        let source = UnsafeRawPointer(s), destination = UnsafeMutableRawPointer(d)
        var i = 0
        // 16 lanes: one 16-byte load of UInt8 (or 32 bytes of 16-bit) widens to two AVX registers.
        while i + 16 <= count {
            let x = SIMD16<Float>(source.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.stride, as: SIMD16<T>.self))
            let y = scale.gain * x + scale.offset
            destination.storeBytes(of: y, toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < count { d[i] = scale.gain * Float(s[i]) + scale.offset; i += 1 }
    }

    static func narrowSIMD(_ s: UnsafePointer<Float>, _ d: UnsafeMutablePointer<UInt8>, _ count: Int, _ scale: LinearScale) {
        let source = UnsafeRawPointer(s), destination = UnsafeMutableRawPointer(d)
        var i = 0
        while i + 16 <= count {
            let x = source.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            var r = (scale.gain * x + scale.offset).rounded(.toNearestOrEven)
            // replacing(with:where:) rather than pointwiseMax/Min: it inlines (STYLE.md). The first
            // mask is "not >= 0" so that NaN lanes become 0 as in the scalar twin.
            r = r.replacing(with: 0, where: .!(r .>= 0))
            r = r.replacing(with: 255, where: r .> 255)
            let bytes = SIMD16<UInt8>(truncatingIfNeeded: SIMD16<Int32>(r, rounding: .towardZero))
            destination.storeBytes(of: bytes, toByteOffset: i, as: SIMD16<UInt8>.self)
            i += 16
        }
        while i < count { d[i] = narrowOne(s[i], scale); i += 1 }
    }
}

extension SampleConversion {
    @usableFromInline
    static func widenSIMD<T: WidenableSample>(_ s: UnsafePointer<T>, _ d: UnsafeMutablePointer<Float>,
                                              _ count: Int, _ scale: LinearScale) {
        let source = UnsafeRawPointer(s), destination = UnsafeMutableRawPointer(d)
        var i = 0
        // 16 lanes: one 16-byte load of UInt8 (or 32 bytes of 16-bit) widens to two AVX registers.
        while i + 16 <= count {
            let v = source.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.stride, as: SIMD16<T>.self)
            // Lane by lane in a specialised loop, which LLVM turns into vector widening: the
            // stdlib's generic SIMD16<Float>(_:) ran unspecialised (measured 0.17 GB/s).
            var x = SIMD16<Float>()
            for lane in 0..<16 { x[lane] = Float(v[lane]) }
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
            // r is already within 0...255 and integral: a lane-wise conversion (see widenSIMD).
            var bytes = SIMD16<UInt8>()
            for lane in 0..<16 { bytes[lane] = UInt8(r[lane]) }
            destination.storeBytes(of: bytes, toByteOffset: i, as: SIMD16<UInt8>.self)
            i += 16
        }
        while i < count { d[i] = narrowOne(s[i], scale); i += 1 }
    }
}

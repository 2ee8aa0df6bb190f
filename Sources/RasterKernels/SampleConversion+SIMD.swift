extension SampleConversion {
    // One loop per sample type on concrete vector types; the conversions are `floats(_:)`
    // (SIMDSupport.swift): the stdlib's SIMD16<Float>(_:) stayed an out-of-line call per vector
    // (measured: half the speed of the auto-vectorised scalar twin).

    static func widenSIMD(_ s: UnsafePointer<UInt8>, _ d: UnsafeMutablePointer<Float>, _ count: Int, _ scale: LinearScale) {
        let gain = SIMD16<Float>(repeating: scale.gain), offset = SIMD16<Float>(repeating: scale.offset)
        var i = 0
        // Four vectors a step, addressed by typed pointers (byte offsets carried overflow checks):
        // LLVM vectorises the scalar twin (a plain loop) into the same instructions, unrolled 4x.
        while i + 64 <= count {
            for k in stride(from: 0, to: 64, by: 16) {
                let v = floats(UnsafeRawPointer(s + i + k).loadUnaligned(as: SIMD16<UInt8>.self))
                UnsafeMutableRawPointer(d + i + k).storeBytes(of: gain * v + offset, as: SIMD16<Float>.self)
            }
            i += 64
        }
        while i + 16 <= count {
            let v = floats(UnsafeRawPointer(s + i).loadUnaligned(as: SIMD16<UInt8>.self))
            UnsafeMutableRawPointer(d + i).storeBytes(of: gain * v + offset, as: SIMD16<Float>.self)
            i += 16
        }
        while i < count { d[i] = scale.gain * Float(s[i]) + scale.offset; i += 1 }
    }

    static func widenSIMD(_ s: UnsafePointer<UInt16>, _ d: UnsafeMutablePointer<Float>, _ count: Int, _ scale: LinearScale) {
        let gain = SIMD16<Float>(repeating: scale.gain), offset = SIMD16<Float>(repeating: scale.offset)
        var i = 0
        // Four vectors a step, addressed by typed pointers (byte offsets carried overflow checks):
        // LLVM vectorises the scalar twin (a plain loop) into the same instructions, unrolled 4x.
        while i + 64 <= count {
            for k in stride(from: 0, to: 64, by: 16) {
                let v = floats(UnsafeRawPointer(s + i + k).loadUnaligned(as: SIMD16<UInt16>.self))
                UnsafeMutableRawPointer(d + i + k).storeBytes(of: gain * v + offset, as: SIMD16<Float>.self)
            }
            i += 64
        }
        while i + 16 <= count {
            let v = floats(UnsafeRawPointer(s + i).loadUnaligned(as: SIMD16<UInt16>.self))
            UnsafeMutableRawPointer(d + i).storeBytes(of: gain * v + offset, as: SIMD16<Float>.self)
            i += 16
        }
        while i < count { d[i] = scale.gain * Float(s[i]) + scale.offset; i += 1 }
    }

    static func widenSIMD(_ s: UnsafePointer<Int16>, _ d: UnsafeMutablePointer<Float>, _ count: Int, _ scale: LinearScale) {
        let gain = SIMD16<Float>(repeating: scale.gain), offset = SIMD16<Float>(repeating: scale.offset)
        var i = 0
        // Four vectors a step, addressed by typed pointers (byte offsets carried overflow checks):
        // LLVM vectorises the scalar twin (a plain loop) into the same instructions, unrolled 4x.
        while i + 64 <= count {
            for k in stride(from: 0, to: 64, by: 16) {
                let v = floats(UnsafeRawPointer(s + i + k).loadUnaligned(as: SIMD16<Int16>.self))
                UnsafeMutableRawPointer(d + i + k).storeBytes(of: gain * v + offset, as: SIMD16<Float>.self)
            }
            i += 64
        }
        while i + 16 <= count {
            let v = floats(UnsafeRawPointer(s + i).loadUnaligned(as: SIMD16<Int16>.self))
            UnsafeMutableRawPointer(d + i).storeBytes(of: gain * v + offset, as: SIMD16<Float>.self)
            i += 16
        }
        while i < count { d[i] = scale.gain * Float(s[i]) + scale.offset; i += 1 }
    }

    static func narrowSIMD(_ s: UnsafePointer<Float>, _ d: UnsafeMutablePointer<UInt8>, _ count: Int, _ scale: LinearScale) {
        let source = UnsafeRawPointer(s), destination = UnsafeMutableRawPointer(d)
        let gain = SIMD16<Float>(repeating: scale.gain), offset = SIMD16<Float>(repeating: scale.offset)
        var i = 0
        while i + 16 <= count {
            let x = source.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            // "Not >= 0" (negative or NaN) to 0 as in the scalar twin, then at most 255.
            var r = (gain * x + offset).rounded(.toNearestOrEven) + 0  // + 0: -0 to +0
            r = floatsOf(bitsOf(r) & nonNegative(r) & notNaN(r))
            r = minNonNegative(r, 255)
            // r is integral in 0...255: the rounding add is exact, the low byte is r.
            let b = roundedToUInt32(r)
            let bytes = SIMD16<UInt8>(UInt8(truncatingIfNeeded: b[0]), UInt8(truncatingIfNeeded: b[1]), UInt8(truncatingIfNeeded: b[2]),
                                      UInt8(truncatingIfNeeded: b[3]), UInt8(truncatingIfNeeded: b[4]), UInt8(truncatingIfNeeded: b[5]),
                                      UInt8(truncatingIfNeeded: b[6]), UInt8(truncatingIfNeeded: b[7]), UInt8(truncatingIfNeeded: b[8]),
                                      UInt8(truncatingIfNeeded: b[9]), UInt8(truncatingIfNeeded: b[10]), UInt8(truncatingIfNeeded: b[11]),
                                      UInt8(truncatingIfNeeded: b[12]), UInt8(truncatingIfNeeded: b[13]), UInt8(truncatingIfNeeded: b[14]),
                                      UInt8(truncatingIfNeeded: b[15]))
            destination.storeBytes(of: bytes, toByteOffset: i, as: SIMD16<UInt8>.self)
            i += 16
        }
        while i < count { d[i] = narrowOne(s[i], scale); i += 1 }
    }
}

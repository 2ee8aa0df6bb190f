extension BitPacking {
    // Lane-wise SIMD compares on narrow integers compiled to lane-by-lane loops through the stack
    // inside these loops (measured: 0.3 GB/s), so bytes are tested eight at a time in a UInt64
    // instead (SWAR), and codes through a small non-inlined 64-lane function, which LLVM compiles
    // to branch-free vector compares.

    /// Eight bytes to eight bits (byte i to bit i): non-zero bytes get their high bit set without
    /// carries between bytes, then one multiply gathers the high bits.
    @inline(__always) static func bits(ofBytes x: UInt64) -> UInt64 {
        let high = (((x & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | x) & 0x8080_8080_8080_8080
        return ((high >> 7) &* 0x0102_0408_1020_4080) >> 56
    }

    static func packRowSIMD(_ s: UnsafePointer<UInt8>, _ d: UnsafeMutablePointer<UInt64>, _ width: Int) {
        let raw = UnsafeRawPointer(s)
        var x = 0
        while x + 64 <= width {
            var word: UInt64 = 0
            for k in 0..<8 { word |= bits(ofBytes: raw.loadUnaligned(fromByteOffset: x + 8 * k, as: UInt64.self)) << UInt64(8 * k) }
            d[x >> 6] = word
            x += 64
        }
        if x < width {
            var word: UInt64 = 0
            for i in x..<width where s[i] != 0 { word |= 1 << UInt64(i & 63) }
            d[x >> 6] = word
        }
    }

    static func unpackRowSIMD(_ s: UnsafePointer<UInt64>, _ d: UnsafeMutablePointer<UInt8>, _ width: Int) {
        let raw = UnsafeMutableRawPointer(d)
        var x = 0
        while x + 8 <= width {
            // Eight bits to eight bytes, SWAR: byte k of the broadcast keeps bit k, then each
            // non-zero byte (at most 0x80) becomes 1 through its high bit after adding 0x7F.
            let bits = UInt64(truncatingIfNeeded: s[x >> 6] >> UInt64(x & 63)) & 0xFF
            let spread = (bits &* 0x0101_0101_0101_0101) & 0x8040_2010_0804_0201
            let ones = ((spread &+ 0x7F7F_7F7F_7F7F_7F7F) & 0x8080_8080_8080_8080) >> 7
            raw.storeBytes(of: ones, toByteOffset: x, as: UInt64.self)
            x += 8
        }
        while x < width { d[x] = UInt8(truncatingIfNeeded: s[x >> 6] >> UInt64(x & 63) & 1); x += 1 }
    }

    static func thresholdRowSIMD(_ s: UnsafePointer<UInt16>, _ threshold: UInt16, _ excluded: UInt16,
                                 _ d: UnsafeMutablePointer<UInt64>, _ width: Int) {
        let t = SIMD16<UInt16>(repeating: threshold), e = SIMD16<UInt16>(repeating: excluded)
        var x = 0
        while x + 64 <= width {
            d[x >> 6] = thresholdWord(UnsafeRawPointer(s + x), t, e)
            x += 64
        }
        if x < width {
            var word: UInt64 = 0
            for i in x..<width where s[i] > threshold && s[i] != excluded { word |= 1 << UInt64(i & 63) }
            d[x >> 6] = word
        }
    }

    /// 64 codes to one word. Not inlined on purpose: compiled on its own, the four 16-lane compares
    /// unroll into vector code (inlined into the row loop they did not).
    @inline(never) static func thresholdWord(_ p: UnsafeRawPointer, _ t: SIMD16<UInt16>, _ e: SIMD16<UInt16>) -> UInt64 {
        @inline(__always) func part(_ k: Int) -> UInt64 {
            let v = p.loadUnaligned(fromByteOffset: 32 * k, as: SIMD16<UInt16>.self)
            let m = unsafeBitCast((v .> t) .& (v .!= e), to: SIMD16<UInt16>.self) & 1
            let b = SIMD16<UInt8>(UInt8(truncatingIfNeeded: m[0]), UInt8(truncatingIfNeeded: m[1]), UInt8(truncatingIfNeeded: m[2]),
                                  UInt8(truncatingIfNeeded: m[3]), UInt8(truncatingIfNeeded: m[4]), UInt8(truncatingIfNeeded: m[5]),
                                  UInt8(truncatingIfNeeded: m[6]), UInt8(truncatingIfNeeded: m[7]), UInt8(truncatingIfNeeded: m[8]),
                                  UInt8(truncatingIfNeeded: m[9]), UInt8(truncatingIfNeeded: m[10]), UInt8(truncatingIfNeeded: m[11]),
                                  UInt8(truncatingIfNeeded: m[12]), UInt8(truncatingIfNeeded: m[13]), UInt8(truncatingIfNeeded: m[14]),
                                  UInt8(truncatingIfNeeded: m[15]))
            let bytes = unsafeBitCast(b, to: SIMD2<UInt64>.self)
            let gather: UInt64 = 0x0102_0408_1020_4080
            return (bytes[0] &* gather) >> 56 | ((bytes[1] &* gather) >> 56) << 8
        }
        return part(0) | part(1) << 16 | part(2) << 32 | part(3) << 48
    }
}

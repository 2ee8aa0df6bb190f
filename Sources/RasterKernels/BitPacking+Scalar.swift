extension BitPacking {
    static func packRowScalar(_ s: UnsafePointer<UInt8>, _ d: UnsafeMutablePointer<UInt64>, _ width: Int) {
        for i in 0..<words(width) { d[i] = 0 }
        for x in 0..<width where s[x] != 0 { d[x >> 6] |= 1 << UInt64(x & 63) }
    }

    static func unpackRowScalar(_ s: UnsafePointer<UInt64>, _ d: UnsafeMutablePointer<UInt8>, _ width: Int) {
        for x in 0..<width { d[x] = UInt8(truncatingIfNeeded: s[x >> 6] >> UInt64(x & 63) & 1) }
    }

    static func thresholdRowScalar(_ s: UnsafePointer<UInt16>, _ threshold: UInt16, _ excluded: UInt16,
                                   _ d: UnsafeMutablePointer<UInt64>, _ width: Int) {
        for i in 0..<words(width) { d[i] = 0 }
        for x in 0..<width where s[x] > threshold && s[x] != excluded { d[x >> 6] |= 1 << UInt64(x & 63) }
    }
}

extension SampleConversion {
    static func widenScalar(_ s: UnsafePointer<UInt8>, _ d: UnsafeMutablePointer<Float>, _ count: Int, _ scale: LinearScale) {
        for i in 0..<count { d[i] = scale.gain * Float(s[i]) + scale.offset }
    }

    static func widenScalar(_ s: UnsafePointer<UInt16>, _ d: UnsafeMutablePointer<Float>, _ count: Int, _ scale: LinearScale) {
        for i in 0..<count { d[i] = scale.gain * Float(s[i]) + scale.offset }
    }

    static func widenScalar(_ s: UnsafePointer<Int16>, _ d: UnsafeMutablePointer<Float>, _ count: Int, _ scale: LinearScale) {
        for i in 0..<count { d[i] = scale.gain * Float(s[i]) + scale.offset }
    }

    static func narrowScalar(_ s: UnsafePointer<Float>, _ d: UnsafeMutablePointer<UInt8>, _ count: Int, _ scale: LinearScale) {
        for i in 0..<count { d[i] = narrowOne(s[i], scale) }
    }

    /// One preview sample; also the SIMD path's tail, so both paths share the expression.
    @inline(__always) static func narrowOne(_ x: Float, _ scale: LinearScale) -> UInt8 {
        let r = (scale.gain * x + scale.offset).rounded(.toNearestOrEven)
        if !(r >= 0) { return 0 }  // negative or NaN
        if r > 255 { return 255 }
        return UInt8(r)
    }
}

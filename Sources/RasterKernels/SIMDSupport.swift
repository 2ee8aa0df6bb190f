// Lane operations the kernels share, each spelled the way this toolchain compiles to straight
// vector code. Measured in the emitted assembly (Swift 6.3, -target-cpu haswell):
// - integer arithmetic, bitwise operations and shifts on concrete SIMD types lower to single
//   instructions, and so do Float arithmetic and rounding;
// - integer comparisons (.<, .!= on SIMD16<Int32>, SIMD16<UInt8>, ...), replacing(with:where:),
//   SIMD16<Float>(_:) from integers, SIMD16<Int32>(_:rounding:) and squareRoot() are generic lane
//   loops or calls that LLVM vectorised only in tiny functions: inside the kernels' loops they
//   became lane-by-lane loops through the stack (12-30x slower than the scalar twins);
// - Float comparisons whose 16-lane masks feed selects were split by LLVM into 2- and 4-lane
//   pieces that move mask bits through general registers (a third of ChangeMagnitude's
//   instructions).
// So the kernels carry conditions as all-ones / all-zero 32-bit lanes ("lane masks") made by
// integer arithmetic on the lanes' bits, and select with and/andnot/or: the forms below.

/// A Float comparison's result as a lane mask (SIMDMask stores -1 for true).
@inline(__always) func laneBits(_ mask: SIMDMask<SIMD16<Int32>>) -> SIMD16<UInt32> {
    unsafeBitCast(mask, to: SIMD16<UInt32>.self)
}

/// mask ? a : b, lane-wise.
@inline(__always) func select(_ mask: SIMD16<UInt32>, _ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
    let bits = (unsafeBitCast(a, to: SIMD16<UInt32>.self) & mask) | (unsafeBitCast(b, to: SIMD16<UInt32>.self) & ~mask)
    return unsafeBitCast(bits, to: SIMD16<Float>.self)
}

@inline(__always) func select(_ mask: SIMDMask<SIMD16<Int32>>, _ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
    select(laneBits(mask), a, b)
}

@inline(__always) func select(_ mask: SIMD16<UInt32>, _ a: SIMD16<UInt32>, _ b: SIMD16<UInt32>) -> SIMD16<UInt32> {
    (a & mask) | (b & ~mask)
}

/// Float lanes' bit patterns and back.
@inline(__always) func bitsOf(_ v: SIMD16<Float>) -> SIMD16<UInt32> { unsafeBitCast(v, to: SIMD16<UInt32>.self) }
@inline(__always) func floatsOf(_ v: SIMD16<UInt32>) -> SIMD16<Float> { unsafeBitCast(v, to: SIMD16<Float>.self) }

/// min(v, limit) for lanes that are >= +0 or NaN (NaN gives `limit`), limit >= 0: such floats
/// order like their bit patterns, so an integer min does it (LLVM emits vpminsd).
@inline(__always) func minNonNegative(_ v: SIMD16<Float>, _ limit: Float) -> SIMD16<Float> {
    let l = Int32(bitPattern: limit.bitPattern)
    let d = unsafeBitCast(v, to: SIMD16<Int32>.self) &- l
    return unsafeBitCast(l &+ (d & (d &>> 31)), to: SIMD16<Float>.self)
}

/// All-ones lanes where v is not NaN: |bits| <= the bits of +infinity.
@inline(__always) func notNaN(_ v: SIMD16<Float>) -> SIMD16<UInt32> {
    let magnitude = unsafeBitCast(bitsOf(v) & 0x7FFF_FFFF, to: SIMD16<Int32>.self)
    return ~unsafeBitCast((0x7F80_0000 &- magnitude) &>> 31, to: SIMD16<UInt32>.self)
}

/// All-ones lanes where v >= 0 (v + 0 turns -0 into +0; NaN lanes may come out either way).
@inline(__always) func nonNegative(_ v: SIMD16<Float>) -> SIMD16<UInt32> {
    ~unsafeBitCast(unsafeBitCast(v + 0, to: SIMD16<Int32>.self) &>> 31, to: SIMD16<UInt32>.self)
}

/// All-ones lanes where v > 0 (NaN lanes may come out either way).
@inline(__always) func positive(_ v: SIMD16<Float>) -> SIMD16<UInt32> {
    ~unsafeBitCast((unsafeBitCast(v + 0, to: SIMD16<Int32>.self) &- 1) &>> 31, to: SIMD16<UInt32>.self)
}

/// All-ones lanes where the byte is non-zero: 0 - b is negative exactly for b > 0.
@inline(__always) func nonZeroLanes(_ u: SIMD16<UInt8>) -> SIMD16<UInt32> {
    let b = SIMD16<Int32>(Int32(u[0]), Int32(u[1]), Int32(u[2]), Int32(u[3]), Int32(u[4]), Int32(u[5]), Int32(u[6]), Int32(u[7]),
                          Int32(u[8]), Int32(u[9]), Int32(u[10]), Int32(u[11]), Int32(u[12]), Int32(u[13]), Int32(u[14]), Int32(u[15]))
    return unsafeBitCast((0 &- b) &>> 31, to: SIMD16<UInt32>.self)
}

/// Lanes clamped to 0...last, by sign arithmetic (no comparisons).
@inline(__always) func clamp(_ v: SIMD16<Int32>, _ last: Int32) -> SIMD16<Int32> {
    let low = v & ~(v &>> 31)  // negative lanes to 0
    let over = SIMD16<Int32>(repeating: last) &- low  // negative where low > last
    return low &+ (over & (over &>> 31))
}

/// 1 where the lane mask is set, else 0, as bytes.
@inline(__always) func ones(_ mask: SIMD16<UInt32>) -> SIMD16<UInt8> {
    let b = mask & 1
    return SIMD16(UInt8(truncatingIfNeeded: b[0]), UInt8(truncatingIfNeeded: b[1]), UInt8(truncatingIfNeeded: b[2]),
                  UInt8(truncatingIfNeeded: b[3]), UInt8(truncatingIfNeeded: b[4]), UInt8(truncatingIfNeeded: b[5]),
                  UInt8(truncatingIfNeeded: b[6]), UInt8(truncatingIfNeeded: b[7]), UInt8(truncatingIfNeeded: b[8]),
                  UInt8(truncatingIfNeeded: b[9]), UInt8(truncatingIfNeeded: b[10]), UInt8(truncatingIfNeeded: b[11]),
                  UInt8(truncatingIfNeeded: b[12]), UInt8(truncatingIfNeeded: b[13]), UInt8(truncatingIfNeeded: b[14]),
                  UInt8(truncatingIfNeeded: b[15]))
}

/// Integral lanes with |v| < 2^22 to Int32: v + 1.5 * 2^23 is exact and holds 2^22 + v in its low
/// mantissa bits.
@inline(__always) func integers(_ v: SIMD16<Float>) -> SIMD16<Int32> {
    unsafeBitCast(v + 12_582_912, to: SIMD16<Int32>.self) &- 0x4B40_0000
}

/// Lanes in 0...2^23 rounded to the nearest integer, ties to even (the default rounding of the add).
@inline(__always) func roundedToUInt32(_ v: SIMD16<Float>) -> SIMD16<UInt32> {
    unsafeBitCast(v + 8_388_608, to: SIMD16<UInt32>.self) & 0x7F_FFFF
}

/// Integer lanes to Float: the 16-lane initialiser of per-lane conversions, which LLVM merges into
/// vpmovzx/vpmovsx + vcvtdq2ps per 8 lanes.
@inline(__always) func floats(_ u: SIMD16<UInt8>) -> SIMD16<Float> {
    SIMD16(Float(u[0]), Float(u[1]), Float(u[2]), Float(u[3]), Float(u[4]), Float(u[5]), Float(u[6]), Float(u[7]),
           Float(u[8]), Float(u[9]), Float(u[10]), Float(u[11]), Float(u[12]), Float(u[13]), Float(u[14]), Float(u[15]))
}

@inline(__always) func floats(_ u: SIMD16<UInt16>) -> SIMD16<Float> {
    SIMD16(Float(u[0]), Float(u[1]), Float(u[2]), Float(u[3]), Float(u[4]), Float(u[5]), Float(u[6]), Float(u[7]),
           Float(u[8]), Float(u[9]), Float(u[10]), Float(u[11]), Float(u[12]), Float(u[13]), Float(u[14]), Float(u[15]))
}

@inline(__always) func floats(_ u: SIMD16<Int16>) -> SIMD16<Float> {
    SIMD16(Float(u[0]), Float(u[1]), Float(u[2]), Float(u[3]), Float(u[4]), Float(u[5]), Float(u[6]), Float(u[7]),
           Float(u[8]), Float(u[9]), Float(u[10]), Float(u[11]), Float(u[12]), Float(u[13]), Float(u[14]), Float(u[15]))
}

@inline(__always) func floats(_ u: SIMD16<Int32>) -> SIMD16<Float> {
    SIMD16(Float(u[0]), Float(u[1]), Float(u[2]), Float(u[3]), Float(u[4]), Float(u[5]), Float(u[6]), Float(u[7]),
           Float(u[8]), Float(u[9]), Float(u[10]), Float(u[11]), Float(u[12]), Float(u[13]), Float(u[14]), Float(u[15]))
}

/// UInt32 lanes (each < 2^16) to UInt16.
@inline(__always) func halfwords(_ u: SIMD16<UInt32>) -> SIMD16<UInt16> {
    SIMD16(UInt16(truncatingIfNeeded: u[0]), UInt16(truncatingIfNeeded: u[1]), UInt16(truncatingIfNeeded: u[2]),
           UInt16(truncatingIfNeeded: u[3]), UInt16(truncatingIfNeeded: u[4]), UInt16(truncatingIfNeeded: u[5]),
           UInt16(truncatingIfNeeded: u[6]), UInt16(truncatingIfNeeded: u[7]), UInt16(truncatingIfNeeded: u[8]),
           UInt16(truncatingIfNeeded: u[9]), UInt16(truncatingIfNeeded: u[10]), UInt16(truncatingIfNeeded: u[11]),
           UInt16(truncatingIfNeeded: u[12]), UInt16(truncatingIfNeeded: u[13]), UInt16(truncatingIfNeeded: u[14]),
           UInt16(truncatingIfNeeded: u[15]))
}

/// sqrt(|v|) lane-wise, as one vsqrtps per 8 lanes. Swift's squareRoot() goes through C's sqrtf,
/// which must set errno for negative input; unless LLVM can prove every lane non-negative it
/// emits 16 scalar square roots, each behind a branch. Clearing the sign bits is that proof;
/// callers pass sums of squares, for which |v| = v (NaN stays NaN).
@inline(__always) func nonNegativeSquareRoot(_ v: SIMD16<Float>) -> SIMD16<Float> {
    unsafeBitCast(unsafeBitCast(v, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: SIMD16<Float>.self).squareRoot()
}

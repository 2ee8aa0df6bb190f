/// Order statistics without sorting: the robust statistics of normalisation, registration and the
/// guard-post profiles need a few quantiles of 10^4-10^5 values.

/// The median absolute deviation times this estimates a Gaussian's standard deviation
/// (1 / Φ⁻¹(3/4)): the robust spreads of normalisation, the change threshold, the fence fits and
/// the guard-post profiles.
let madToStandardDeviation = 1.4826

extension Array where Element == Float {
    /// As the generic `select`; large arrays by `bucketSelect`.
    mutating func select(_ k: Int) -> Float {
        precondition(k >= 0 && k < count, "select(\(k)) in an array of \(count)")
        // Order-preserving keys, branch-free: negatives' bits flipped, the rest with the sign bit set.
        let key = withUnsafeBufferPointer { v in
            bucketSelect(v, k) { let b = $0.bitPattern; return UInt64(b ^ (UInt32(bitPattern: Int32(bitPattern: b) >> 31) | 0x8000_0000)) }
        }
        guard let key else { return quickselect(k) }
        let b = UInt32(truncatingIfNeeded: key)
        return Float(bitPattern: b & 0x8000_0000 != 0 ? b & 0x7FFF_FFFF : ~b)
    }
}

extension Array where Element == Double {
    /// As the generic `select`; large arrays by `bucketSelect`.
    mutating func select(_ k: Int) -> Double {
        precondition(k >= 0 && k < count, "select(\(k)) in an array of \(count)")
        let sign: UInt64 = 1 << 63
        let key = withUnsafeBufferPointer { v in
            bucketSelect(v, k) { let b = $0.bitPattern; return b ^ (UInt64(bitPattern: Int64(bitPattern: b) >> 63) | sign) }
        }
        guard let key else { return quickselect(k) }
        return Double(bitPattern: key & sign != 0 ? key & ~sign : ~key)
    }
}

/// The key of the k-th smallest of `values` (none NaN), given an order-preserving integer key: the
/// keys' range split into 2048 buckets, one pass to count them, one to gather the bucket holding
/// rank k, a quickselect among those few. Quickselect alone mispredicts about every other
/// comparison: the normalisation fit's 36 order statistics of 72,000 values took 25 ms, a tenth of
/// the 8192² change core without decode (measured). nil below 4,096 values (quickselect's ground).
private func bucketSelect<T>(_ values: UnsafeBufferPointer<T>, _ k: Int, key: (T) -> UInt64) -> UInt64? {
    guard values.count >= 4096 else { return nil }
    var low = UInt64.max, high = UInt64.min
    for v in values { let x = key(v); low = min(low, x); high = max(high, x) }
    if low == high { return low }
    let shift = max(0, (64 - (high - low).leadingZeroBitCount) - 11)  // bucket indices in 0..<2048
    var counts = [Int](repeating: 0, count: 2048)
    counts.withUnsafeMutableBufferPointer { c in
        for v in values { c[Int(truncatingIfNeeded: (key(v) - low) >> shift)] &+= 1 }
    }
    var bucket = 0, below = 0
    while below + counts[bucket] <= k { below += counts[bucket]; bucket += 1 }
    var members: [UInt64] = []
    members.reserveCapacity(counts[bucket])
    for v in values {
        let x = key(v)
        if (x - low) >> shift == UInt64(bucket) { members.append(x) }
    }
    return members.quickselect(k - below)
}

extension Array where Element: Comparable {
    /// The element a full sort would put at index k (quickselect, median-of-three pivots): the
    /// robust statistics above need a few order statistics of 10^4-10^5 values, and sorting them
    /// was a tenth of a whole change run (measured with callgrind). May reorder the array.
    mutating func select(_ k: Int) -> Element {
        precondition(k >= 0 && k < count, "select(\(k)) in an array of \(count)")
        return quickselect(k)
    }

    fileprivate mutating func quickselect(_ k: Int) -> Element {
        withUnsafeMutableBufferPointer { v in
            var lo = 0, hi = v.count - 1
            while lo < hi {
                let mid = lo + (hi - lo) / 2
                // Median of three as the pivot, which also guards the scans below.
                if v[mid] < v[lo] { v.swapAt(mid, lo) }
                if v[hi] < v[lo] { v.swapAt(hi, lo) }
                if v[hi] < v[mid] { v.swapAt(hi, mid) }
                let pivot = v[mid]
                var i = lo, j = hi
                while i <= j {
                    while v[i] < pivot { i += 1 }
                    while pivot < v[j] { j -= 1 }
                    if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
                }
                if k <= j { hi = j } else if k >= i { lo = i } else { return v[k] }
            }
            return v[k]
        }
    }
}

import GeoRaster
import RasterKernels

/// Relative radiometric normalisation: per band, the gain and offset that map the after date's
/// values onto the before date's, fitted on pixels unlikely to have changed. Like IR-MAD, it
/// iterates: fit all bands, drop the pixels whose joint residual is large (change), refit. It works
/// across data types and bit depths (8-bit against 11-bit in 16) because it is a regression.
public struct Normalisation: Sendable, Hashable, Codable {
    public var gains: [Double]
    public var offsets: [Double]
    /// Fraction of the sampled pixels kept as unchanged in the last iteration.
    public var unchangedFraction: Double

    public var scales: [LinearScale] { zip(gains, offsets).map { LinearScale(gain: Float($0), offset: Float($1)) } }

    /// Fits from paired samples: `after[band][i]` against `before[band][i]`.
    static func fit(before: [[Float]], after: [[Float]], iterations: Int = 6) -> Normalisation {
        let bands = before.count
        let n = before.first?.count ?? 0
        var keep = [Bool](repeating: true, count: n)
        var gains = [Double](repeating: 1, count: bands), offsets = [Double](repeating: 0, count: bands)
        // Robust start: match medians and interquartile ranges, which changed pixels barely move,
        // then reject pixels far from that line before the first least-squares fit.
        for band in 0..<bands where n > 8 {
            var a = after[band], b = before[band]
            func q(_ v: inout [Float], _ f: Double) -> Double { Double(v.select(Int(Double(v.count - 1) * f))) }
            let spread = q(&a, 0.75) - q(&a, 0.25)
            gains[band] = spread > 1e-9 ? (q(&b, 0.75) - q(&b, 0.25)) / spread : 1
            offsets[band] = q(&b, 0.5) - gains[band] * q(&a, 0.5)
        }
        var kept = n
        var fitted = false
        for _ in 0..<iterations {
            if fitted {
            for band in 0..<bands {
                var sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0, m = 0.0
                let a = after[band], b = before[band]
                for i in 0..<n where keep[i] {
                    let x = Double(a[i]), y = Double(b[i])
                    sx += x; sy += y; sxx += x * x; sxy += x * y; m += 1
                }
                let variance = sxx - sx * sx / max(m, 1)
                if m > 2 && variance > 1e-9 {
                    gains[band] = (sxy - sx * sy / m) / variance
                    offsets[band] = (sy - gains[band] * sx) / m
                }
            }
            }
            fitted = true
            // Joint residual, each band scaled by its robust spread (median absolute deviation).
            var spreads = [Double](repeating: 1, count: bands)
            for band in 0..<bands {
                var residuals: [Double] = []
                residuals.reserveCapacity(kept)
                let a = after[band], b = before[band], gain = gains[band], offset = offsets[band]
                for i in 0..<n where keep[i] {
                    residuals.append(abs(Double(b[i]) - (gain * Double(a[i]) + offset)))
                }
                spreads[band] = max(1e-6, 1.4826 * (residuals.isEmpty ? 1 : residuals.select(residuals.count / 2)))
            }
            // Band by band over all pixels (not pixel by pixel over bands): each pass is one
            // contiguous loop, where the nested-array form was most of this fit's time (callgrind).
            var chi = [Double](repeating: 0, count: n)
            for band in 0..<bands {
                let a = after[band], b = before[band], gain = gains[band], offset = offsets[band]
                let spread = spreads[band]
                for i in 0..<n {
                    let r = (Double(b[i]) - (gain * Double(a[i]) + offset)) / spread
                    chi[i] += r * r
                }
            }
            // About the 99 % point of a chi-square with `bands` degrees of freedom.
            let limit = 6.6 + 2.6 * Double(bands - 1)
            kept = 0
            for i in 0..<n {
                keep[i] = chi[i] < limit
                if keep[i] { kept += 1 }
            }
        }
        return Normalisation(gains: gains, offsets: offsets, unchangedFraction: n > 0 ? Double(kept) / Double(n) : 0)
    }
}

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

extension BoxMean {
    /// Per-column sums and counts of valid codes over the box's rows, kept as the box moves down;
    /// each row's update is `SIMD8<UInt32>` lanes (a code is at most 65535 and a box at most a few
    /// hundred rows, so 32 bits hold any column sum). Along the row, each box from prefix sums, divided
    /// by a magic reciprocal (`BoxMean.magic`).
    static func smoothSIMD(_ source: PlaneView<UInt16>, rows: Range<Int>, radius r: Int, invalid: UInt16,
                           into destination: MutablePlaneView<UInt16>) {
        let w = source.width, h = source.height
        let sums = UnsafeMutablePointer<UInt32>.allocate(capacity: w), counts = UnsafeMutablePointer<UInt32>.allocate(capacity: w)
        let prefixSums = UnsafeMutablePointer<UInt64>.allocate(capacity: w + 1), prefixCounts = UnsafeMutablePointer<UInt32>.allocate(capacity: w + 1)
        let useMagic = r <= largestMagicRadius
        let magicCount = useMagic ? (2 * r + 1) * (2 * r + 1) + 1 : 1
        let magics = UnsafeMutablePointer<UInt64>.allocate(capacity: magicCount)
        defer { magics.deallocate() }
        for n in 0..<magicCount { magics[n] = magic(n) }
        defer { sums.deallocate(); counts.deallocate(); prefixSums.deallocate(); prefixCounts.deallocate() }
        sums.initialize(repeating: 0, count: w)
        counts.initialize(repeating: 0, count: w)
        let invalidLanes = SIMD8<UInt32>(repeating: UInt32(invalid))
        // Adds (sign +1) or removes (-1) one source row from the column sums.
        func apply(_ y: Int, adding: Bool) {
            let row = source.row(y)
            var x = 0
            while x + 8 <= w {
                let v = SIMD8<UInt32>(truncatingIfNeeded: UnsafeRawPointer(row + x).loadUnaligned(as: SIMD8<UInt16>.self))
                let valid = v .!= invalidLanes
                let value = SIMD8<UInt32>(repeating: 0).replacing(with: v, where: valid)
                let one = SIMD8<UInt32>(repeating: 0).replacing(with: 1, where: valid)
                let s = UnsafeMutableRawPointer(sums + x), c = UnsafeMutableRawPointer(counts + x)
                if adding {
                    s.storeBytes(of: s.loadUnaligned(as: SIMD8<UInt32>.self) &+ value, as: SIMD8<UInt32>.self)
                    c.storeBytes(of: c.loadUnaligned(as: SIMD8<UInt32>.self) &+ one, as: SIMD8<UInt32>.self)
                } else {
                    s.storeBytes(of: s.loadUnaligned(as: SIMD8<UInt32>.self) &- value, as: SIMD8<UInt32>.self)
                    c.storeBytes(of: c.loadUnaligned(as: SIMD8<UInt32>.self) &- one, as: SIMD8<UInt32>.self)
                }
                x += 8
            }
            while x < w {
                if row[x] != invalid {
                    if adding { sums[x] &+= UInt32(row[x]); counts[x] &+= 1 } else { sums[x] &-= UInt32(row[x]); counts[x] &-= 1 }
                }
                x += 1
            }
        }
        let first = rows.lowerBound
        for y in max(0, first - r)...min(h - 1, first + r) { apply(y, adding: true) }
        for (out, y) in rows.enumerated() {
            if y > first {
                if y - r - 1 >= 0 { apply(y - r - 1, adding: false) }
                if y + r < h { apply(y + r, adding: true) }
            }
            // Prefix sums of the column sums and counts; each box is a difference of two.
            var runningSum: UInt64 = 0, runningCount: UInt32 = 0
            prefixSums[0] = 0; prefixCounts[0] = 0
            for x in 0..<w {
                runningSum &+= UInt64(sums[x]); runningCount &+= counts[x]
                prefixSums[x + 1] = runningSum; prefixCounts[x + 1] = runningCount
            }
            let centre = source.row(y), target = destination.row(out)
            // The box [x - r, x + r] clipped to the row: prefix[high] - prefix[low].
            @inline(__always) func emit(_ x: Int, _ high: Int, _ low: Int) {
                let n = Int(prefixCounts[high] &- prefixCounts[low])
                let dividend = prefixSums[high] &- prefixSums[low] &+ UInt64(n / 2)
                target[x] = useMagic ? UInt16(truncatingIfNeeded: (dividend &* magics[n]) >> 40) : UInt16(dividend / UInt64(n))
            }
            let interior = min(r, w)..<max(min(r, w), w - r)
            for x in 0..<interior.lowerBound { if centre[x] == invalid { target[x] = invalid } else { emit(x, min(w, x + r + 1), 0) } }
            if useMagic {
                // Most of the row: no clipping, and the magic for the count looked up unchecked.
                let highSums = prefixSums + r + 1, highCounts = prefixCounts + r + 1
                let lowSums = prefixSums - r, lowCounts = prefixCounts - r
                for x in interior {
                    let n = Int(highCounts[x] &- lowCounts[x])
                    let dividend = highSums[x] &- lowSums[x] &+ UInt64(n &>> 1)
                    let value = UInt16(truncatingIfNeeded: (dividend &* magics[n]) >> 40)
                    target[x] = centre[x] == invalid ? invalid : value
                }
            } else {
                for x in interior { if centre[x] == invalid { target[x] = invalid } else { emit(x, x + r + 1, x - r) } }
            }
            for x in interior.upperBound..<w { if centre[x] == invalid { target[x] = invalid } else { emit(x, w, max(0, x - r)) } }
        }
    }
}

extension BoxMean {
    /// Per-column sums and counts of valid codes over the box's rows, kept as the box moves down;
    /// each row's update is `SIMD8<UInt32>` lanes (a code is at most 65535 and a box at most a few
    /// hundred rows, so 32 bits hold any column sum). Along the row, four boxes at a time from prefix
    /// sums in `SIMD4<Double>` lanes.
    static func smoothSIMD(_ source: PlaneView<UInt16>, rows: Range<Int>, radius r: Int, invalid: UInt16,
                           into destination: MutablePlaneView<UInt16>) {
        let w = source.width, h = source.height
        let sums = UnsafeMutablePointer<UInt32>.allocate(capacity: w), counts = UnsafeMutablePointer<UInt32>.allocate(capacity: w)
        let prefixSums = UnsafeMutablePointer<Double>.allocate(capacity: w + 1), prefixCounts = UnsafeMutablePointer<Double>.allocate(capacity: w + 1)
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
            // Prefix sums of the column sums and counts (exact in Double: integers below 2^53).
            var runningSum = 0.0, runningCount = 0.0
            prefixSums[0] = 0; prefixCounts[0] = 0
            for x in 0..<w {
                runningSum += Double(sums[x]); runningCount += Double(counts[x])
                prefixSums[x + 1] = runningSum; prefixCounts[x + 1] = runningCount
            }
            let centre = source.row(y), target = destination.row(out)
            // Box [x - r, x + r] clipped: prefix[min(w, x + r + 1)] - prefix[max(0, x - r)].
            func edge(_ x: Int) {
                let high = min(w, x + r + 1), low = max(0, x - r)
                target[x] = centre[x] == invalid ? invalid
                    : mean(sum: prefixSums[high] - prefixSums[low], count: prefixCounts[high] - prefixCounts[low])
            }
            var x = 0
            while x < min(r, w) { edge(x); x += 1 }
            let half = SIMD4<Double>(repeating: 0.5)
            while x + r + 4 <= w {
                let high = UnsafeRawPointer(prefixSums + x + r + 1), low = UnsafeRawPointer(prefixSums + x - r)
                let highCount = UnsafeRawPointer(prefixCounts + x + r + 1), lowCount = UnsafeRawPointer(prefixCounts + x - r)
                let sum = high.loadUnaligned(as: SIMD4<Double>.self) - low.loadUnaligned(as: SIMD4<Double>.self)
                let count = highCount.loadUnaligned(as: SIMD4<Double>.self) - lowCount.loadUnaligned(as: SIMD4<Double>.self)
                let m = ((sum + (count * half).rounded(.down)) / count).rounded(.down)
                for lane in 0..<4 {
                    // A masked centre has a box of its neighbours, whose mean is discarded here.
                    target[x + lane] = centre[x + lane] == invalid ? invalid : UInt16(m[lane])
                }
                x += 4
            }
            while x < w { edge(x); x += 1 }
        }
    }
}

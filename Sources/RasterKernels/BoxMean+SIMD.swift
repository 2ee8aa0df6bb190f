extension BoxMean {
    /// Per-column sums and counts of valid codes over the box's rows, kept as the box moves down;
    /// each row's update is `SIMD8<UInt32>` lanes (a code is at most 65535 and a box at most a few
    /// hundred rows, so 32 bits hold any column sum). Along the row, running sums slide the box.
    static func smoothSIMD(_ source: PlaneView<UInt16>, rows: Range<Int>, radius r: Int, invalid: UInt16,
                           into destination: MutablePlaneView<UInt16>) {
        let w = source.width, h = source.height
        let sums = UnsafeMutablePointer<UInt32>.allocate(capacity: w), counts = UnsafeMutablePointer<UInt32>.allocate(capacity: w)
        defer { sums.deallocate(); counts.deallocate() }
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
            // Slide the box along the row: running sums over columns [x - r, x + r].
            var sum: UInt64 = 0, count: UInt64 = 0
            for x in 0..<min(w, r) { sum += UInt64(sums[x]); count += UInt64(counts[x]) }
            let centre = source.row(y), target = destination.row(out)
            for x in 0..<w {
                if x + r < w { sum += UInt64(sums[x + r]); count += UInt64(counts[x + r]) }
                if x - r - 1 >= 0 { sum -= UInt64(sums[x - r - 1]); count -= UInt64(counts[x - r - 1]) }
                target[x] = centre[x] == invalid ? invalid : mean(sum: sum, count: count)
            }
        }
    }
}

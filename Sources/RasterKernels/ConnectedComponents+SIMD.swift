extension ConnectedComponents {
    /// Runs of a packed row (`BitPlaneView` layout): empty words are skipped whole and a run's ends
    /// are found with one trailing-zero count per word it touches, so a mostly empty change mask costs
    /// about one test per 64 pixels. The SIMD twin of `findRunsScalar` packs the byte row first
    /// (`BitPacking`, 16 bytes per compare) and calls this. Returns the number of runs written.
    static func findRuns(packed row: UnsafePointer<UInt64>, width: Int, into runs: UnsafeMutablePointer<Run>) -> Int {
        let words = BitPacking.words(width)
        var count = 0
        var i = 0
        var from: UInt64 = ~0  // bits of word i still to scan
        while i < words {
            let w = row[i] & from
            if w == 0 { i += 1; from = ~0; continue }
            let start = i << 6 + w.trailingZeroBitCount
            // The run ends at the first background bit at or after start.
            var j = i
            var gaps = ~row[j] & (~0 << UInt64(start & 63))
            while gaps == 0 {
                j += 1
                if j == words { break }
                gaps = ~row[j]
            }
            let end = j == words ? width : min(width, j << 6 + gaps.trailingZeroBitCount)
            runs[count] = Run(start: start, end: end)
            count += 1
            i = end >> 6
            from = end & 63 == 0 ? ~0 : ~0 << UInt64(end & 63)
            if end >= width { break }
        }
        return count
    }
}

extension ConnectedComponents {
    /// As `findRunsScalar`, but steps over 16 bytes at a time while they are all background (looking
    /// for a run's start) or all foreground (looking for its end); change masks are mostly long
    /// stretches of one value, so most rows cost width / 16 compares.
    static func findRunsSIMD(_ row: UnsafePointer<UInt8>, width: Int, into runs: inout [Run]) {
        let raw = UnsafeRawPointer(row)
        var x = 0
        while x < width {
            while x + 16 <= width, !any(raw.loadUnaligned(fromByteOffset: x, as: SIMD16<UInt8>.self) .!= 0) { x += 16 }
            while x < width && row[x] == 0 { x += 1 }
            if x == width { break }
            let start = x
            while x + 16 <= width, all(raw.loadUnaligned(fromByteOffset: x, as: SIMD16<UInt8>.self) .!= 0) { x += 16 }
            while x < width && row[x] != 0 { x += 1 }
            runs.append(Run(start: start, end: x))
        }
    }
}

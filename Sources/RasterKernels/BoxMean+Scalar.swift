extension BoxMean {
    static func smoothScalar(_ source: PlaneView<UInt16>, rows: Range<Int>, radius r: Int, invalid: UInt16,
                             into destination: MutablePlaneView<UInt16>) {
        let w = source.width, h = source.height
        for (out, y) in rows.enumerated() {
            for x in 0..<w {
                guard source.row(y)[x] != invalid else { destination.row(out)[x] = invalid; continue }
                var sum: UInt64 = 0, count: UInt64 = 0
                for yy in max(0, y - r)...min(h - 1, y + r) {
                    for xx in max(0, x - r)...min(w - 1, x + r) where source.row(yy)[xx] != invalid {
                        sum += UInt64(source.row(yy)[xx]); count += 1
                    }
                }
                destination.row(out)[x] = mean(sum: sum, count: count)
            }
        }
    }
}

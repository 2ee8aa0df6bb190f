extension ConnectedComponents {
    /// Runs of a byte row, byte by byte. Returns the number of runs written.
    static func findRunsScalar(_ row: UnsafePointer<UInt8>, width: Int, into runs: UnsafeMutablePointer<Run>) -> Int {
        var count = 0
        var x = 0
        while x < width {
            while x < width && row[x] == 0 { x += 1 }
            if x == width { break }
            let start = x
            while x < width && row[x] != 0 { x += 1 }
            runs[count] = Run(start: start, end: x)
            count += 1
        }
        return count
    }

    /// The whole-image reference: two passes over pixels with union-find on provisional labels.
    static func labelReference(_ mask: PlaneView<UInt8>, connectivity: Connectivity,
                               labels: MutablePlaneView<Int32>?) -> [Component] {
        let w = mask.width, h = mask.height
        guard w > 0, h > 0 else { return [] }
        var provisional = [Int32](repeating: 0, count: w * h)  // 0 = background, else index into parent
        var parent: [Int32] = [0]
        func find(_ l: Int32) -> Int32 {
            var r = l
            while parent[Int(r)] != r { r = parent[Int(r)] }
            var c = l
            while parent[Int(c)] != r { let next = parent[Int(c)]; parent[Int(c)] = r; c = next }
            return r
        }
        func fg(_ x: Int, _ y: Int) -> Bool { x >= 0 && x < w && y >= 0 && y < h && mask.row(y)[x] != 0 }

        let neighbours: [(dx: Int, dy: Int)] = connectivity == .four
            ? [(-1, 0), (0, -1)] : [(-1, 0), (-1, -1), (0, -1), (1, -1)]
        for y in 0..<h {
            for x in 0..<w where fg(x, y) {
                var label: Int32 = 0
                for n in neighbours where fg(x + n.dx, y + n.dy) {
                    let r = find(provisional[(y + n.dy) * w + x + n.dx])
                    if label == 0 { label = r } else if r != label {
                        let (keep, drop) = (min(label, r), max(label, r))
                        parent[Int(drop)] = keep
                        label = keep
                    }
                }
                if label == 0 { label = Int32(parent.count); parent.append(label) }
                provisional[y * w + x] = label
            }
        }

        // Second pass in raster order: components are met in order of their first pixel, which is
        // the canonical order.
        var finalID = [Int32](repeating: 0, count: parent.count)
        var accumulators: [Accumulator] = []
        for y in 0..<h {
            for x in 0..<w {
                let p = provisional[y * w + x]
                guard p != 0 else { labels?[x, y] = 0; continue }
                let root = Int(find(p))
                if finalID[root] == 0 { accumulators.append(Accumulator()); finalID[root] = Int32(accumulators.count) }
                let id = finalID[root]
                accumulators[Int(id) - 1].add(start: x, end: x + 1, y: y, imageWidth: w)
                var inside = 0
                for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] where fg(x + dx, y + dy) { inside += 1 }
                accumulators[Int(id) - 1].perimeter += 4 - inside
                labels?[x, y] = id
            }
        }
        return accumulators.map(\.component)
    }
}

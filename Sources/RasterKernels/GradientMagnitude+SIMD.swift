extension GradientMagnitude {
    static func rowSIMD(_ src: PlaneView<Float>, _ out: UnsafeMutablePointer<Float>, _ y: Int) {
        let up = UnsafeRawPointer(src.row(y - 1)), mid = UnsafeRawPointer(src.row(y)), down = UnsafeRawPointer(src.row(y + 1))
        @inline(__always) func load(_ p: UnsafeRawPointer, _ x: Int) -> SIMD16<Float> {
            p.loadUnaligned(fromByteOffset: x * 4, as: SIMD16<Float>.self)
        }
        let end = src.width - 1
        let two = SIMD16<Float>(repeating: 2), eighth = SIMD16<Float>(repeating: 0.125)
        var x = 1
        // Lanes x..<x+16 need columns x-1 ... x+16, all inside the row while x + 16 <= end.
        while x + 16 <= end {
            let ul = load(up, x - 1), uc = load(up, x), ur = load(up, x + 1)
            let ml = load(mid, x - 1), mr = load(mid, x + 1)
            let dl = load(down, x - 1), dc = load(down, x), dr = load(down, x + 1)
            // The scalar expression, split only so the type checker copes; the order is unchanged.
            var right: SIMD16<Float> = ur + two * mr
            right += dr
            var left: SIMD16<Float> = ul + two * ml
            left += dl
            var below: SIMD16<Float> = dl + two * dc
            below += dr
            var above: SIMD16<Float> = ul + two * uc
            above += ur
            let gx: SIMD16<Float> = (right - left) * eighth
            let gy: SIMD16<Float> = (below - above) * eighth
            let sum: SIMD16<Float> = gx * gx + gy * gy
            UnsafeMutableRawPointer(out).storeBytes(of: sum.squareRoot(), toByteOffset: x * 4, as: SIMD16<Float>.self)
            x += 16
        }
        while x < end { out[x] = sobel(src.row(y - 1), src.row(y), src.row(y + 1), x); x += 1 }
    }
}

extension Resampling {
    static func resampleRowSIMD(_ src: PlaneView<Float>, _ out: UnsafeMutablePointer<Float>, _ valid: UnsafeMutablePointer<UInt8>?,
                                _ width: Int, _ row: RowSetup, _ method: Interpolation, _ fill: Float) {
        let iota = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let widthF = Float(src.width), heightF = Float(src.height)
        let lastX = Int32(src.width - 1), lastY = Int32(src.height - 1)
        let stride = src.rowStride
        var x = 0
        while x + 16 <= width {
            // Float(x) + 0.5 exactly as the scalar twin: the integer converts exactly, then one add.
            let centre = SIMD16<Float>(SIMD16<Int32>(repeating: Int32(x)) &+ iota) + 0.5
            var sx = row.rowX + row.xPerColumn * centre, sy = row.rowY + row.yPerColumn * centre
            let inside = (sx .>= 0) .& (sx .< widthF) .& (sy .>= 0) .& (sy .< heightF)
            // Park outside (and NaN) lanes on a harmless in-image point so the integer conversions
            // below stay in range; their result is replaced by `fill`.
            sx = sx.replacing(with: 0.5, where: .!inside)
            sy = sy.replacing(with: 0.5, where: .!inside)
            var value = SIMD16<Float>()
            switch method {
            case .nearest:
                let ix = SIMD16<Int32>(sx.rounded(.down), rounding: .towardZero)
                let iy = SIMD16<Int32>(sy.rounded(.down), rounding: .towardZero)
                for lane in 0..<16 { value[lane] = src.base[Int(iy[lane]) * stride + Int(ix[lane])] }
            case .bilinear:
                let u = sx - 0.5, v = sy - 0.5
                let fu = u.rounded(.down), fv = v.rounded(.down)
                let tx = u - fu, ty = v - fv
                let x0 = SIMD16<Int32>(fu, rounding: .towardZero), y0 = SIMD16<Int32>(fv, rounding: .towardZero)
                let xa = clamp(x0, lastX), xb = clamp(x0 &+ 1, lastX)
                let ya = clamp(y0, lastY), yb = clamp(y0 &+ 1, lastY)
                var p00 = SIMD16<Float>(), p10 = SIMD16<Float>(), p01 = SIMD16<Float>(), p11 = SIMD16<Float>()
                for lane in 0..<16 {
                    let r0 = src.base + Int(ya[lane]) * stride, r1 = src.base + Int(yb[lane]) * stride
                    p00[lane] = r0[Int(xa[lane])]; p10[lane] = r0[Int(xb[lane])]
                    p01[lane] = r1[Int(xa[lane])]; p11[lane] = r1[Int(xb[lane])]
                }
                let top = (1 - tx) * p00 + tx * p10
                let bottom = (1 - tx) * p01 + tx * p11
                value = (1 - ty) * top + ty * bottom
            case .cubic:
                let u = sx - 0.5, v = sy - 0.5
                let fu = u.rounded(.down), fv = v.rounded(.down)
                let (wx0, wx1, wx2, wx3) = cubicWeights(u - fu)
                let (wy0, wy1, wy2, wy3) = cubicWeights(v - fv)
                let x0 = SIMD16<Int32>(fu, rounding: .towardZero), y0 = SIMD16<Int32>(fv, rounding: .towardZero)
                let xs = (clamp(x0 &- 1, lastX), clamp(x0, lastX), clamp(x0 &+ 1, lastX), clamp(x0 &+ 2, lastX))
                func across(_ k: Int32) -> SIMD16<Float> {
                    let yk = clamp(y0 &+ k, lastY)
                    var a = SIMD16<Float>(), b = SIMD16<Float>(), c = SIMD16<Float>(), d = SIMD16<Float>()
                    for lane in 0..<16 {
                        let r = src.base + Int(yk[lane]) * stride
                        a[lane] = r[Int(xs.0[lane])]; b[lane] = r[Int(xs.1[lane])]
                        c[lane] = r[Int(xs.2[lane])]; d[lane] = r[Int(xs.3[lane])]
                    }
                    return wx0 * a + wx1 * b + wx2 * c + wx3 * d
                }
                value = wy0 * across(-1) + wy1 * across(0) + wy2 * across(1) + wy3 * across(2)
            }
            value = value.replacing(with: fill, where: .!inside)
            UnsafeMutableRawPointer(out).storeBytes(of: value, toByteOffset: x * 4, as: SIMD16<Float>.self)
            if let valid {
                let bytes = SIMD16<UInt8>(truncatingIfNeeded: SIMD16<Int32>().replacing(with: 1, where: inside))
                UnsafeMutableRawPointer(valid).storeBytes(of: bytes, toByteOffset: x, as: SIMD16<UInt8>.self)
            }
            x += 16
        }
        while x < width {
            let centre = Float(x) + 0.5
            let (value, inside) = sample(src, row.rowX + row.xPerColumn * centre, row.rowY + row.yPerColumn * centre, method, fill)
            out[x] = value
            valid?[x] = inside ? 1 : 0
            x += 1
        }
    }

    /// Clamps lanes to 0...last with replacing(with:where:), which inlines (pointwiseMin/Max did not; STYLE.md).
    @inline(__always) private static func clamp(_ v: SIMD16<Int32>, _ last: Int32) -> SIMD16<Int32> {
        v.replacing(with: 0, where: v .< 0).replacing(with: last, where: v .> last)
    }
}

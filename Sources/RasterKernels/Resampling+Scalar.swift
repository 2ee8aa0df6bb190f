extension Resampling {
    static func resampleRowScalar(_ src: PlaneView<Float>, _ out: UnsafeMutablePointer<Float>, _ valid: UnsafeMutablePointer<UInt8>?,
                                  _ width: Int, _ row: RowSetup, _ method: Interpolation, _ fill: Float) {
        for x in 0..<width {
            let centre = Float(x) + 0.5
            let sx = row.rowX + row.xPerColumn * centre, sy = row.rowY + row.yPerColumn * centre
            let (value, inside) = sample(src, sx, sy, method, fill)
            out[x] = value
            valid?[x] = inside ? 1 : 0
        }
    }

    /// One destination pixel; also the SIMD twin's row tail.
    @inline(__always) static func sample(_ src: PlaneView<Float>, _ sx: Float, _ sy: Float, _ method: Interpolation,
                                         _ fill: Float) -> (Float, Bool) {
        // Written so that NaN coordinates are outside.
        guard sx >= 0, sx < Float(src.width), sy >= 0, sy < Float(src.height) else { return (fill, false) }
        let lastX = src.width - 1, lastY = src.height - 1
        switch method {
        case .nearest:
            return (src.row(Int(sy.rounded(.down)))[Int(sx.rounded(.down))], true)
        case .bilinear:
            let u = sx - 0.5, v = sy - 0.5
            let fu = u.rounded(.down), fv = v.rounded(.down)
            let tx = u - fu, ty = v - fv
            let x0 = Int(fu), y0 = Int(fv)
            let xa = min(max(x0, 0), lastX), xb = min(max(x0 + 1, 0), lastX)
            let r0 = src.row(min(max(y0, 0), lastY)), r1 = src.row(min(max(y0 + 1, 0), lastY))
            let top = (1 - tx) * r0[xa] + tx * r0[xb]
            let bottom = (1 - tx) * r1[xa] + tx * r1[xb]
            return ((1 - ty) * top + ty * bottom, true)
        case .cubic:
            let u = sx - 0.5, v = sy - 0.5
            let fu = u.rounded(.down), fv = v.rounded(.down)
            let (wx0, wx1, wx2, wx3) = cubicWeights(u - fu)
            let (wy0, wy1, wy2, wy3) = cubicWeights(v - fv)
            let x0 = Int(fu), y0 = Int(fv)
            let xs = (min(max(x0 - 1, 0), lastX), min(max(x0, 0), lastX), min(max(x0 + 1, 0), lastX), min(max(x0 + 2, 0), lastX))
            func across(_ k: Int) -> Float {
                let r = src.row(min(max(y0 + k, 0), lastY))
                return wx0 * r[xs.0] + wx1 * r[xs.1] + wx2 * r[xs.2] + wx3 * r[xs.3]
            }
            return (wy0 * across(-1) + wy1 * across(0) + wy2 * across(1) + wy3 * across(2), true)
        }
    }
}

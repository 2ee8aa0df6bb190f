extension Resampling {
    static func resampleRowSIMD(_ src: PlaneView<Float>, _ out: UnsafeMutablePointer<Float>, _ valid: UnsafeMutablePointer<UInt8>?,
                                _ width: Int, _ row: RowSetup, _ method: Interpolation, _ fill: Float) {
        let iota = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let widthF = SIMD16<Float>(repeating: Float(src.width)), heightF = SIMD16<Float>(repeating: Float(src.height))
        let lastX = Int32(src.width - 1), lastY = Int32(src.height - 1)
        // Lane indices y * stride + x in Int32, and the magic-number conversion below, need these.
        precondition(src.width < 1 << 22 && src.height < 1 << 22 && src.rowStride * src.height < Int(Int32.max),
                     "Resampling: source \(src.width) x \(src.height) (stride \(src.rowStride)) is too large for 32-bit lane indices")
        let stride = Int32(src.rowStride)
        var x = 0
        while x + 16 <= width {
            // Float(x) + 0.5 exactly as the scalar twin: the integer converts exactly, then one add.
            let centre = floats(SIMD16<Int32>(repeating: Int32(x)) &+ iota) + 0.5
            var sx = row.rowX + row.xPerColumn * centre, sy = row.rowY + row.yPerColumn * centre
            // 0 <= sx < width and 0 <= sy < height, NaN outside: as lane masks (see SIMDSupport).
            let inside = nonNegative(sx) & positive(widthF - sx) & nonNegative(sy) & positive(heightF - sy) & notNaN(sx) & notNaN(sy)
            // Park outside (and NaN) lanes on a harmless in-image point so the integer conversions
            // below stay in range; their result is replaced by `fill`.
            sx = select(inside, sx, SIMD16(repeating: 0.5))
            sy = select(inside, sy, SIMD16(repeating: 0.5))
            var value = SIMD16<Float>()
            switch method {
            case .nearest:
                let index = integers(sy.rounded(.down)) &* stride &+ integers(sx.rounded(.down))
                value = gather(src.base, index)
            case .bilinear:
                let u = sx - 0.5, v = sy - 0.5
                let fu = u.rounded(.down), fv = v.rounded(.down)
                let tx = u - fu, ty = v - fv
                let x0 = integers(fu), y0 = integers(fv)
                let xa = clamp(x0, lastX), xb = clamp(x0 &+ 1, lastX)
                let ya = clamp(y0, lastY) &* stride, yb = clamp(y0 &+ 1, lastY) &* stride
                let i00 = ya &+ xa, i10 = ya &+ xb, i01 = yb &+ xa, i11 = yb &+ xb
                let p00 = gather(src.base, i00), p10 = gather(src.base, i10)
                let p01 = gather(src.base, i01), p11 = gather(src.base, i11)
                let top = (1 - tx) * p00 + tx * p10
                let bottom = (1 - tx) * p01 + tx * p11
                value = (1 - ty) * top + ty * bottom
            case .cubic:
                let u = sx - 0.5, v = sy - 0.5
                let fu = u.rounded(.down), fv = v.rounded(.down)
                let (wx0, wx1, wx2, wx3) = cubicWeights(u - fu)
                let (wy0, wy1, wy2, wy3) = cubicWeights(v - fv)
                let x0 = integers(fu), y0 = integers(fv)
                let xs = (clamp(x0 &- 1, lastX), clamp(x0, lastX), clamp(x0 &+ 1, lastX), clamp(x0 &+ 2, lastX))
                func across(_ k: Int32) -> SIMD16<Float> {
                    let yk = clamp(y0 &+ k, lastY) &* stride
                    let i0 = yk &+ xs.0, i1 = yk &+ xs.1, i2 = yk &+ xs.2, i3 = yk &+ xs.3
                    let a = gather(src.base, i0), b = gather(src.base, i1), c = gather(src.base, i2), d = gather(src.base, i3)
                    return wx0 * a + wx1 * b + wx2 * c + wx3 * d
                }
                value = wy0 * across(-1) + wy1 * across(0) + wy2 * across(1) + wy3 * across(2)
            }
            value = select(inside, value, SIMD16(repeating: fill))
            UnsafeMutableRawPointer(out).storeBytes(of: value, toByteOffset: x * 4, as: SIMD16<Float>.self)
            if let valid {
                UnsafeMutableRawPointer(valid).storeBytes(of: ones(inside), toByteOffset: x, as: SIMD16<UInt8>.self)
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

    /// base[index] lane by lane (AVX2's vgatherdps is not reachable from Swift). The 16-argument
    /// initialiser compiles to scalar loads inserted into registers; assigning lanes of a vector
    /// variable went through the stack, a store-forwarding stall per lane (measured 15x slower).
    @inline(__always) static func gather(_ base: UnsafePointer<Float>, _ i: SIMD16<Int32>) -> SIMD16<Float> {
        SIMD16(base[Int(i[0])], base[Int(i[1])], base[Int(i[2])], base[Int(i[3])],
               base[Int(i[4])], base[Int(i[5])], base[Int(i[6])], base[Int(i[7])],
               base[Int(i[8])], base[Int(i[9])], base[Int(i[10])], base[Int(i[11])],
               base[Int(i[12])], base[Int(i[13])], base[Int(i[14])], base[Int(i[15])])
    }

}

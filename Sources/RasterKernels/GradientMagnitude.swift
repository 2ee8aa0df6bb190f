/// Sobel gradient magnitude of a Float32 plane, for co-registration: edges survive changes of
/// illumination, season and sensor gain that defeat correlating raw radiometry.
///
///     gx = [(p(x+1,y-1) + 2 p(x+1,y) + p(x+1,y+1)) - (p(x-1,y-1) + 2 p(x-1,y) + p(x-1,y+1))] / 8
///     gy = the same with rows and columns swapped (down minus up)
///     out = sqrt(gx^2 + gy^2)
///
/// The 1/8 makes a ramp of slope 1 per pixel read 1 (and is exact: a power of two). Pixels on the
/// image border, whose 3×3 neighbourhood is incomplete, are 0; images narrower or shorter than 3 are
/// all 0.
///
/// Tolerance between twins: zero — both evaluate the expression above in the same order.
public enum GradientMagnitude {
    public static func compute(_ source: PlaneView<Float>, into destination: MutablePlaneView<Float>,
                               using implementation: KernelImplementation = .simd) {
        checkSameSize(source, destination, "GradientMagnitude")
        let w = source.width, h = source.height
        guard w > 0, h > 0 else { return }
        if w < 3 || h < 3 {
            for y in 0..<h { for x in 0..<w { destination.row(y)[x] = 0 } }
            return
        }
        for x in 0..<w { destination.row(0)[x] = 0; destination.row(h - 1)[x] = 0 }
        for y in 1..<(h - 1) {
            destination.row(y)[0] = 0
            destination.row(y)[w - 1] = 0
            switch implementation {
            case .scalar: rowScalar(source, destination.row(y), y)
            case .simd: rowSIMD(source, destination.row(y), y)
            }
        }
    }

    /// The interior pixel at column x given the three rows above, at and below it; the scalar twin,
    /// and the SIMD twin's row tail.
    @inline(__always) static func sobel(_ up: UnsafePointer<Float>, _ mid: UnsafePointer<Float>, _ down: UnsafePointer<Float>,
                                        _ x: Int) -> Float {
        let gx = ((up[x + 1] + 2 * mid[x + 1] + down[x + 1]) - (up[x - 1] + 2 * mid[x - 1] + down[x - 1])) * 0.125
        let gy = ((down[x - 1] + 2 * down[x] + down[x + 1]) - (up[x - 1] + 2 * up[x] + up[x + 1])) * 0.125
        return (gx * gx + gy * gy).squareRoot()
    }
}

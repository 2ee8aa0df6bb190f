import XCTest
import RasterKernels
import Foundation

final class ResamplingTests: XCTestCase {
    private func resample(_ src: TestPlane<Float>, width: Int, height: Int, map: PixelAffineMap,
                          _ method: Resampling.Interpolation, _ implementation: KernelImplementation,
                          placement: Placement = Placement(offset: 0, extraStride: 0)) -> (TestPlane<Float>, TestPlane<UInt8>) {
        let out = TestPlane<Float>(width: width, height: height, placement: placement, sentinel: 12345)
        let valid = TestPlane<UInt8>(width: width, height: height, placement: placement, sentinel: 9)
        Resampling.resample(src.view, into: out.mutable, map: map, interpolation: method, fill: -9999,
                            validity: valid.mutable, using: implementation)
        XCTAssertTrue(out.outsideUntouched { $0.bitPattern == $1.bitPattern }, "wrote outside the destination window")
        XCTAssertTrue(valid.outsideUntouched(==), "wrote outside the validity window")
        return (out, valid)
    }

    private func randomPlane(_ width: Int, _ height: Int, _ rng: inout SplitMix64,
                             placement: Placement = Placement(offset: 0, extraStride: 0)) -> TestPlane<Float> {
        let p = TestPlane<Float>(width: width, height: height, placement: placement, sentinel: .nan)
        p.fill { _, _ in rng.unit() * 100 - 50 }
        return p
    }

    func testIdentityReproducesTheSourceWithEveryMethod() {
        var rng = SplitMix64(seed: 9)
        let src = randomPlane(21, 5, &rng)
        for method in Resampling.Interpolation.allCases {
            for implementation in KernelImplementation.allCases {
                let (out, valid) = resample(src, width: 21, height: 5, map: .identity, method, implementation)
                XCTAssertEqual(out.pixels, src.pixels, "\(method) \(implementation) at pixel centres")
                XCTAssertEqual(valid.pixels, Array(repeating: 1, count: 21 * 5))
            }
        }
    }

    func testBilinearHalfwayIsTheMean() {
        let src = TestPlane<Float>(width: 18, height: 2, sentinel: 0)
        src.fill { x, y in Float(x * 4 + y * 100) }
        for implementation in KernelImplementation.allCases {
            // Half a pixel right and down: each interior output is the mean of a 2x2 block.
            let (out, _) = resample(src, width: 17, height: 1, map: .translation(dx: 0.5, dy: 0.5), .bilinear, implementation)
            let expected: [Float] = (0..<17).map { (x: Int) -> Float in Float(x * 4 + 52) }
            XCTAssertEqual(out.pixels, expected)
        }
    }

    func testNearestPicksTheContainingPixel() {
        let src = TestPlane<Float>(width: 20, height: 3, sentinel: 0)
        src.fill { x, y in Float(y * 20 + x) }
        for implementation in KernelImplementation.allCases {
            // Shift by (2.4, 1.4): destination centre (x + 0.5, 0.5) lands at (x + 2.9, 1.9) -> pixel (x + 2, 1).
            let (out, valid) = resample(src, width: 20, height: 1, map: .translation(dx: 2.4, dy: 1.4), .nearest, implementation)
            let expected: [Float] = (0..<20).map { (x: Int) -> Float in x + 2 < 20 ? Float(22 + x) : -9999 }
            let expectedValid: [UInt8] = (0..<20).map { (x: Int) -> UInt8 in x + 2 < 20 ? 1 : 0 }
            XCTAssertEqual(out.pixels, expected)
            XCTAssertEqual(valid.pixels, expectedValid)
        }
    }

    func testCubicReproducesARamp() {
        // Keys' kernel reproduces polynomials up to degree 2; check a plane ramp away from the edges.
        let src = TestPlane<Float>(width: 40, height: 12, sentinel: 0)
        src.fill { x, y in Float(2 * x + 3 * y) }
        for implementation in KernelImplementation.allCases {
            let (out, _) = resample(src, width: 33, height: 6, map: .translation(dx: 2.3, dy: 2.7), .cubic, implementation)
            for y in 0..<6 {
                for x in 0..<33 {
                    // Pixel values sit at centres: value(u, v) = 2 (u - 0.5) + 3 (v - 0.5).
                    let u = Double(x) + 0.5 + 2.3, v = Double(y) + 0.5 + 2.7
                    XCTAssertEqual(Double(out[x, y]), 2 * (u - 0.5) + 3 * (v - 0.5), accuracy: 1e-4, "(\(x), \(y))")
                }
            }
        }
    }

    func testPointsOutsideTheSourceGetTheFillValue() {
        var rng = SplitMix64(seed: 10)
        let src = randomPlane(10, 4, &rng)
        for method in Resampling.Interpolation.allCases {
            for implementation in KernelImplementation.allCases {
                let (out, valid) = resample(src, width: 20, height: 6, map: .translation(dx: -5, dy: -1), method, implementation)
                for y in 0..<6 {
                    for x in 0..<20 {
                        let inside = x >= 5 && x < 15 && y >= 1 && y < 5
                        XCTAssertEqual(valid[x, y], inside ? 1 : 0, "\(method) (\(x), \(y))")
                        if inside { XCTAssertEqual(out[x, y], src[x - 5, y - 1]) } else { XCTAssertEqual(out[x, y], -9999) }
                    }
                }
            }
        }
    }

    func testTwinsAgreeOnAwkwardPlanes() {
        var rng = SplitMix64(seed: 11)
        for width in awkwardWidths {
            for placement in Placement.all {
                for content in Content.allCases {
                    let srcWidth = max(1, width / 2 + 3), srcHeight = 7
                    let src = TestPlane<Float>(width: srcWidth, height: srcHeight, placement: placement, sentinel: .nan)
                    src.fill { _, _ in content == .random ? rng.unit() * 2 - 1 : content == .zero ? 0 : .greatestFiniteMagnitude }
                    // Rotation, scale and shift, so rows cross the source obliquely and leave it.
                    let angle = Double(rng.unit()) * 0.6 - 0.3, scale = 0.4 + Double(rng.unit())
                    let map = PixelAffineMap(gdalOrder: [Double(rng.unit()) * 4 - 2, scale * cos(angle), -scale * sin(angle),
                                                         Double(rng.unit()) * 4 - 1, scale * sin(angle), scale * cos(angle)])
                    for method in Resampling.Interpolation.allCases {
                        let s = resample(src, width: width, height: 4, map: map, method, .scalar, placement: placement)
                        let v = resample(src, width: width, height: 4, map: map, method, .simd, placement: placement)
                        let context = "\(method) width \(width) \(placement) \(content)"
                        XCTAssertTrue(s.0.bitsEqual(v.0), context)
                        XCTAssertEqual(s.1.pixels, v.1.pixels, context)
                    }
                }
            }
        }
    }

    func testNaNCoordinatesAreOutside() {
        let src = TestPlane<Float>(width: 4, height: 4, sentinel: 1)
        src.fill { _, _ in 1 }
        for implementation in KernelImplementation.allCases {
            let (out, valid) = resample(src, width: 17, height: 1, map: PixelAffineMap(gdalOrder: [.nan, 1, 0, 0, 0, 1]),
                                        .bilinear, implementation)
            XCTAssertEqual(out.pixels, Array(repeating: -9999, count: 17))
            XCTAssertEqual(valid.pixels, Array(repeating: 0, count: 17))
        }
    }

    /// The translation fast path: twins agree bit for bit on awkward widths and placements, for
    /// shifts in and out of the source, and match the general path to float rounding.
    func testTranslationFastPathTwinsAgreeAndMatchTheGeneralPath() {
        var rng = SplitMix64(seed: 77)
        for width in awkwardWidths {
            for placement in Placement.all {
                let src = randomPlane(width + 5, 9, &rng, placement: placement)
                for (dx, dy) in [(0.37, -0.61), (-2.25, 1.5), (3.0, 0.0), (Double(width) + 2, 0.5)] {
                    for method in Resampling.Interpolation.allCases {
                        let map = PixelAffineMap.translation(dx: dx, dy: dy)
                        let (a, va) = resample(src, width: width, height: 7, map: map, method, .scalar, placement: placement)
                        let (b, vb) = resample(src, width: width, height: 7, map: map, method, .simd, placement: placement)
                        // A map a hair off a pure translation takes the general (gather) path.
                        let general = PixelAffineMap(gdalOrder: [dx, 1, 1e-13, dy, 0, 1])
                        let (c, vc) = resample(src, width: width, height: 7, map: general, method, .scalar, placement: placement)
                        for y in 0..<7 {
                            for x in 0..<width {
                                XCTAssertEqual(a[x, y].bitPattern, b[x, y].bitPattern, "twins \(method) w \(width) (\(dx), \(dy))")
                                XCTAssertEqual(va[x, y], vb[x, y])
                                XCTAssertEqual(va[x, y], vc[x, y], "validity \(method) w \(width) (\(dx), \(dy)) at \(x)")
                                XCTAssertEqual(a[x, y], c[x, y], accuracy: 1e-3, "general path \(method) w \(width) (\(dx), \(dy))")
                            }
                        }
                    }
                }
            }
        }
    }
}

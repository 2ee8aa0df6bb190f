import XCTest
import RasterKernels

final class GradientMagnitudeTests: XCTestCase {
    private func gradient(_ src: TestPlane<Float>, _ implementation: KernelImplementation,
                          placement: Placement = Placement(offset: 0, extraStride: 0)) -> TestPlane<Float> {
        let out = TestPlane<Float>(width: src.width, height: src.height, placement: placement, sentinel: 777)
        GradientMagnitude.compute(src.view, into: out.mutable, using: implementation)
        XCTAssertTrue(out.outsideUntouched { $0.bitPattern == $1.bitPattern }, "wrote outside its window")
        return out
    }

    func testARampOfSlope3And4Reads5InsideAnd0OnTheBorder() {
        let src = TestPlane<Float>(width: 21, height: 5, sentinel: 0)
        src.fill { x, y in Float(3 * x + 4 * y) }
        for implementation in KernelImplementation.allCases {
            let out = gradient(src, implementation)
            for y in 0..<5 {
                for x in 0..<21 {
                    let border = x == 0 || y == 0 || x == 20 || y == 4
                    XCTAssertEqual(out[x, y], border ? 0 : 5, "(\(x), \(y)) \(implementation)")
                }
            }
        }
    }

    func testAStepEdge() {
        // A step of 8 between columns 9 and 10: columns 9 and 10 straddle it and read
        // (1 + 2 + 1) * 8 / 8 = 4; every other column sees a flat neighbourhood.
        let src = TestPlane<Float>(width: 20, height: 3, sentinel: 0)
        src.fill { x, _ in x >= 10 ? 8 : 0 }
        for implementation in KernelImplementation.allCases {
            let out = gradient(src, implementation)
            XCTAssertEqual((0..<20).map { out[$0, 1] }, (0..<20).map { $0 == 9 || $0 == 10 ? 4 : 0 })
        }
    }

    func testConstantAndTinyImagesAreZero() {
        for (w, h) in [(1, 1), (2, 5), (5, 2), (17, 3)] {
            let src = TestPlane<Float>(width: w, height: h, sentinel: 0)
            src.fill { _, _ in 42 }
            for implementation in KernelImplementation.allCases {
                XCTAssertEqual(gradient(src, implementation).pixels, Array(repeating: 0, count: w * h))
            }
        }
    }

    func testTwinsAgreeOnAwkwardPlanes() {
        var rng = SplitMix64(seed: 12)
        for width in awkwardWidths {
            for placement in Placement.all {
                for content in Content.allCases {
                    let src = TestPlane<Float>(width: width, height: 6, placement: placement, sentinel: .nan)
                    src.fill { _, _ in content == .random ? rng.unit() * 200 - 100 : content == .zero ? 0 : .greatestFiniteMagnitude }
                    XCTAssertTrue(gradient(src, .scalar, placement: placement).bitsEqual(gradient(src, .simd, placement: placement)),
                                  "width \(width) \(placement) \(content)")
                }
            }
        }
    }
}

@testable import RasterKernels
import XCTest

/// The box mean of the change core's averaging pass: SIMD twin against the scalar one on awkward
/// sizes, masked pixels, and strips cut from a larger plane.
final class BoxMeanTests: XCTestCase {
    func testTwinsAgreeOnAwkwardSizesAndMasks() {
        var state: UInt64 = 42
        for (width, height, radius) in [(1, 1, 1), (7, 5, 2), (37, 23, 1), (33, 17, 4), (64, 9, 0), (70, 66, 32)] {  // 32: past the magic reciprocals
            var codes = [UInt16](repeating: 0, count: width * height)
            for i in codes.indices {
                state = state &* 6_364_136_223_846_793_005 &+ 1
                codes[i] = state >> 60 == 0 ? 65535 : UInt16(truncatingIfNeeded: state >> 40)   // about 1 in 16 masked
            }
            for rows in [0..<height, (height / 3)..<height] {
                var scalar = [UInt16](repeating: 1, count: width * rows.count), simd = scalar
                codes.withUnsafeBufferPointer { c in
                    let source = PlaneView(c, width: width, height: height)
                    scalar.withUnsafeMutableBufferPointer {
                        BoxMean.smooth(source, rows: rows, radius: radius, invalid: 65535, into: MutablePlaneView($0, width: width, height: rows.count), using: .scalar)
                    }
                    simd.withUnsafeMutableBufferPointer {
                        BoxMean.smooth(source, rows: rows, radius: radius, invalid: 65535, into: MutablePlaneView($0, width: width, height: rows.count), using: .simd)
                    }
                }
                XCTAssertEqual(simd, scalar, "\(width) x \(height), radius \(radius), rows \(rows)")
                for (i, value) in scalar.enumerated() where codes[rows.lowerBound * width + i] == 65535 {
                    XCTAssertEqual(value, 65535, "a masked pixel stays masked")
                }
            }
        }
    }

    func testMeanOfAKnownBox() {
        // 3 x 3 with a masked centre-right pixel: the centre's radius-1 box holds the other 8.
        let codes: [UInt16] = [10, 20, 30, 40, 50, 65535, 70, 80, 90]
        var out = [UInt16](repeating: 0, count: 9)
        codes.withUnsafeBufferPointer { c in
            out.withUnsafeMutableBufferPointer {
                BoxMean.smooth(PlaneView(c, width: 3, height: 3), rows: 0..<3, radius: 1, invalid: 65535, into: MutablePlaneView($0, width: 3, height: 3))
            }
        }
        XCTAssertEqual(out[4], 49)           // (10+20+30+40+50+70+80+90) / 8 = 48.75, rounded
        XCTAssertEqual(out[5], 65535)
        XCTAssertEqual(out[0], 30)           // (10+20+40+50) / 4
    }
}

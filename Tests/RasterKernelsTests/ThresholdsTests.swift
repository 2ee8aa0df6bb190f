import XCTest
import Foundation
import RasterKernels

final class ThresholdsTests: XCTestCase {
    /// A histogram of `bins` bins holding Gaussians (mean, sd, count) sampled at bin indices.
    private func gaussians(_ modes: [(mean: Double, sd: Double, count: Double)], bins: Int = 256) -> [UInt32] {
        (0..<bins).map { i in
            var v = 0.0
            for m in modes {
                let z = (Double(i) - m.mean) / m.sd
                v += m.count / (m.sd * 2.5066282746310002) * exp(-0.5 * z * z)
            }
            return UInt32(v.rounded())
        }
    }

    func testEmptyAndSingleValuedHistogramsHaveNoThreshold() {
        for h in [[UInt32](), [0, 0, 0], [0, 7, 0], [5]] {
            XCTAssertNil(Thresholds.otsu(histogram: h, maxValue: 1), "\(h)")
            XCTAssertNil(Thresholds.kittlerIllingworth(histogram: h, maxValue: 1), "\(h)")
        }
    }

    func testTwoSpikesSplitMidwayAcrossTheGap() {
        var h = [UInt32](repeating: 0, count: 32)
        h[10] = 100; h[20] = 50
        // The criterion is flat for t = 10 ... 19; the middle of that run is 14.
        let otsu = Thresholds.otsu(histogram: h, maxValue: 64)
        XCTAssertEqual(otsu?.bin, 14)
        XCTAssertEqual(otsu?.value, 30, "upper edge of bin 14: 15 * 64 / 32")
        XCTAssertEqual(Thresholds.kittlerIllingworth(histogram: h, maxValue: 64)?.bin, 14)
    }

    func testTwoAdjacentBins() {
        let h: [UInt32] = [0, 3, 9, 0]
        XCTAssertEqual(Thresholds.otsu(histogram: h, maxValue: 4)?.bin, 1)
        XCTAssertEqual(Thresholds.kittlerIllingworth(histogram: h, maxValue: 4)?.bin, 1)
    }

    func testEqualGaussiansSplitNearTheMidpoint() {
        let h = gaussians([(60, 10, 50_000), (160, 10, 50_000)])
        let otsu = try! XCTUnwrap(Thresholds.otsu(histogram: h, maxValue: 256))
        let ki = try! XCTUnwrap(Thresholds.kittlerIllingworth(histogram: h, maxValue: 256))
        XCTAssertEqual(Double(otsu.bin), 110, accuracy: 3)
        XCTAssertEqual(Double(ki.bin), 110, accuracy: 3)
    }

    func testUnequalVariancesPullKittlerIllingworthTowardsTheNarrowMode() {
        // Narrow mode at 50 (sd 4), wide mode at 150 (sd 30), equal weights.
        let h = gaussians([(50, 4, 50_000), (150, 30, 50_000)])
        let otsu = try! XCTUnwrap(Thresholds.otsu(histogram: h, maxValue: 256))
        let ki = try! XCTUnwrap(Thresholds.kittlerIllingworth(histogram: h, maxValue: 256))
        XCTAssertTrue(otsu.bin > 50 && otsu.bin < 150, "Otsu \(otsu.bin) lies between the means")
        XCTAssertTrue(ki.bin > 50 && ki.bin < 150, "KI \(ki.bin) lies between the means")
        XCTAssertLessThan(abs(ki.bin - 50), abs(ki.bin - 150), "KI \(ki.bin) lies nearer the narrow mode")
        XCTAssertLessThan(ki.bin, otsu.bin, "KI moves further towards the narrow mode than Otsu")
        // The Gaussians' densities cross where the minimum-error criterion should put it: at about
        // 3.4 sd of the narrow mode (solved numerically for these parameters: x ≈ 63.9).
        XCTAssertEqual(Double(ki.bin), 63.9, accuracy: 3)
    }

    func testUnsafeBufferHistogramsWork() {
        let h: [UInt32] = [4, 0, 0, 4]
        h.withUnsafeBufferPointer { XCTAssertEqual(Thresholds.otsu(histogram: $0, maxValue: 4)?.bin, 1) }
    }
}

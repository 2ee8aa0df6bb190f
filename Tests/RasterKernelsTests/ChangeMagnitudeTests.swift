import XCTest
import RasterKernels

final class ChangeMagnitudeTests: XCTestCase {
    /// Runs the kernel on TestPlanes; returns magnitude plane, histogram and count.
    private func run(before: [TestPlane<Float>], after: [TestPlane<Float>], scales: [LinearScale], mask: TestPlane<UInt8>?,
                     placement: Placement, bins: Int, maxValue: Float, implementation: KernelImplementation)
        -> (TestPlane<Float>, [UInt32], Int) {
        let out = TestPlane<Float>(width: before[0].width, height: before[0].height, placement: placement, sentinel: -1)
        var histogram = [UInt32](repeating: 0, count: bins)
        let counted = histogram.withUnsafeMutableBufferPointer { h in
            ChangeMagnitude.compute(before: before.map(\.view), after: after.map(\.view), afterScale: scales,
                                    validity: mask?.view, magnitude: out.mutable, histogram: h, maxValue: maxValue,
                                    using: implementation)
        }
        XCTAssertTrue(out.outsideUntouched { $0.bitPattern == $1.bitPattern }, "wrote outside the magnitude window")
        return (out, histogram, counted)
    }

    func testMagnitudeOfAKnownVector() {
        // before (1, 2, 3), after (4, 6, 3): change (3, 4, 0), length 5. 20 pixels: SIMD body and tail.
        for implementation in KernelImplementation.allCases {
            let values: [(Float, Float)] = [(1, 4), (2, 6), (3, 3)]
            let before = values.map { v in let p = TestPlane<Float>(width: 20, height: 1, sentinel: 0); p.fill { _, _ in v.0 }; return p }
            let after = values.map { v in let p = TestPlane<Float>(width: 20, height: 1, sentinel: 0); p.fill { _, _ in v.1 }; return p }
            let (out, histogram, counted) = run(before: before, after: after, scales: Array(repeating: .identity, count: 3),
                                                mask: nil, placement: Placement.all[0], bins: 10, maxValue: 10,
                                                implementation: implementation)
            XCTAssertEqual(out.pixels, Array(repeating: 5, count: 20))
            XCTAssertEqual(counted, 20)
            XCTAssertEqual(histogram, [0, 0, 0, 0, 0, 20, 0, 0, 0, 0], "5 lies in bin [5, 6)")
        }
    }

    func testNormalisationMaskAndOverflowBin() {
        // One band, 18 pixels: after is normalised by 2 x + 1 before comparing with before = 0.
        // after = x gives m = 2 x + 1; pixel 2 is masked out; m >= maxValue goes to the last bin.
        for implementation in KernelImplementation.allCases {
            let before = TestPlane<Float>(width: 18, height: 1, sentinel: 0)
            let after = TestPlane<Float>(width: 18, height: 1, sentinel: 0)
            after.fill { x, _ in Float(x) }
            let mask = TestPlane<UInt8>(width: 18, height: 1, sentinel: 0)
            mask.fill { x, _ in x == 2 ? 0 : 255 }
            let (out, histogram, counted) = run(before: [before], after: [after], scales: [LinearScale(gain: 2, offset: 1)],
                                                mask: mask, placement: Placement.all[0], bins: 4, maxValue: 8,
                                                implementation: implementation)
            XCTAssertEqual(out.pixels, (0..<18).map { $0 == 2 ? 0 : Float(2 * $0 + 1) })
            XCTAssertEqual(counted, 17)
            // m = 1, 3, (5 masked), 7, 9, 11, ...: bins of width 2: [1] -> 0, [3] -> 1, [7] -> 3, the rest (>= 8) -> 3.
            XCTAssertEqual(histogram, [1, 1, 0, 15])
        }
    }

    func testHistogramAccumulatesAcrossCalls() {
        let before = TestPlane<Float>(width: 17, height: 2, sentinel: 0)
        let after = TestPlane<Float>(width: 17, height: 2, sentinel: 0)
        after.fill { _, _ in 1.5 }
        let out = TestPlane<Float>(width: 17, height: 2, sentinel: 0)
        var histogram: [UInt32] = [3, 0, 0]
        histogram.withUnsafeMutableBufferPointer { h in
            for _ in 0..<2 {
                ChangeMagnitude.compute(before: [before.view], after: [after.view], afterScale: [.identity],
                                        magnitude: out.mutable, histogram: h, maxValue: 3)
            }
        }
        XCTAssertEqual(histogram, [3, 68, 0])
    }

    func testBinIndexAtEdges() {
        XCTAssertEqual(ChangeMagnitude.binIndex(of: 0, binCount: 4, maxValue: 8), 0)
        XCTAssertEqual(ChangeMagnitude.binIndex(of: 2, binCount: 4, maxValue: 8), 1)
        XCTAssertEqual(ChangeMagnitude.binIndex(of: 7.9999995, binCount: 4, maxValue: 8), 3)
        XCTAssertEqual(ChangeMagnitude.binIndex(of: 8, binCount: 4, maxValue: 8), 3)
        XCTAssertEqual(ChangeMagnitude.binIndex(of: .infinity, binCount: 4, maxValue: 8), 3)
        XCTAssertNil(ChangeMagnitude.binIndex(of: .nan, binCount: 4, maxValue: 8))
    }

    /// Magnitudes placed exactly on, and one ulp either side of, bin edges: the twins must bin them alike.
    func testTwinsAgreeOnBinEdges() {
        let maxValue: Float = 0.7, bins = 7  // a maxValue whose edges are not exact in binary
        var values: [Float] = []
        for k in 0...bins {
            let edge = Float(k) * maxValue / Float(bins)
            values += [edge.nextDown, edge, edge.nextUp]
        }
        values = values.filter { $0 >= 0 }
        let width = values.count
        let before = TestPlane<Float>(width: width, height: 1, sentinel: 0)
        let after = TestPlane<Float>(width: width, height: 1, sentinel: 0)
        after.fill { x, _ in values[x] }
        let results = KernelImplementation.allCases.map {
            run(before: [before], after: [after], scales: [.identity], mask: nil, placement: Placement.all[1],
                bins: bins, maxValue: maxValue, implementation: $0)
        }
        XCTAssertTrue(results[0].0.bitsEqual(results[1].0))
        XCTAssertEqual(results[0].1, results[1].1)
        XCTAssertEqual(results[0].1.reduce(0, +), UInt32(width))
    }

    func testTwinsAgreeOnAwkwardPlanes() {
        var rng = SplitMix64(seed: 3)
        for bandCount in [1, 3, 8] {
            for width in awkwardWidths {
                for placement in Placement.all {
                    for content in Content.allCases {
                        for useMask in [false, true] {
                            let height = 3
                            func plane() -> TestPlane<Float> {
                                let p = TestPlane<Float>(width: width, height: height, placement: placement, sentinel: 0)
                                p.fill { _, _ in
                                    switch content {
                                    case .random: return rng.unit() * 2000 - 1000
                                    case .zero: return 0
                                    case .max: return .greatestFiniteMagnitude  // squares overflow to +inf
                                    }
                                }
                                return p
                            }
                            let before = (0..<bandCount).map { _ in plane() }
                            let after = (0..<bandCount).map { _ in plane() }
                            let scales = (0..<bandCount).map { _ in LinearScale(gain: 0.5 + rng.unit(), offset: rng.unit() * 10 - 5) }
                            var mask: TestPlane<UInt8>?
                            if useMask {
                                let m = TestPlane<UInt8>(width: width, height: height, placement: placement, sentinel: 0)
                                m.fill { _, _ in rng.bool(0.3) ? 0 : UInt8(rng.int(1...255)) }
                                mask = m
                            }
                            let context = "bands \(bandCount) width \(width) \(placement) \(content) mask \(useMask)"
                            let s = run(before: before, after: after, scales: scales, mask: mask, placement: placement,
                                        bins: 64, maxValue: 1500, implementation: .scalar)
                            let v = run(before: before, after: after, scales: scales, mask: mask, placement: placement,
                                        bins: 64, maxValue: 1500, implementation: .simd)
                            XCTAssertTrue(s.0.bitsEqual(v.0), "magnitudes differ: \(context)")
                            XCTAssertEqual(s.1, v.1, "histograms differ: \(context)")
                            XCTAssertEqual(s.2, v.2, context)
                            var masked = 0
                            if let mask { masked = mask.pixels.filter { $0 == 0 }.count }
                            XCTAssertEqual(s.2, width * height - masked, context)
                        }
                    }
                }
            }
        }
    }

    /// The code output: twins agree, and each code is `code(of:)` of the Float twin's magnitude
    /// (65535 where masked or NaN), with the same histogram.
    func testCodeOutputTwinsAgreeAndMatchTheMagnitudes() {
        var rng = SplitMix64(seed: 31)
        for bandCount in [1, 3] {
            for width in awkwardWidths {
                for placement in Placement.all {
                    for content in Content.allCases {
                        let height = 2
                        func plane() -> TestPlane<Float> {
                            let p = TestPlane<Float>(width: width, height: height, placement: placement, sentinel: 0)
                            p.fill { x, _ in
                                switch content {
                                case .random: return x % 7 == 3 ? .nan : rng.unit() * 600 - 300
                                case .zero: return 0
                                case .max: return .greatestFiniteMagnitude
                                }
                            }
                            return p
                        }
                        let before = (0..<bandCount).map { _ in plane() }, after = (0..<bandCount).map { _ in plane() }
                        let scales = (0..<bandCount).map { _ in LinearScale(gain: 0.5 + rng.unit(), offset: rng.unit() * 10 - 5) }
                        let mask = TestPlane<UInt8>(width: width, height: height, placement: placement, sentinel: 0)
                        mask.fill { _, _ in rng.bool(0.2) ? 0 : UInt8(rng.int(1...255)) }
                        let codeScale: Float = 65534 / 400
                        let context = "bands \(bandCount) width \(width) \(placement) \(content)"
                        let magnitudes = run(before: before, after: after, scales: scales, mask: mask, placement: placement,
                                             bins: 32, maxValue: 400, implementation: .scalar)
                        var results: [([UInt16], [UInt32], Int)] = []
                        for implementation in KernelImplementation.allCases {
                            let codes = TestPlane<UInt16>(width: width, height: height, placement: placement, sentinel: 7)
                            var histogram = [UInt32](repeating: 0, count: 32)
                            let counted = histogram.withUnsafeMutableBufferPointer { h in
                                ChangeMagnitude.compute(before: before.map(\.view), after: after.map(\.view), afterScale: scales,
                                                        validity: mask.view, codes: codes.mutable, codeScale: codeScale,
                                                        histogram: h, maxValue: 400, using: implementation)
                            }
                            XCTAssertTrue(codes.outsideUntouched(==), "wrote outside the code window: \(context)")
                            results.append((codes.pixels, histogram, counted))
                        }
                        XCTAssertEqual(results[0].0, results[1].0, "codes differ: \(context)")
                        XCTAssertEqual(results[0].1, results[1].1, "histograms differ: \(context)")
                        XCTAssertEqual(results[0].1, magnitudes.1, "histogram differs from the Float output's: \(context)")
                        XCTAssertEqual(results[0].2, magnitudes.2, context)
                        let expected = zip(magnitudes.0.pixels, mask.pixels).map { m, valid in
                            valid == 0 ? ChangeMagnitude.invalidCode : ChangeMagnitude.code(of: m, codeScale: codeScale)
                        }
                        XCTAssertEqual(results[0].0, expected, context)
                    }
                }
            }
        }
    }

    func testCodesRoundHalfToEvenAndSaturate() {
        XCTAssertEqual(ChangeMagnitude.code(of: 2.5, codeScale: 1), 2)
        XCTAssertEqual(ChangeMagnitude.code(of: 3.5, codeScale: 1), 4)
        XCTAssertEqual(ChangeMagnitude.code(of: 1e9, codeScale: 1), ChangeMagnitude.maxCode)
        XCTAssertEqual(ChangeMagnitude.code(of: .infinity, codeScale: 1), ChangeMagnitude.maxCode)
        XCTAssertEqual(ChangeMagnitude.code(of: .nan, codeScale: 1), ChangeMagnitude.invalidCode)
    }
}

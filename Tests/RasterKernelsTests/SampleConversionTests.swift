import XCTest
import RasterKernels

final class SampleConversionTests: XCTestCase {
    func testWidenKnownAnswers() {
        let bytes: [UInt8] = [0, 1, 255]
        var out = [Float](repeating: 0, count: 3)
        bytes.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { SampleConversion.widen(s, into: $0, scale: LinearScale(gain: 2, offset: -1)) }
        }
        XCTAssertEqual(out, [-1, 1, 509])
        let signed: [Int16] = [-32768, -1, 0, 32767]
        var out2 = [Float](repeating: 0, count: 4)
        signed.withUnsafeBufferPointer { s in
            out2.withUnsafeMutableBufferPointer { SampleConversion.widen(s, into: $0, scale: LinearScale(gain: 0.5, offset: 0)) }
        }
        XCTAssertEqual(out2, [-16384, -0.5, 0, 16383.5])
    }

    func testNarrowKnownAnswers() {
        // Ties go to even; negative, NaN and -inf to 0; above 255 and +inf to 255.
        let input: [Float] = [-3, 0.5, 1.5, 2.5, 254.4, 254.6, 300, .nan, .infinity, -.infinity, 17]
        let expected: [UInt8] = [0, 0, 2, 2, 254, 255, 255, 0, 255, 0, 17]
        // Repeated so the 16-lane body, not only the tail, sees every case.
        let long = Array(repeating: input, count: 4).flatMap { $0 }
        for implementation in KernelImplementation.allCases {
            var out = [UInt8](repeating: 99, count: long.count)
            long.withUnsafeBufferPointer { s in out.withUnsafeMutableBufferPointer { SampleConversion.narrow(s, into: $0, using: implementation) } }
            XCTAssertEqual(out, Array(repeating: expected, count: 4).flatMap { $0 }, "\(implementation)")
        }
        var scaled = [UInt8](repeating: 0, count: 2)
        [Float(0.1), 0.2].withUnsafeBufferPointer { s in
            scaled.withUnsafeMutableBufferPointer { SampleConversion.narrow(s, into: $0, scale: LinearScale(gain: 1000, offset: 10)) }
        }
        XCTAssertEqual(scaled, [110, 210])
    }

    func testWidenTwinsAgreeOnAwkwardPlanes() {
        var rng = SplitMix64(seed: 1)
        checkWiden(UInt8.self, &rng) { r in UInt8(truncatingIfNeeded: r.next()) }
        checkWiden(UInt16.self, &rng) { r in UInt16(truncatingIfNeeded: r.next()) }
        checkWiden(Int16.self, &rng) { r in Int16(truncatingIfNeeded: r.next()) }
    }

    private func checkWiden<T: WidenableSample>(_: T.Type, _ rng: inout SplitMix64, random: (inout SplitMix64) -> T) {
        let scale = LinearScale(gain: 0.0123, offset: -7.5)
        for width in awkwardWidths {
            for placement in Placement.all {
                for content in Content.allCases {
                    let height = 3
                    let src = TestPlane<T>(width: width, height: height, placement: placement, sentinel: 0)
                    src.fill { _, _ in content == .random ? random(&rng) : content == .zero ? 0 : T.max }
                    let outs = KernelImplementation.allCases.map { impl -> TestPlane<Float> in
                        let out = TestPlane<Float>(width: width, height: height, placement: placement, sentinel: -42)
                        SampleConversion.widen(src.view, into: out.mutable, scale: scale, using: impl)
                        XCTAssertTrue(out.outsideUntouched(==), "\(T.self) wrote outside its window")
                        return out
                    }
                    XCTAssertTrue(outs[0].bitsEqual(outs[1]), "\(T.self) width \(width) \(placement) \(content)")
                    // The reference itself: y = gain * x + offset.
                    if width > 0 {
                        XCTAssertEqual(outs[0][width - 1, height - 1],
                                       scale.gain * Float(src[width - 1, height - 1]) + scale.offset)
                    }
                }
            }
        }
    }

    func testNarrowTwinsAgreeOnAwkwardPlanes() {
        var rng = SplitMix64(seed: 2)
        for width in awkwardWidths {
            for placement in Placement.all {
                for content in Content.allCases {
                    let src = TestPlane<Float>(width: width, height: 3, placement: placement, sentinel: 0)
                    src.fill { _, _ in
                        switch content {
                        case .random: return rng.unit() * 400 - 100
                        case .zero: return 0
                        case .max: return .greatestFiniteMagnitude
                        }
                    }
                    let outs = KernelImplementation.allCases.map { impl -> TestPlane<UInt8> in
                        let out = TestPlane<UInt8>(width: width, height: 3, placement: placement, sentinel: 77)
                        SampleConversion.narrow(src.view, into: out.mutable, scale: LinearScale(gain: 0.9, offset: 3), using: impl)
                        XCTAssertTrue(out.outsideUntouched(==))
                        return out
                    }
                    XCTAssertEqual(outs[0].pixels, outs[1].pixels, "width \(width) \(placement) \(content)")
                }
            }
        }
    }
}

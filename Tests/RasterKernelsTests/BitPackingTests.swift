import XCTest
@testable import RasterKernels

final class BitPackingTests: XCTestCase {
    /// A packed plane in its own allocation, with a sentinel word after every row and after the
    /// plane, so writes past a row's words are caught.
    final class TestBits {
        let storage: UnsafeMutableBufferPointer<UInt64>
        let width: Int, height: Int, stride: Int
        static let sentinel: UInt64 = 0xDEAD_BEEF_F00D_CAFE

        init(width: Int, height: Int) {
            self.width = width; self.height = height
            stride = BitPacking.words(width) + 1
            storage = .allocate(capacity: stride * height + 1)
            storage.initialize(repeating: Self.sentinel)
        }
        deinit { storage.deallocate() }

        var view: BitPlaneView { BitPlaneView(base: storage.baseAddress!, width: width, height: height, wordStride: stride) }
        var mutable: MutableBitPlaneView { MutableBitPlaneView(base: storage.baseAddress!, width: width, height: height, wordStride: stride) }
        var words: [UInt64] { (0..<height).flatMap { y in (0..<BitPacking.words(width)).map { storage[y * stride + $0] } } }
        var sentinelsIntact: Bool {
            (0..<height).allSatisfy { storage[$0 * stride + stride - 1] == Self.sentinel } && storage[stride * height] == Self.sentinel
        }
    }

    func bytes(_ width: Int, _ height: Int, _ placement: Placement, _ content: Content, _ rng: inout SplitMix64) -> TestPlane<UInt8> {
        let p = TestPlane<UInt8>(width: width, height: height, placement: placement, sentinel: 9)
        p.fill { _, _ in content == .random ? (rng.bool(0.5) ? UInt8(rng.int(1...255)) : 0) : content == .zero ? 0 : 255 }
        return p
    }

    func testPackUnpackTwinsAgreeOnAwkwardPlanes() {
        var rng = SplitMix64(seed: 41)
        for width in awkwardWidths + [64, 128, 129] {
            for placement in Placement.all {
                for content in Content.allCases {
                    let src = bytes(width, 3, placement, content, &rng)
                    let context = "width \(width) \(placement) \(content)"
                    let packed = KernelImplementation.allCases.map { implementation -> TestBits in
                        let bits = TestBits(width: width, height: 3)
                        BitPacking.pack(src.view, into: bits.mutable, using: implementation)
                        XCTAssertTrue(bits.sentinelsIntact, "pack wrote past its words: \(context)")
                        return bits
                    }
                    XCTAssertEqual(packed[0].words, packed[1].words, context)
                    // The definition: bit x of a row is set iff byte x is non-zero; tails are zero.
                    for y in 0..<3 {
                        for x in 0..<width { XCTAssertEqual(packed[0].view[x, y], src[x, y] != 0, "\(context) at \(x), \(y)") }
                        if width % 64 != 0 {
                            XCTAssertEqual(packed[0].view.row(y)[width / 64] >> UInt64(width % 64), 0, "tail bits: \(context)")
                        }
                    }
                    for implementation in KernelImplementation.allCases {
                        let out = TestPlane<UInt8>(width: width, height: 3, placement: placement, sentinel: 7)
                        BitPacking.unpack(packed[0].view, into: out.mutable, using: implementation)
                        XCTAssertTrue(out.outsideUntouched(==), "unpack wrote outside its window: \(context)")
                        XCTAssertEqual(out.pixels, src.pixels.map { $0 != 0 ? 1 : 0 }, "\(implementation) \(context)")
                    }
                }
            }
        }
    }

    func testThresholdTwinsAgreeOnAwkwardPlanes() {
        var rng = SplitMix64(seed: 42)
        for width in awkwardWidths + [64, 128, 129] {
            for placement in Placement.all {
                for content in Content.allCases {
                    let codes = TestPlane<UInt16>(width: width, height: 3, placement: placement, sentinel: 1)
                    codes.fill { _, _ in
                        switch content {
                        case .random: return rng.bool(0.1) ? 65535 : UInt16(truncatingIfNeeded: rng.int(0...65534))
                        case .zero: return 0
                        case .max: return 65535
                        }
                    }
                    for threshold in [UInt16(0), 1000, 32767, 32768, 65534] {
                        let context = "width \(width) \(placement) \(content) threshold \(threshold)"
                        let results = KernelImplementation.allCases.map { implementation -> TestBits in
                            let bits = TestBits(width: width, height: 3)
                            BitPacking.threshold(codes.view, above: threshold, excluding: 65535, into: bits.mutable, using: implementation)
                            XCTAssertTrue(bits.sentinelsIntact, context)
                            return bits
                        }
                        XCTAssertEqual(results[0].words, results[1].words, context)
                        for y in 0..<3 {
                            for x in 0..<width {
                                XCTAssertEqual(results[1].view[x, y], codes[x, y] > threshold && codes[x, y] != 65535, "\(context) at \(x), \(y)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// The packed morphology API against the scalar byte twin, including elements wider than a
    /// word (shifts across several words) and in place.
    func testPackedMorphologyMatchesTheScalarTwin() {
        var rng = SplitMix64(seed: 43)
        let elements = [StructuringElement.square(3), StructuringElement(width: 5, height: 1), StructuringElement(width: 1, height: 7),
                        StructuringElement(width: 131, height: 3), StructuringElement(width: 65, height: 65)]
        for width in [1, 17, 63, 64, 65, 200] {
            for content in Content.allCases {
                let height = 1 + width % 11
                let src = bytes(width, height, Placement.all[1], content, &rng)
                for element in elements {
                    for op in BinaryMorphology.Operation.allCases {
                        let context = "\(op) \(element.width)x\(element.height) width \(width) \(content)"
                        let expected = TestPlane<UInt8>(width: width, height: height, sentinel: 0)
                        var byteScratch = [UInt8](repeating: 0, count: BinaryMorphology.scratchCount(width: width, height: height, element: element))
                        byteScratch.withUnsafeMutableBufferPointer {
                            BinaryMorphology.apply(op, to: src.view, into: expected.mutable, element: element, scratch: $0, using: .scalar)
                        }
                        let bits = TestBits(width: width, height: height)
                        BitPacking.pack(src.view, into: bits.mutable)
                        var scratch = [UInt64](repeating: 0, count: BinaryMorphology.packedScratchCount(width: width, height: height, element: element))
                        scratch.withUnsafeMutableBufferPointer {
                            BinaryMorphology.apply(op, to: bits.view, into: bits.mutable, element: element, scratch: $0)
                        }
                        XCTAssertTrue(bits.sentinelsIntact, context)
                        let out = TestPlane<UInt8>(width: width, height: height, sentinel: 0)
                        BitPacking.unpack(bits.view, into: out.mutable)
                        XCTAssertEqual(out.pixels, expected.pixels, context)
                    }
                }
            }
        }
    }

    /// Packed strips through the labeller give the reference components.
    func testLabellerTakesPackedStrips() {
        var rng = SplitMix64(seed: 44)
        for width in [1, 63, 64, 65, 130] {
            for density in [0.2, 0.6] {
                for connectivity in Connectivity.allCases {
                    let height = rng.int(1...30)
                    let m = TestPlane<UInt8>(width: width, height: height, sentinel: 0)
                    m.fill { _, _ in rng.bool(density) ? 1 : 0 }
                    let reference = ConnectedComponents.label(m.view, connectivity: connectivity)
                    let bits = TestBits(width: width, height: height)
                    BitPacking.pack(m.view, into: bits.mutable)
                    let labeler = ComponentLabeler(width: width, connectivity: connectivity)
                    var found: [Component] = []
                    var y = 0
                    while y < height {
                        let h = min(rng.int(1...5), height - y)
                        labeler.feed(BitPlaneView(base: bits.view.row(y), width: width, height: h, wordStride: bits.stride))
                        found += labeler.drainFinished()
                        y += h
                    }
                    found += labeler.finish()
                    XCTAssertEqual(found.sorted { $0.firstPixelIndex < $1.firstPixelIndex }, reference,
                                   "width \(width) height \(height) density \(density) \(connectivity)")
                }
            }
        }
    }

    /// The lane helpers the kernels share, against their scalar meaning.
    func testLaneHelpers() {
        var rng = SplitMix64(seed: 45)
        for _ in 0..<200 {
            let ints = SIMD16<Int32>((0..<16).map { _ in Int32(rng.int(-1000...1000)) })
            let last = Int32(rng.int(0...500))
            XCTAssertEqual(clamp(ints, last), SIMD16((0..<16).map { min(max(ints[$0], 0), last) }))
            let whole = SIMD16<Float>((0..<16).map { _ in Float(rng.int(-(1 << 21)...(1 << 21))) })
            XCTAssertEqual(integers(whole), SIMD16((0..<16).map { Int32(whole[$0]) }))
            let bytes = SIMD16<UInt8>((0..<16).map { _ in rng.bool(0.5) ? UInt8(rng.int(1...255)) : 0 })
            XCTAssertEqual(nonZeroLanes(bytes), SIMD16((0..<16).map { bytes[$0] != 0 ? UInt32.max : 0 }))
            XCTAssertEqual(ones(nonZeroLanes(bytes)), SIMD16((0..<16).map { bytes[$0] != 0 ? 1 : 0 }))
            let halves = SIMD16<Float>((0..<16).map { _ in Float(rng.int(0...2000)) / 2 })
            XCTAssertEqual(roundedToUInt32(halves), SIMD16((0..<16).map { UInt32(halves[$0].rounded(.toNearestOrEven)) }))
            XCTAssertEqual(floats(bytes), SIMD16((0..<16).map { Float(bytes[$0]) }))
        }
        let squares = SIMD16<Float>((0..<16).map { Float($0 * $0) })
        XCTAssertEqual(nonNegativeSquareRoot(squares), SIMD16((0..<16).map { Float($0) }))
        XCTAssertTrue(nonNegativeSquareRoot(SIMD16(repeating: .nan))[3].isNaN)
    }
}

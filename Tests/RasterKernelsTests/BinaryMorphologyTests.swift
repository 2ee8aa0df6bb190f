import XCTest
import RasterKernels

final class BinaryMorphologyTests: XCTestCase {
    /// Builds a mask from rows of "#" (foreground) and "." (background).
    private func mask(_ rows: [String], placement: Placement = Placement(offset: 0, extraStride: 0)) -> TestPlane<UInt8> {
        let p = TestPlane<UInt8>(width: rows.first?.count ?? 0, height: rows.count, placement: placement, sentinel: 9)
        p.fill { x, y in Array(rows[y])[x] == "#" ? 1 : 0 }
        return p
    }

    private func picture(_ p: TestPlane<UInt8>) -> [String] {
        (0..<p.height).map { y in String((0..<p.width).map { p[$0, y] == 1 ? "#" : p[$0, y] == 0 ? "." : "?" }) }
    }

    private func apply(_ op: BinaryMorphology.Operation, _ src: TestPlane<UInt8>, _ element: StructuringElement,
                       _ implementation: KernelImplementation, placement: Placement? = nil) -> TestPlane<UInt8> {
        let out = TestPlane<UInt8>(width: src.width, height: src.height,
                                   placement: placement ?? Placement(offset: src.offset, extraStride: src.stride - src.width), sentinel: 9)
        var scratch = [UInt8](repeating: 0, count: BinaryMorphology.scratchCount(width: src.width, height: src.height, element: element))
        scratch.withUnsafeMutableBufferPointer {
            BinaryMorphology.apply(op, to: src.view, into: out.mutable, element: element, scratch: $0, using: implementation)
        }
        XCTAssertTrue(out.outsideUntouched(==), "\(op) wrote outside its window")
        return out
    }

    /// The definition, pixel by pixel: AND / OR over the element clipped to the image.
    private func bruteForce(_ op: BinaryMorphology.Operation, _ src: TestPlane<UInt8>, _ e: StructuringElement) -> [UInt8] {
        func pass(_ pixels: [UInt8], erode: Bool) -> [UInt8] {
            var out = pixels
            for y in 0..<src.height {
                for x in 0..<src.width {
                    var v: UInt8 = erode ? 1 : 0
                    for yy in (y - e.height / 2)...(y + e.height / 2) where yy >= 0 && yy < src.height {
                        for xx in (x - e.width / 2)...(x + e.width / 2) where xx >= 0 && xx < src.width {
                            let b: UInt8 = pixels[yy * src.width + xx] != 0 ? 1 : 0
                            v = erode ? min(v, b) : max(v, b)
                        }
                    }
                    out[y * src.width + x] = v
                }
            }
            return out
        }
        switch op {
        case .erode: return pass(src.pixels, erode: true)
        case .dilate: return pass(src.pixels, erode: false)
        case .open: return pass(pass(src.pixels, erode: true), erode: false)
        case .close: return pass(pass(src.pixels, erode: false), erode: true)
        }
    }

    func testErodingA5x5SquareBy3x3LeavesTheCentral3x3() {
        let square = mask([".......", ".#####.", ".#####.", ".#####.", ".#####.", ".#####.", "......."])
        for implementation in KernelImplementation.allCases {
            XCTAssertEqual(picture(apply(.erode, square, .square(3), implementation)),
                           [".......", ".......", "..###..", "..###..", "..###..", ".......", "......."])
        }
    }

    func testDilatingAPixelGivesTheElement() {
        let dot = mask([".......", ".......", "...#...", ".......", "......."])
        for implementation in KernelImplementation.allCases {
            XCTAssertEqual(picture(apply(.dilate, dot, StructuringElement(width: 5, height: 3), implementation)),
                           [".......", ".#####.", ".#####.", ".#####.", "......."])
        }
    }

    func testClosingFillsAOnePixelHole() {
        // Two pixels of margin: with the border rule, a closing grows anything within one element
        // radius of the edge out to the edge (dilation reaches it, erosion does not take it back).
        let holed = mask([".........", ".........", "..#####..", "..#####..", "..##.##..", "..#####..", "..#####..",
                          ".........", "........."])
        for implementation in KernelImplementation.allCases {
            XCTAssertEqual(picture(apply(.close, holed, .square(3), implementation)),
                           [".........", ".........", "..#####..", "..#####..", "..#####..", "..#####..", "..#####..",
                            ".........", "........."])
            // One pixel of margin: the closing reaches the border, as documented.
            let tight = mask([".....", ".###.", ".#.#.", ".###.", "....."])
            XCTAssertEqual(picture(apply(.close, tight, .square(3), implementation)), ["#####", "#####", "#####", "#####", "#####"])
        }
    }

    func testOpeningRemovesSpeckleAndKeepsBlocks() {
        let noisy = mask(["#.......", "........", "...###..", "...###.#", "...###..", "........"])
        for implementation in KernelImplementation.allCases {
            XCTAssertEqual(picture(apply(.open, noisy, .square(3), implementation)),
                           ["........", "........", "...###..", "...###..", "...###..", "........"])
        }
    }

    func testTheImageBorderNeitherErodesNorDilates() {
        // A block filling the left edge keeps its edge column under erosion; dilation stays inside.
        let edge = mask(["##...", "##...", "##...", "##..."])
        for implementation in KernelImplementation.allCases {
            XCTAssertEqual(picture(apply(.erode, edge, .square(3), implementation)), ["#....", "#....", "#....", "#...."])
            XCTAssertEqual(picture(apply(.erode, mask(["#####", "#####"]), .square(5), implementation)), ["#####", "#####"])
            XCTAssertEqual(picture(apply(.dilate, edge, .square(3), implementation)), ["###..", "###..", "###..", "###.."])
        }
    }

    func testNonZeroBytesAreForeground() {
        let p = TestPlane<UInt8>(width: 20, height: 1, sentinel: 0)
        p.fill { x, _ in x == 4 ? 255 : x == 10 ? 7 : 0 }
        for implementation in KernelImplementation.allCases {
            let out = apply(.dilate, p, StructuringElement(width: 1, height: 1), implementation)
            XCTAssertEqual(out.pixels, (0..<20).map { $0 == 4 || $0 == 10 ? 1 : 0 })
        }
    }

    func testTwinsAndDefinitionAgreeOnAwkwardPlanes() {
        var rng = SplitMix64(seed: 6)
        let elements = [StructuringElement(width: 1, height: 1), .square(3), StructuringElement(width: 5, height: 3),
                        StructuringElement(width: 7, height: 1), StructuringElement(width: 1, height: 9)]
        for width in awkwardWidths {
            for placement in Placement.all {
                for content in Content.allCases {
                    let height = 1 + (width + placement.offset) % 9
                    let src = TestPlane<UInt8>(width: width, height: height, placement: placement, sentinel: 9)
                    src.fill { _, _ in content == .random ? (rng.bool(0.6) ? UInt8(rng.int(1...255)) : 0) : content == .zero ? 0 : 255 }
                    for element in elements {
                        for op in BinaryMorphology.Operation.allCases {
                            let context = "\(op) \(element.width)x\(element.height) width \(width) height \(height) \(placement) \(content)"
                            let scalar = apply(op, src, element, .scalar)
                            let simd = apply(op, src, element, .simd)
                            XCTAssertEqual(scalar.pixels, simd.pixels, context)
                            XCTAssertEqual(scalar.pixels, bruteForce(op, src, element), context)
                        }
                    }
                }
            }
        }
    }

    func testOpeningAndClosingAreIdempotent() {
        var rng = SplitMix64(seed: 7)
        for (width, height) in [(17, 13), (33, 20), (5, 40)] {
            let src = TestPlane<UInt8>(width: width, height: height, sentinel: 0)
            src.fill { _, _ in rng.bool(0.5) ? 1 : 0 }
            for op in [BinaryMorphology.Operation.open, .close] {
                for element in [StructuringElement.square(3), StructuringElement(width: 5, height: 3)] {
                    let once = apply(op, src, element, .simd)
                    let twice = apply(op, once, element, .simd)
                    XCTAssertEqual(once.pixels, twice.pixels, "\(op) \(width)x\(height)")
                    XCTAssertNotEqual(once.pixels, src.pixels, "the test mask should be changed by \(op)")
                }
            }
        }
    }

    func testDestinationMayBeTheSource() {
        var rng = SplitMix64(seed: 8)
        let src = TestPlane<UInt8>(width: 37, height: 11, sentinel: 0)
        src.fill { _, _ in rng.bool(0.7) ? 1 : 0 }
        for op in BinaryMorphology.Operation.allCases {
            let expected = apply(op, src, .square(3), .scalar).pixels
            let copy = TestPlane<UInt8>(width: 37, height: 11, sentinel: 0)
            copy.fill { src[$0, $1] }
            var scratch = [UInt8](repeating: 0, count: BinaryMorphology.scratchCount(width: 37, height: 11, element: .square(3)))
            scratch.withUnsafeMutableBufferPointer {
                BinaryMorphology.apply(op, to: copy.view, into: copy.mutable, element: .square(3), scratch: $0)
            }
            XCTAssertEqual(copy.pixels, expected, "\(op) in place")
        }
    }
}

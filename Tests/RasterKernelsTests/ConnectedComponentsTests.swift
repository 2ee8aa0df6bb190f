import XCTest
@testable import RasterKernels
import GeoRaster

final class ConnectedComponentsTests: XCTestCase {
    private func mask(_ rows: [String]) -> TestPlane<UInt8> {
        let p = TestPlane<UInt8>(width: rows.first?.count ?? 0, height: rows.count, sentinel: 0)
        p.fill { x, y in Array(rows[y])[x] == "#" ? 1 : 0 }
        return p
    }

    /// Streams `mask` through a labeler in strips of the given heights (cycled), draining as it goes.
    private func stream(_ mask: TestPlane<UInt8>, _ connectivity: Connectivity, strips: [Int],
                        _ implementation: KernelImplementation = .simd) -> [Component] {
        let labeler = ComponentLabeler(width: mask.width, connectivity: connectivity, using: implementation)
        var found: [Component] = []
        var y = 0, i = 0
        while y < mask.height {
            let h = min(strips[i % strips.count], mask.height - y)
            labeler.feed(PlaneView(base: mask.view.row(y), width: mask.width, height: h, rowStride: mask.stride))
            XCTAssertLessThanOrEqual(labeler.openComponentCount, (mask.width + 1) / 2, "open components bounded by the width")
            found += labeler.drainFinished()
            y += h; i += 1
        }
        found += labeler.finish()
        return found.sorted { $0.firstPixelIndex < $1.firstPixelIndex }
    }

    private func both(_ mask: TestPlane<UInt8>, _ connectivity: Connectivity) -> [Component] {
        let reference = ConnectedComponents.label(mask.view, connectivity: connectivity)
        XCTAssertEqual(stream(mask, connectivity, strips: [1]), reference, "streaming differs from the reference")
        return reference
    }

    func testLShapeIsOneComponentEitherWay() {
        let l = mask(["#...", "#...", "###."])
        for connectivity in Connectivity.allCases {
            let c = both(l, connectivity)
            XCTAssertEqual(c.count, 1)
            XCTAssertEqual(c[0].area, 5)
            XCTAssertEqual(c[0].boundingBox, PixelWindow(x: 0, y: 0, width: 3, height: 3))
            XCTAssertEqual(c[0].perimeter, 12)
            XCTAssertEqual(c[0].firstPixelIndex, 0)
            XCTAssertEqual(c[0].centroid.x, (0.5 * 3 + 1.5 + 2.5) / 5, accuracy: 1e-12)
            XCTAssertEqual(c[0].centroid.y, (0.5 + 1.5 + 2.5 * 3) / 5, accuracy: 1e-12)
        }
    }

    func testDiagonalPixelsJoinOnlyUnderEightConnectivity() {
        let diagonal = mask(["....", ".#..", "..#.", "...."])
        let four = both(diagonal, .four)
        XCTAssertEqual(four.map(\.area), [1, 1])
        XCTAssertEqual(four.map(\.perimeter), [4, 4])
        XCTAssertEqual(four.map(\.firstPixelIndex), [5, 10])
        let eight = both(diagonal, .eight)
        XCTAssertEqual(eight.map(\.area), [2])
        XCTAssertEqual(eight.map(\.perimeter), [8])
        XCTAssertEqual(eight[0].boundingBox, PixelWindow(x: 1, y: 1, width: 2, height: 2))
        // Anti-diagonal too: the run in the lower row touches the upper one at its left corner.
        XCTAssertEqual(both(mask(["..#", ".#."]), .eight).count, 1)
        XCTAssertEqual(both(mask(["..#", ".#."]), .four).count, 2)
    }

    func testBarsHaveTheirOrientationAndAxes() {
        let horizontal = both(mask([".......", ".#####.", "......."]), .four)[0]
        XCTAssertEqual(horizontal.orientation, 0)
        XCTAssertEqual(horizontal.minorAxisLength, 0)
        // Five centres spaced 1 apart: variance 2, major axis 4 sqrt(2).
        XCTAssertEqual(horizontal.majorAxisLength, 4 * 2.0.squareRoot(), accuracy: 1e-12)
        let vertical = both(mask(["...", ".#.", ".#.", ".#.", "..."]), .four)[0]
        XCTAssertEqual(abs(vertical.orientation), Double.pi / 2, accuracy: 1e-15)
        // A diagonal line of pixels (8-connected) points down-right: +pi/4 with y down.
        let diagonal = both(mask(["#...", ".#..", "..#.", "...#"]), .eight)[0]
        XCTAssertEqual(diagonal.orientation, Double.pi / 4, accuracy: 1e-12)
        // A square has no axis.
        XCTAssertEqual(both(mask(["##", "##"]), .four)[0].orientation, 0)
    }

    func testRectangleAndRing() {
        let rectangle = both(mask([".....", ".###.", ".###.", "....."]), .four)[0]
        XCTAssertEqual(rectangle.area, 6)
        XCTAssertEqual(rectangle.perimeter, 10)
        XCTAssertEqual(rectangle.centroid, PixelPoint(x: 2.5, y: 2.0))
        // Outer boundary 4 * 3 = 12 plus the hole's 4 edges.
        let ring = both(mask(["###", "#.#", "###"]), .four)[0]
        XCTAssertEqual(ring.area, 8)
        XCTAssertEqual(ring.perimeter, 16)
    }

    func testAUMergesWhenItsArmsMeet() {
        // The arms are separate components until the bottom row joins them; the union must carry both
        // arms' sums and the first pixel of the left arm.
        let u = mask(["#.#..#", "#.#..#", "###..#", "......", "#.#.#."])
        for connectivity in Connectivity.allCases {
            let c = both(u, connectivity)
            XCTAssertEqual(c.first?.area, 7)
            XCTAssertEqual(c.first?.firstPixelIndex, 0)
            XCTAssertEqual(c.first?.perimeter, 16)
        }
        XCTAssertEqual(both(u, .four).count, 5)
    }

    func testLabelImage() {
        let m = mask(["#..#", "#...", "..##"])
        var labels = [Int32](repeating: -1, count: 12)
        let components = labels.withUnsafeMutableBufferPointer { l in
            ConnectedComponents.label(m.view, connectivity: .four, labels: MutablePlaneView(l, width: 4, height: 3))
        }
        XCTAssertEqual(components.count, 3)
        XCTAssertEqual(labels, [1, 0, 0, 2,
                                1, 0, 0, 0,
                                0, 0, 3, 3])
    }

    func testComponentsAreHandedOutAsSoonAsTheyClose() {
        let m = mask(["##..", "....", "...#", "...#"])
        let labeler = ComponentLabeler(width: 4, connectivity: .eight)
        labeler.feed(PlaneView(base: m.view.row(0), width: 4, height: 1))
        XCTAssertEqual(labeler.drainFinished().count, 0, "the top bar could still grow")
        labeler.feed(PlaneView(base: m.view.row(1), width: 4, height: 2))
        XCTAssertEqual(labeler.drainFinished().map(\.area), [2], "an empty row closes the top bar")
        XCTAssertEqual(labeler.openComponentCount, 1)
        labeler.feed(PlaneView(base: m.view.row(3), width: 4, height: 1))
        XCTAssertEqual(labeler.finish().map(\.area), [2])
    }

    func testStreamingEqualsTheReferenceOnRandomMasks() {
        var rng = SplitMix64(seed: 13)
        for width in awkwardWidths {
            for density in [0.2, 0.5, 0.75] {
                for connectivity in Connectivity.allCases {
                    let height = rng.int(1...40)
                    let m = TestPlane<UInt8>(width: width, height: height, placement: Placement.all[rng.int(0...2)], sentinel: 1)
                    // At 0.5 and 0.75 the noise percolates into components spanning many strips.
                    m.fill { x, y in rng.bool(density) ? UInt8(rng.int(1...255)) : 0 }
                    let reference = ConnectedComponents.label(m.view, connectivity: connectivity)
                    XCTAssertEqual(reference.map(\.area).reduce(0, +), m.pixels.filter { $0 != 0 }.count)
                    for implementation in KernelImplementation.allCases {
                        let strips = (0..<5).map { _ in rng.int(1...7) }
                        XCTAssertEqual(stream(m, connectivity, strips: strips, implementation), reference,
                                       "width \(width) height \(height) density \(density) \(connectivity) strips \(strips) \(implementation)")
                    }
                }
            }
        }
    }

    func testStreamingEqualsTheReferenceOnSpirals() {
        // A spiral is one component whose arms are separate labels for many rows: the hardest merge order.
        let n = 23
        var grid = Array(repeating: Array(repeating: Character("."), count: n), count: n)
        var (x0, y0, x1, y1) = (0, 0, n - 1, n - 1)
        while x0 <= x1 && y0 <= y1 {
            for x in x0...x1 { grid[y0][x] = "#" }
            for y in y0...y1 { grid[y][x1] = "#" }
            for x in x0...x1 { grid[y1][x] = "#" }
            if y0 + 2 <= y1 { for y in (y0 + 2)...y1 { grid[y][x0] = "#" } }
            if x0 + 2 <= x1 { grid[y0 + 2][x0 + 1] = "#" }
            x0 += 2; y0 += 2; x1 -= 2; y1 -= 2
        }
        let spiral = mask(grid.map { String($0) })
        for connectivity in Connectivity.allCases {
            XCTAssertEqual(stream(spiral, connectivity, strips: [3, 1, 4]), ConnectedComponents.label(spiral.view, connectivity: connectivity))
        }
    }

    func testRunFinderTwinsAgree() {
        var rng = SplitMix64(seed: 14)
        for width in awkwardWidths + [100, 200] {
            for pattern in 0..<4 {
                let row = (0..<width).map { x -> UInt8 in
                    switch pattern {
                    case 0: return rng.bool(0.5) ? 1 : 0
                    case 1: return 0
                    case 2: return 255
                    default: return (x / 19) % 2 == 0 ? 0 : UInt8(rng.int(1...255))  // long runs across vectors
                    }
                }
                var scalar: [ConnectedComponents.Run] = [], simd: [ConnectedComponents.Run] = []
                row.withUnsafeBufferPointer { p in
                    let base = p.baseAddress ?? UnsafePointer(bitPattern: 1)!
                    ConnectedComponents.findRuns(base, width: width, into: &scalar, using: .scalar)
                    ConnectedComponents.findRuns(base, width: width, into: &simd, using: .simd)
                }
                XCTAssertEqual(scalar.map { [$0.start, $0.end] }, simd.map { [$0.start, $0.end] }, "width \(width) pattern \(pattern)")
                XCTAssertEqual(scalar.map { $0.end - $0.start }.reduce(0, +), row.filter { $0 != 0 }.count)
            }
        }
    }
}

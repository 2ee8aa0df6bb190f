@testable import ChangeAnalysis
import GeoRaster
import RasterKernels
import SceneSynth
import XCTest

/// Small pairs (debug builds run SIMD code far slower); the 8192² check runs in Benchmarks/.
final class ChangeDetectorTests: XCTestCase {
    func sources(_ pair: ChangePair) -> (PixelSource, PixelSource) {
        (InMemorySource(pair.render(.before, window: PixelWindow(x: 0, y: 0, width: pair.size, height: pair.size))),
         InMemorySource(pair.render(.after, window: PixelWindow(x: 0, y: 0, width: pair.afterSize, height: pair.afterSize))))
    }

    func parameters() -> ChangeParameters {
        var p = ChangeParameters()
        p.registrationWindowSize = 128
        p.registrationWindowCount = 4
        p.maxShiftPixels = 4
        p.stripRows = 40  // several strips, so components cross strip boundaries
        return p
    }

    /// Seeds and shifts none of the defaults were tuned on.
    func testRecoversShiftAndCountsObjects() throws {
        for (seed, shift) in [(UInt64(101), PixelPoint(x: 1.6, y: -0.7)), (202, PixelPoint(x: -2.3, y: 1.25))] {
            let pair = ChangePair(size: 256, objectCount: 10, shift: shift, seed: seed)
            let (before, after) = sources(pair)
            let result = try ChangeDetector(parameters: parameters()).run(openBefore: { before }, openAfter: { after })
            XCTAssertEqual(result.registration.status, .applied)
            XCTAssertEqual(result.registration.shiftX, shift.x, accuracy: 0.1, "seed \(seed)")
            XCTAssertEqual(result.registration.shiftY, shift.y, accuracy: 0.1, "seed \(seed)")
            XCTAssertGreaterThan(result.registration.confidence, 0.5)
            XCTAssertEqual(result.regions.count, pair.objects.count, "seed \(seed)")
            // Every object is found where it is.
            for object in pair.objects {
                let centre = MapPoint(x: (object.bounds.minX + object.bounds.maxX) / 2, y: (object.bounds.minY + object.bounds.maxY) / 2)
                let nearest = result.regions.map { distance($0.center, centre) }.min() ?? .infinity
                XCTAssertLessThan(nearest, 2, "object at \(centre)")
            }
            // Normalisation recovers the gains the pair applied (after -> before is their inverse).
            for band in 0..<3 {
                XCTAssertEqual(result.normalisation.gains[band], 1 / Double(pair.gains[band]), accuracy: 0.03)
            }
        }
    }

    func testDifferentGSDAndSmallShiftLeaveASmallResidual() throws {
        let shift = PixelPoint(x: 0.5, y: -0.5)
        let pair = ChangePair(size: 256, objectCount: 6, shift: shift, gsdAfter: 0.6, seed: 303)
        let (before, after) = sources(pair)
        let result = try ChangeDetector(parameters: parameters()).run(openBefore: { before }, openAfter: { after })
        let error = ((result.registration.shiftX - shift.x) * (result.registration.shiftX - shift.x)
                     + (result.registration.shiftY - shift.y) * (result.registration.shiftY - shift.y)).squareRoot()
        XCTAssertLessThan(error, 0.2, "residual after co-registration: \(result.registration)")
        XCTAssertEqual(result.regions.count, pair.objects.count)
    }

    func testNoChangeFindsNothing() throws {
        let pair = ChangePair(size: 200, objectCount: 0, shift: PixelPoint(x: 1.2, y: 0.4), seed: 404)
        let (before, after) = sources(pair)
        let result = try ChangeDetector(parameters: parameters()).run(openBefore: { before }, openAfter: { after })
        XCTAssertEqual(result.regions.filter { $0.component.area >= 30 }.count, 0)
    }

    func testDatesThatDoNotOverlapAreAnError() throws {
        let pair = ChangePair(size: 64, objectCount: 0, shift: PixelPoint(x: 0, y: 0), seed: 5)
        var far = pair.render(.after, window: PixelWindow(x: 0, y: 0, width: 64, height: 64))
        far.georeferencing?.transform.originX += 10_000
        let before = InMemorySource(pair.render(.before, window: PixelWindow(x: 0, y: 0, width: 64, height: 64)))
        let after = InMemorySource(far)
        XCTAssertThrowsError(try ChangeDetector().run(openBefore: { before }, openAfter: { after })) { error in
            XCTAssertEqual((error as? ChangeAnalysisError)?.kind, .noOverlap)
        }
    }

    func testWeakCorrelationIsReportedNotApplied() throws {
        // Flat, featureless dates: nothing to correlate.
        let flat = Raster(layout: RasterLayout(width: 160, height: 160, bandCount: 3, pixelType: .uint8),
                          samples: [UInt8](repeating: 90, count: 160 * 160 * 3),
                          georeferencing: Georeferencing(transform: GeoTransform(originX: 0, originY: 0, pixelWidth: 1, pixelHeight: -1), crs: CRS(epsg: 32652)))
        let a = InMemorySource(flat), b = InMemorySource(flat)
        let result = try ChangeDetector(parameters: parameters()).run(openBefore: { a }, openAfter: { b })
        XCTAssertEqual(result.registration.status, .weak)
        XCTAssertEqual(result.registration.appliedShift, PixelPoint(x: 0, y: 0))
    }

    /// A CRS difference goes through the caller's reprojection (PROJ in the CLI): here the after
    /// date is in a CRS offset by (+1000, -2000) m and rotated by nothing, so results must match.
    func testAnotherCRSThroughTheReprojection() throws {
        let shift = PixelPoint(x: 1.3, y: 0.8)
        let pair = ChangePair(size: 256, objectCount: 9, shift: shift, seed: 505)
        let before = InMemorySource(pair.render(.before, window: PixelWindow(x: 0, y: 0, width: 256, height: 256)))
        var afterRaster = pair.render(.after, window: PixelWindow(x: 0, y: 0, width: pair.afterSize, height: pair.afterSize))
        afterRaster.georeferencing?.transform.originX += 1000
        afterRaster.georeferencing?.transform.originY -= 2000
        afterRaster.georeferencing?.crs = CRS(epsg: nil, definition: "test CRS offset by (1000, -2000) m")
        let after = InMemorySource(afterRaster)
        let result = try ChangeDetector(parameters: parameters()).run(
            openBefore: { before }, openAfter: { after }, reproject: { MapPoint(x: $0.x + 1000, y: $0.y - 2000) })
        XCTAssertEqual(result.registration.shiftX, shift.x, accuracy: 0.1)
        XCTAssertEqual(result.registration.shiftY, shift.y, accuracy: 0.1)
        XCTAssertEqual(result.regions.count, pair.objects.count)
    }

    /// Threads, strip heights and the resampling path do not change the answer: 1 or 2 threads and
    /// 40- or 64-row strips give the same histogram and regions; an after date declaring a nodata
    /// value it never holds takes the general (whole-window) resampling path and finds the same
    /// regions as the streamed translation path.
    func testThreadsStripsAndResamplingPathsAgree() throws {
        let pair = ChangePair(size: 256, objectCount: 8, shift: PixelPoint(x: 1.4, y: -0.9), seed: 606)
        let (before, after) = sources(pair)
        var results: [ChangeResult] = []
        for (threads, strip) in [(1, 40), (2, 40), (2, 64)] {
            var p = parameters()
            p.threads = threads
            p.stripRows = strip
            results.append(try ChangeDetector(parameters: p).run(openBefore: { before }, openAfter: { after }))
        }
        for r in results.dropFirst() {
            XCTAssertEqual(r.histogram, results[0].histogram)
            XCTAssertEqual(r.threshold, results[0].threshold)
            XCTAssertEqual(r.regions, results[0].regions)
            XCTAssertEqual(r.changedPixels, results[0].changedPixels)
        }
        XCTAssertEqual(results[0].regions.count, pair.objects.count)

        var afterRaster = pair.render(.after, window: PixelWindow(x: 0, y: 0, width: pair.afterSize, height: pair.afterSize))
        afterRaster.nodata = 300  // never a uint8 sample
        let general = try ChangeDetector(parameters: parameters()).run(openBefore: { before }, openAfter: { InMemorySource(afterRaster) })
        XCTAssertEqual(general.registration.shiftX, results[0].registration.shiftX, accuracy: 1e-3)
        XCTAssertEqual(general.regions.count, results[0].regions.count)
        XCTAssertEqual(Double(general.changedPixels), Double(results[0].changedPixels), accuracy: 0.01 * Double(results[0].changedPixels))
    }

    /// The order statistics behind the robust fits: Float and Double arrays above the bucket
    /// path's 4,096 threshold and below it, with negatives, ties, a narrow and a wide range.
    func testSelectAgreesWithSorting() {
        var state: UInt64 = 11
        func next() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) / Double(1 << 53) }
        let shapes: [(Int, (Double) -> Double)] = [
            (5000, { $0 * 1000 - 500 }), (5000, { ($0 * 8).rounded() }), (9000, { 1 + $0 * 1e-6 }),
            (4096, { exp($0 * 40 - 20) }), (100, { $0 - 0.5 }), (4095, { $0 }), (5000, { _ in 3 }),
        ]
        for (n, shape) in shapes {
            let doubles = (0..<n).map { _ in shape(next()) }
            let floats = doubles.map { Float($0) }
            let sortedDoubles = doubles.sorted(), sortedFloats = floats.sorted()
            for k in [0, 1, n / 10, n / 2, n - 2, n - 1] {
                var d = doubles, f = floats
                XCTAssertEqual(d.select(k), sortedDoubles[k], "Double, n = \(n), k = \(k)")
                XCTAssertEqual(f.select(k), sortedFloats[k], "Float, n = \(n), k = \(k)")
            }
        }
    }
}

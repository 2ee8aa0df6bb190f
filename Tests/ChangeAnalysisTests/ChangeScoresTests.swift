@testable import ChangeAnalysis
import SceneSynth
import XCTest

/// The pair scores of `evaluate-pairs`, on masks small enough to count by hand.
final class ChangeScoresTests: XCTestCase {
    /// 10 x 10: the reference is a 5 x 5 square (25 px) at (0, 0) and a 4 x 4 square (16 px, under
    /// the 20 px object size) at (6, 6); the prediction is a 5 x 5 square at (2, 0) and a 2 x 2 one
    /// at (8, 0).
    func testCountsAndFigures() {
        var reference = [UInt8](repeating: 0, count: 100), predicted = reference
        for y in 0..<5 { for x in 0..<5 { reference[y * 10 + x] = 255 } }
        for y in 6..<10 { for x in 6..<10 { reference[y * 10 + x] = 255 } }
        for y in 0..<5 { for x in 2..<7 { predicted[y * 10 + x] = 1 } }
        for y in 0..<2 { for x in 8..<10 { predicted[y * 10 + x] = 1 } }
        let s = ChangeScores(predicted: predicted, reference: reference, width: 10, height: 10)
        XCTAssertEqual(s.truePositives, 15)           // columns 2-4 of rows 0-4
        XCTAssertEqual(s.falsePositives, 10 + 4)      // columns 5-6 of rows 0-4, and the 2 x 2
        XCTAssertEqual(s.falseNegatives, 10 + 16)
        XCTAssertEqual(s.trueNegatives, 100 - 15 - 14 - 26)
        XCTAssertEqual(s.precision, 15.0 / 29, accuracy: 1e-12)
        XCTAssertEqual(s.recall, 15.0 / 41, accuracy: 1e-12)
        XCTAssertEqual(s.f1, 30.0 / 70, accuracy: 1e-12)
        XCTAssertEqual(s.iou, 15.0 / 55, accuracy: 1e-12)
        XCTAssertEqual(s.overallAccuracy, 0.6, accuracy: 1e-12)
        // Kappa: chance agreement from 29 % flagged and 41 % changed.
        let chance = 0.29 * 0.41 + 0.71 * 0.59
        XCTAssertEqual(s.kappa, (0.6 - chance) / (1 - chance), accuracy: 1e-12)
        // Objects of 20 px or more: one reference square (hit), one predicted square (on it).
        XCTAssertEqual(s.referenceObjects, 1)
        XCTAssertEqual(s.referenceObjectsHit, 1)
        XCTAssertEqual(s.predictedObjects, 1)
        XCTAssertEqual(s.predictedObjectsOnReference, 1)
        // Summing two pairs adds their counts.
        let twice = s + s
        XCTAssertEqual(twice.truePositives, 30)
        XCTAssertEqual(twice.f1, s.f1, accuracy: 1e-12)
    }

    func testEmptyMasks() {
        let empty = [UInt8](repeating: 0, count: 16)
        let s = ChangeScores(predicted: empty, reference: empty, width: 4, height: 4)
        XCTAssertEqual(s.f1, 1)
        XCTAssertEqual(s.flaggedFraction, 0)
        var flagged = empty
        flagged[5] = 255
        XCTAssertEqual(ChangeScores(predicted: flagged, reference: empty, width: 4, height: 4).precision, 0)
        XCTAssertEqual(ChangeScores(predicted: flagged, reference: empty, width: 4, height: 4).flaggedFraction, 1.0 / 16)
    }

    /// The baseline flags the one block whose colour changed, and only it.
    func testBaselineFindsABlockOfChange() {
        let width = 40, count = width * width
        var before = [[Float]](repeating: [Float](repeating: 0, count: count), count: 3), after = before
        var rng = SeededRandom(seed: 3)
        for i in 0..<count {
            for b in 0..<3 {
                let ground = Float(100 + 20 * b) + Float(rng.normal() * 3)
                before[b][i] = ground
                after[b][i] = 0.7 * ground + 12   // another light: a gain and an offset
            }
            let x = i % width, y = i / width
            if (10..<20).contains(x) && (10..<20).contains(y) { after[0][i] = 250; after[1][i] = 20; after[2][i] = 20 }
        }
        let mask = PlainChangeVector.mask(before: before, after: after)
        var truth = [UInt8](repeating: 0, count: count)
        for y in 10..<20 { for x in 10..<20 { truth[y * width + x] = 255 } }
        XCTAssertGreaterThan(ChangeScores(predicted: mask, reference: truth, width: width, height: width).f1, 0.98)
    }
}

import ChangeAnalysis
import Foundation
import XCTest

final class ClaimsTests: XCTestCase {
    func measured(before: Double = 580_400, after: Double = 1_000_300, posts: Int? = 17, buildings: Int? = 8, east: Int? = 7,
                  occluded: Double = 0) -> Measurements {
        Measurements(areaBeforeSquareMeters: before, areaAfterSquareMeters: after, areaUncertaintySquareMeters: 2_000,
                     newGuardPostsOnNewFence: posts, newGuardPostsUncertainty: 1, newBuildings: buildings, newBuildingsEast: east,
                     occludedFraction: occluded)
    }

    func verdicts(_ m: Measurements) -> [String: ClaimVerdict] {
        Dictionary(uniqueKeysWithValues: Claims.evaluate(Claims.camp25, measured: m).map { ($0.id, $0) })
    }

    func testConsistentSite() {
        let v = verdicts(measured())
        XCTAssertEqual(v["area-growth"]?.verdict, .consistent)
        XCTAssertEqual(v["area-before-after"]?.verdict, .consistent)
        XCTAssertNil(v["area-before-after"]?.unitWarning)
        XCTAssertEqual(v["new-guard-posts"]?.verdict, .consistent)
        XCTAssertEqual(v["new-buildings-east"]?.verdict, .consistent)
        XCTAssertEqual(v["new-buildings-east"]?.measured, "7 of 8 new buildings in the eastern part")
    }

    func testPopularFigureIsFlaggedAsUnitError() {
        let v = verdicts(measured())["area-popular"]!
        XCTAssertEqual(v.verdict, .notConsistent)
        let warning = try! XCTUnwrap(v.unitWarning)
        XCTAssertTrue(warning.contains("1/1,000"), warning)
        XCTAssertTrue(warning.contains("580,000 m² → 1,000,000 m²"), warning)
        XCTAssertTrue(warning.contains("agree"), warning)
    }

    func testNotConsistent() {
        let v = verdicts(measured(before: 580_000, after: 800_000, posts: 12, buildings: 4, east: 1))
        XCTAssertEqual(v["area-growth"]?.verdict, .notConsistent)
        XCTAssertEqual(v["area-before-after"]?.verdict, .notConsistent)
        XCTAssertNil(v["area-before-after"]?.unitWarning, "a 20 % difference is no unit error")
        XCTAssertEqual(v["new-guard-posts"]?.verdict, .notConsistent)
        XCTAssertEqual(v["new-buildings-east"]?.verdict, .notConsistent)
        // Off by one post is within the count's uncertainty.
        XCTAssertEqual(verdicts(measured(posts: 16))["new-guard-posts"]?.verdict, .consistent)
        XCTAssertEqual(verdicts(measured(posts: 15))["new-guard-posts"]?.verdict, .notConsistent)
    }

    func testCloudMakesAreaAndPostsInconclusive() {
        let v = verdicts(measured(posts: 12, occluded: 0.2))
        XCTAssertEqual(v["area-growth"]?.verdict, .inconclusive)
        XCTAssertEqual(v["new-guard-posts"]?.verdict, .inconclusive)
        XCTAssertTrue(v["new-guard-posts"]!.reason.contains("20 %"))
        // Nothing measured at all is inconclusive, never consistent.
        let none = Measurements(areaBeforeSquareMeters: nil, areaAfterSquareMeters: nil, areaUncertaintySquareMeters: 0,
                                newGuardPostsOnNewFence: nil, newBuildings: nil, newBuildingsEast: nil)
        XCTAssertTrue(Claims.evaluate(Claims.camp25, measured: none).allSatisfy { $0.verdict == .inconclusive })
    }

    func testClaimsFileDecodes() throws {
        let json = """
        [{"id": "growth", "text": "grew by 72 %", "kind": "areaGrowthPercent", "values": [72], "units": "percent"},
         {"id": "area", "text": "0.58 to 1.0 km²", "kind": "areaBeforeAfter", "values": [0.58, 1.0], "units": "km2", "source": "HRNK"}]
        """
        let claims = try JSONDecoder().decode([Claim].self, from: Data(json.utf8))
        XCTAssertEqual(claims.count, 2)
        let v = Claims.evaluate(claims, measured: measured())
        XCTAssertEqual(v.map(\.verdict), [.consistent, .consistent])
        XCTAssertNil(v[1].unitWarning, "km² converted, not a unit error")
        // And the built-in claims round-trip.
        let data = try JSONEncoder().encode(Claims.camp25)
        XCTAssertEqual(try JSONDecoder().decode([Claim].self, from: data), Claims.camp25)
    }
}

import Foundation
import XCTest

final class BatchCommandTests: XCTestCase {
    /// Three sites, one with a corrupt tile: two done, one failed with its error; a rerun skips the
    /// finished ones.
    func testBatchKeepsGoingPastABadSiteAndRerunsSkipDoneSites() throws {
        let root = NSTemporaryDirectory() + "sitewatch-batch-\(UUID().uuidString)"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        let fixtures = InfoCommandTests.repository.path + "/Fixtures"
        let fm = FileManager.default
        for (name, scene) in [("a-camp25", "camp25"), ("b-nochange", "nochange"), ("c-broken", "camp25")] {
            let folder = root + "/sites/" + name
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try fm.copyItem(atPath: fixtures + "/\(scene)/before", toPath: folder + "/before")
            try fm.copyItem(atPath: fixtures + "/\(scene)/after", toPath: folder + "/after")
            try #"{"site": [129.725280, 41.834384]}"#.write(toFile: folder + "/site.json", atomically: true, encoding: .utf8)
        }
        let victim = root + "/sites/c-broken/after/tile_1_1.tif"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: victim))
        try bytes.prefix(200).write(to: URL(fileURLWithPath: victim))

        let run = try InfoCommandTests.sitewatch(["batch", root + "/sites", "--out", root + "/out", "--quiet"])
        XCTAssertEqual(run.status, 75, "some sites failed: \(run.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/out/summary.json"))) as! [String: Any]
        XCTAssertEqual(summary["done"] as? Int, 2)
        XCTAssertEqual(summary["failed"] as? Int, 1)
        let sites = summary["sites"] as! [[String: Any]]
        let broken = sites.first { $0["name"] as? String == "c-broken" }!
        XCTAssertEqual(broken["status"] as? String, "failed")
        XCTAssertTrue((broken["error"] as? String)?.contains("c-broken/after/tile_1_1.tif") == true, "\(broken)")
        XCTAssertTrue(fm.fileExists(atPath: root + "/out/a-camp25/report.html"))
        XCTAssertFalse(fm.fileExists(atPath: root + "/out/c-broken"), "nothing written for the failed site")
        let table = try String(contentsOfFile: root + "/out/summary.md", encoding: .utf8)
        XCTAssertTrue(table.contains("| a-camp25 | done |") && table.contains("| c-broken | failed |"), table)

        let rerun = try InfoCommandTests.sitewatch(["batch", root + "/sites", "--out", root + "/out", "--quiet"])
        XCTAssertEqual(rerun.status, 75)
        let again = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/out/summary.json"))) as! [String: Any]
        XCTAssertEqual(again["skipped"] as? Int, 2)
        XCTAssertEqual(again["failed"] as? Int, 1)
    }

    func testManifestWithRelativePaths() throws {
        let root = NSTemporaryDirectory() + "sitewatch-manifest-\(UUID().uuidString)"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: InfoCommandTests.repository.path + "/Fixtures/nochange", toPath: root + "/scene")
        try #"{"sites": [{"name": "quiet-site", "before": "scene/before", "after": "scene/after", "site": [129.72528, 41.834384]}]}"#
            .write(toFile: root + "/manifest.json", atomically: true, encoding: .utf8)
        let run = try InfoCommandTests.sitewatch(["batch", root + "/manifest.json", "--out", root + "/out", "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/out/quiet-site/features.geojson"))
    }
}

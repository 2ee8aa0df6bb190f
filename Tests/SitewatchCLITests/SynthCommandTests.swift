import Foundation
import XCTest

final class SynthCommandTests: XCTestCase {
    /// A small camp25 variant (600 m at 2 m) so the debug binary renders it in seconds.
    let small = ["--seed", "9", "--area-before", "40000", "--area-after", "69000", "--posts", "7", "--buildings", "3",
                 "--gsd", "2", "--gsd-after", "2.4", "--scene-size", "600", "--tile-size", "128", "--quiet"]

    func temporary() throws -> String {
        let path = NSTemporaryDirectory() + "sitewatch-synth-\(UUID().uuidString)"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func files(_ root: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: root)!
        while let relative = e.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                out[relative] = try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative))
            }
        }
        return out
    }

    func testSameSeedGivesByteIdenticalFilesAndTruthIsComplete() throws {
        let a = try temporary(), b = try temporary()
        for out in [a, b] {
            let run = try InfoCommandTests.sitewatch(["synth", "camp25", "--out", out] + small)
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        let first = try files(a), second = try files(b)
        XCTAssertEqual(first.keys.sorted(), second.keys.sorted())
        XCTAssertEqual(first, second, "same seed and options must give byte-identical files")
        XCTAssertTrue(first.keys.contains("preview-before.png") && first.keys.contains("preview-after.png"))
        XCTAssertEqual(first.keys.filter { $0.hasPrefix("before/") && $0.hasSuffix(".tif") }.count, 9, "300 px in 128 px tiles")

        let truth = try JSONSerialization.jsonObject(with: first["truth.json"]!) as! [String: Any]
        XCTAssertEqual(truth["epsg"] as? Int, 32652)
        XCTAssertEqual((truth["growth_percent"] as! Double), 72.5, accuracy: 1e-6)
        XCTAssertEqual((truth["new_guard_post_ids"] as? [String])?.count, 7)
        XCTAssertEqual((truth["new_building_ids"] as? [String])?.count, 3)
        XCTAssertGreaterThan(truth["new_fence_length_meters"] as! Double, 0)
        let grids = truth["grids"] as! [String: [String: Any]]
        XCTAssertEqual(grids["after"]?["gsd_meters"] as? Double, 2.4)
        XCTAssertNotNil(truth["misregistration"] as? [String: Double])

        // The tiles read back as one georeferenced mosaic.
        let info = try InfoCommandTests.sitewatch(["info", "--json", a + "/after"])
        XCTAssertEqual(info.status, 0, info.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(json["size"] as? [Int], [250, 250])
        XCTAssertEqual((json["tiles"] as? [String: Any])?["gaps"] as? Int, 0)
    }

    func testPNGTilesWithWorldFilesAnd16BitData() throws {
        let out = try temporary()
        let run = try InfoCommandTests.sitewatch(["synth", "nochange", "--out", out, "--format", "png", "--data-type", "rgbn16"] + small)
        XCTAssertEqual(run.status, 0, run.stderr)
        let names = try FileManager.default.contentsOfDirectory(atPath: out + "/before")
        XCTAssertTrue(names.contains("tile_0_0.png") && names.contains("tile_0_0.pgw") && names.contains("tile_0_0.prj"), "\(names)")
        let info = try InfoCommandTests.sitewatch(["info", "--json", out + "/before"])
        let json = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(json["band_count"] as? Int, 4)
        XCTAssertEqual(json["epsg"] as? Int, 32652)
        XCTAssertEqual((json["bands"] as? [[String: Any]])?.first?["type"] as? String, "UInt16")
    }

    func testBadOptionsAndAnOccupiedOutputFolder() throws {
        let bad = try InfoCommandTests.sitewatch(["synth", "camp25", "--out", try temporary(), "--gsd", "9"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("GSD must be"), bad.stderr)

        let occupied = try temporary()
        try FileManager.default.createDirectory(atPath: occupied, withIntermediateDirectories: true)
        try "keep".write(toFile: occupied + "/notes.txt", atomically: true, encoding: .utf8)
        let run = try InfoCommandTests.sitewatch(["synth", "camp25", "--out", occupied] + small)
        XCTAssertEqual(run.status, 74)
        XCTAssertEqual(run.stderr, "sitewatch: error: \(occupied): output folder exists and is not empty; choose a new folder\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: occupied), ["notes.txt"], "nothing written")
    }
}

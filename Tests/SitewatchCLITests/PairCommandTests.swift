import Foundation
import GeoRaster
import RasterIO
import XCTest

/// `evaluate-pairs` and `compare --gsd` on image pairs without georeferencing, run as a user would.
final class PairCommandTests: XCTestCase {
    func temporary() throws -> String {
        let path = NSTemporaryDirectory() + "sitewatch-pairs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    /// A 160 x 160 RGB pair of textured ground in two lights (gain and offset per band, noise); in
    /// `change` a 24 x 24 block turns into a red roof at the later date. The label marks the block.
    static func writePair(folder: String, name: String, size: Int = 160, change: Bool, afterSize: Int? = nil) throws {
        var state: UInt64 = 0x5EED
        func random() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        func raster(_ width: Int, _ pixel: (Int, Int, Int) -> Double) -> Raster {
            var r = Raster(layout: RasterLayout(width: width, height: width, bandCount: 3, pixelType: .uint8))
            for band in 0..<3 { for y in 0..<width { for x in 0..<width {
                r.samples[(band * width + y) * width + x] = UInt8(max(0, min(255, pixel(x, y, band).rounded())))
            } } }
            return r
        }
        let ground = (0..<(size * size)).map { i in 90 + 40 * sin(Double(i % size) / 7) * cos(Double(i / size) / 9) + 20 * random() }
        let inBlock = { (x: Int, y: Int) in change && (60..<84).contains(x) && (70..<94).contains(y) }
        let before = raster(size) { x, y, band in ground[y * size + x] + Double(band) * 15 + 6 * random() }
        let after = raster(afterSize ?? size) { x, y, band in
            if inBlock(x, y) { return [210, 60, 50][band] }
            let i = min(y, size - 1) * size + min(x, size - 1)
            return 0.8 * (ground[i] + Double(band) * 15) + 25 + 6 * random()
        }
        var label = Raster(layout: RasterLayout(width: size, height: size, bandCount: 1, pixelType: .uint8))
        for y in 0..<size { for x in 0..<size where inBlock(x, y) { label.samples[y * size + x] = 255 } }
        for (sub, r) in [("A", before), ("B", after), ("label", label)] {
            try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
            try PNGFile.write(r, to: folder + "/" + sub + "/" + name)
        }
    }

    func testEvaluatePairsScoresTheChangeCoreAgainstTheBaseline() throws {
        let folder = try temporary()
        try Self.writePair(folder: folder + "/set", name: "block.png", change: true)
        try Self.writePair(folder: folder + "/set", name: "still.png", change: false)
        let out = folder + "/out"
        let run = try InfoCommandTests.sitewatch(["evaluate-pairs", folder + "/set", "--gsd", "0.5", "--out", out])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("| **summed (2 pairs)** |"), run.stdout)
        for name in ["block", "still"] {
            let mask = try PNGFile(path: out + "/masks/\(name).png")
            XCTAssertEqual(mask.info.layout, RasterLayout(width: 160, height: 160, bandCount: 1, pixelType: .uint8))
        }
        let scores = try json(out + "/scores.json")
        let pairs = scores["pairs"] as! [[String: Any]]
        XCTAssertEqual(pairs.map { $0["name"] as! String }, ["block.png", "still.png"])
        let block = pairs[0]["sitewatch"] as! [String: Any], still = pairs[1]["sitewatch"] as! [String: Any]
        XCTAssertGreaterThan(block["f1"] as! Double, 0.8, "the changed block is found")
        XCTAssertEqual(block["reference_objects_hit"] as? Int, 1)
        XCTAssertLessThan(still["flagged_fraction"] as! Double, 0.02, "a pair without change flags almost nothing")
        let summed = scores["summed"] as! [String: Any]
        XCTAssertNotNil((summed["baseline"] as? [String: Any])?["f1"] as? Double)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/scores.md"))
    }

    /// The analyst's way in: a looser no-change tail flags at least as much, and is recorded; a
    /// probability outside (0, 0.5] is a usage error.
    func testChangeMapOptions() throws {
        let folder = try temporary()
        try Self.writePair(folder: folder + "/set", name: "block.png", change: true)
        var flagged: [Double] = []
        for (tail, out) in [("0.001", "/strict"), ("0.3", "/loose")] {
            let run = try InfoCommandTests.sitewatch(["evaluate-pairs", folder + "/set", "--gsd", "0.5", "--out", folder + out,
                                                      "--no-change-tail", tail, "--change-threshold", "kittler-illingworth"])
            XCTAssertEqual(run.status, 0, run.stderr)
            let scores = try json(folder + out + "/scores.json")
            XCTAssertEqual((scores["parameters"] as? [String: Any])?["no_change_tail_probability"] as? Double, Double(tail))
            XCTAssertEqual((scores["parameters"] as? [String: Any])?["threshold"] as? String, "kittler_illingworth")
            flagged.append(((scores["summed"] as! [String: Any])["sitewatch"] as! [String: Any])["flagged_fraction"] as! Double)
        }
        XCTAssertGreaterThanOrEqual(flagged[1], flagged[0])
        let bad = try InfoCommandTests.sitewatch(["evaluate-pairs", folder + "/set", "--gsd", "0.5", "--out", folder + "/bad", "--no-change-tail", "0"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("--no-change-tail is a probability in (0, 0.5]"), bad.stderr)
    }

    func testEvaluatePairsListsABadPairAndGoesOn() throws {
        let folder = try temporary()
        try Self.writePair(folder: folder + "/set", name: "a.png", change: true)
        try Self.writePair(folder: folder + "/set", name: "b.png", change: true, afterSize: 150)
        let run = try InfoCommandTests.sitewatch(["evaluate-pairs", folder + "/set", "--gsd", "0.5", "--out", folder + "/out"])
        XCTAssertEqual(run.status, 75, "some pairs failed")
        XCTAssertTrue(run.stderr.contains("B/b.png: is 150 x 150 px, but"), run.stderr)
        let scores = try json(folder + "/out/scores.json")
        XCTAssertEqual((scores["pairs"] as! [Any]).count, 1)
        XCTAssertEqual((scores["failed"] as! [[String: Any]]).first?["name"] as? String, "b.png")
        // A set without label/ is refused before anything is written.
        try FileManager.default.removeItem(atPath: folder + "/set/label")
        let missing = try InfoCommandTests.sitewatch(["evaluate-pairs", folder + "/set", "--gsd", "0.5", "--out", folder + "/out2"])
        XCTAssertEqual(missing.status, 74)
        XCTAssertTrue(missing.stderr.contains("/set/label: missing folder"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/out2"))
    }

    func testCompareWithGSDOnImagesWithoutGeoreferencing() throws {
        let folder = try temporary()
        try Self.writePair(folder: folder, name: "pair.png", change: true)
        let out = folder + "/report"
        let run = try InfoCommandTests.sitewatch(["compare", "--before", folder + "/A/pair.png", "--after", folder + "/B/pair.png",
                                                  "--gsd", "0.5", "--out", out, "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let report = try json(out + "/report.json")
        XCTAssertEqual(report["position_frame"] as? String, "image_frame_m")
        let site = report["site"] as! [String: Any]
        XCTAssertEqual(site["x_m"] as? Double, 40)  // the centre of 160 px at 0.5 m
        XCTAssertEqual(site["y_m"] as? Double, 40)
        XCTAssertNil(site["lon"])
        let change = report["change"] as! [String: Any]
        // The 24 x 24 block is 144 m²; opening and closing and the block's edge blur move it a little.
        XCTAssertEqual(change["changed_area_m2"] as! Double, 144, accuracy: 40)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/features.geojson"), "GeoJSON is lon/lat only")
        let markdown = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        XCTAssertTrue(markdown.contains("in the image frame"), markdown)
        XCTAssertFalse(markdown.contains(" N, "), "no latitude in an image-frame report")
    }

    /// A JPEG screenshot against itself: it reads, and nothing changed.
    func testCompareWithGSDOnAJPEGAgainstItself() throws {
        let out = try temporary() + "/report"
        let jpeg = "Fixtures/jpeg/quadrants-rgb-40x30.jpg"
        let run = try InfoCommandTests.sitewatch(["compare", "--before", jpeg, "--after", jpeg, "--gsd", "0.5", "--out", out, "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let change = try json(out + "/report.json")["change"] as! [String: Any]
        XCTAssertEqual(change["changed_pixels"] as? Int, 0)
        XCTAssertEqual(change["valid_pixels"] as? Int, 1200)
    }

    func testCompareWithGSDRefusesWhatItCannotPlace() throws {
        let folder = try temporary()
        try Self.writePair(folder: folder, name: "pair.png", change: true, afterSize: 150)
        let sizes = try InfoCommandTests.sitewatch(["compare", "--before", folder + "/A/pair.png", "--after", folder + "/B/pair.png",
                                                    "--gsd", "0.5", "--out", folder + "/r1", "--quiet"])
        XCTAssertEqual(sizes.status, 67)
        XCTAssertTrue(sizes.stderr.contains("B/pair.png: is 150 x 150 px, but"), sizes.stderr)
        let lonLat = try InfoCommandTests.sitewatch(["compare", "--before", folder + "/A/pair.png", "--after", folder + "/A/pair.png",
                                                     "--gsd", "0.5", "--site", "1,2", "--out", folder + "/r2"])
        XCTAssertEqual(lonLat.status, 64)
        XCTAssertTrue(lonLat.stderr.contains("--site takes longitude/latitude"), lonLat.stderr)
        let georeferenced = try InfoCommandTests.sitewatch(["compare", "--before", "Fixtures/foundation/mosaic/north-west.tif",
                                                            "--after", "Fixtures/foundation/mosaic/north-west.tif",
                                                            "--gsd", "0.5", "--out", folder + "/r3"])
        XCTAssertEqual(georeferenced.status, 67)
        XCTAssertTrue(georeferenced.stderr.contains("north-west.tif: is georeferenced"), georeferenced.stderr)
        let noSite = try InfoCommandTests.sitewatch(["compare", "--before", folder + "/A/pair.png", "--after", folder + "/A/pair.png",
                                                     "--out", folder + "/r4"])
        XCTAssertEqual(noSite.status, 64)
        for name in ["r1", "r2", "r3", "r4"] { XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/" + name)) }
    }

    /// The real labelled pairs of ../shared/real-dev (read in place; skipped where absent): on
    /// Ida-BD, where labelled change covers 0.4-5 % of each crop, the change map is ahead of the
    /// plain baseline in summed F1, and IR-MAD finds invariant pixels rather than falling back.
    func testRealPairsWhereTheyArePresent() throws {
        let set = InfoCommandTests.repository.deletingLastPathComponent().appendingPathComponent("shared/real-dev/change/ida-bd").path
        guard FileManager.default.fileExists(atPath: set) else {
            throw XCTSkip("../shared/real-dev/change/ida-bd is absent: the real labelled pairs are not in this checkout")
        }
        let out = try temporary() + "/out"
        let run = try InfoCommandTests.sitewatch(["evaluate-pairs", set, "--gsd", "0.5", "--out", out])
        XCTAssertEqual(run.status, 0, run.stderr)
        let scores = try json(out + "/scores.json")
        let summed = scores["summed"] as! [String: Any]
        let sitewatch = (summed["sitewatch"] as! [String: Any])["f1"] as! Double
        let baseline = (summed["baseline"] as! [String: Any])["f1"] as! Double
        XCTAssertGreaterThan(sitewatch, baseline)
        let methods = (scores["pairs"] as! [[String: Any]]).map { ($0["normalisation"] as! [String: Any])["method"] as! String }
        XCTAssertTrue(methods.contains("irmad_orthogonal"), "\(methods)")
    }
}

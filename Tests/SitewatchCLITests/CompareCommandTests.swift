import Foundation
import GeoRaster
import RasterIO
import XCTest

/// `sitewatch compare` on the committed camp25 fixture, run as a user would.
final class CompareCommandTests: XCTestCase {
    static let site = "129.725280,41.834384"

    func temporary() -> String {
        let path = NSTemporaryDirectory() + "sitewatch-compare-\(UUID().uuidString)"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func compare(_ extra: [String] = [], before: String = "Fixtures/camp25/before", after: String = "Fixtures/camp25/after",
                 site: String = CompareCommandTests.site, out: String) throws -> InfoCommandTests.Run {
        try InfoCommandTests.sitewatch(["compare", "--before", before, "--after", after, "--site", site, "--out", out, "--quiet"] + extra)
    }

    func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    /// One compare of the fixture, shared by the tests that only read its outputs (a debug build
    /// takes about 20 s for the two 2 x 2 km dates at 0.75 m).
    static let shared: (run: InfoCommandTests.Run, out: String) = {
        let out = NSTemporaryDirectory() + "sitewatch-compare-shared-\(UUID().uuidString)"
        let run = try! InfoCommandTests.sitewatch(["compare", "--before", "Fixtures/camp25/before", "--after", "Fixtures/camp25/after",
                                                  "--site", site, "--out", out, "--quiet"])
        return (run, out)
    }()

    func sharedReport() throws -> (out: String, report: [String: Any]) {
        let (run, out) = Self.shared
        XCTAssertEqual(run.status, 0, run.stderr)
        return (out, try json(out + "/report.json"))
    }

    func testReportAgainstTheFixtureTruth() throws {
        let (out, report) = try sharedReport()
        XCTAssertEqual(Self.shared.run.stdout, "", "--quiet prints nothing")
        for name in ["report.json", "report.md", "report.html", "features.geojson", "change.tif"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + name), name)
        }
        let truth = try json(InfoCommandTests.repository.path + "/Fixtures/camp25/truth.json")
        XCTAssertEqual(report["schema_version"] as? String, "1.1")
        let inputs = report["inputs"] as! [String: [String: Any]]
        XCTAssertEqual(inputs["before"]?["tile_count"] as? Int, 9)
        let tiles = inputs["after"]?["tiles"] as! [[String: Any]]
        XCTAssertEqual(tiles.count, 9)
        XCTAssertTrue(tiles.allSatisfy { ($0["sha256"] as? String)?.count == 64 })
        XCTAssertEqual(inputs["after"]?["crs"] as? String, "EPSG:32652")
        // The dates the tiles carry (TIFF DateTime).
        XCTAssertEqual(inputs["before"]?["acquisition"] as? String, "2009-07-14")
        XCTAssertTrue((inputs["after"]?["acquisition"] as? String)?.hasPrefix("201") == true, "\(String(describing: inputs["after"]))")

        // Co-registration recovers the misregistration the scene applied (before pixels = after
        // pixels here: both dates are at 0.75 m).
        let registration = report["registration"] as! [String: Any]
        let shift = registration["shift_px"] as! [Double]
        let applied = truth["misregistration"] as! [String: Double]
        XCTAssertEqual(shift[0], applied["x_pixels"]!, accuracy: 0.25)
        XCTAssertEqual(shift[1], applied["y_pixels"]!, accuracy: 0.25)
        XCTAssertEqual(registration["status"] as? String, "applied")
        XCTAssertNotNil(report["timings"] as? [String: Any])
        XCTAssertEqual((report["software"] as? [String: Any])?["version"] as? String, "0.1.0")
    }

    /// The compound extracted from the pixels at each date, the new fence, the new structures and
    /// the claims, against the scene's exact truth (issue targets: growth within 2 points, new
    /// fence within 10 %, new posts within one).
    func testMeasurementsAndClaimsAgainstTheFixtureTruth() throws {
        let (out, report) = try sharedReport()
        let truth = try json(InfoCommandTests.repository.path + "/Fixtures/camp25/truth.json")
        let compound = report["compound"] as! [String: Any]
        let before = compound["before"] as! [String: Any], after = compound["after"] as! [String: Any]
        XCTAssertEqual(before["source"] as? String, "extracted")
        XCTAssertEqual(before["area_m2"] as! Double, (truth["compound_before"] as! [String: Any])["area_square_meters"] as! Double, accuracy: 6_000)
        XCTAssertEqual(after["area_m2"] as! Double, (truth["compound_after"] as! [String: Any])["area_square_meters"] as! Double, accuracy: 10_000)
        XCTAssertEqual(compound["growth_pct"] as! Double, truth["growth_percent"] as! Double, accuracy: 2)
        let fence = (report["fences"] as! [String: Any])["new_length_m"] as! Double
        XCTAssertEqual(fence, truth["new_fence_length_meters"] as! Double, accuracy: 0.1 * (truth["new_fence_length_meters"] as! Double))

        let structures = report["structures"] as! [String: Any]
        let posts = structures["new_guard_posts"] as! [[String: Any]]
        XCTAssertLessThanOrEqual(abs(posts.count - (truth["new_guard_post_ids"] as! [Any]).count), 1)
        XCTAssertLessThanOrEqual(abs(posts.filter { $0["on_new_fence"] as? Bool == true }.count - (truth["new_guard_posts_on_new_fence"] as! Int)), 1)
        XCTAssertTrue(posts.allSatisfy { $0["lon"] is Double && $0["lat"] is Double })
        let buildings = structures["new_buildings"] as! [[String: Any]]
        XCTAssertLessThanOrEqual(abs(buildings.count - (truth["new_building_ids"] as! [Any]).count), 1)

        let claims = Dictionary(uniqueKeysWithValues: (report["claims"] as! [[String: Any]]).map { ($0["id"] as! String, $0) })
        XCTAssertEqual(claims["area-growth"]?["verdict"] as? String, "consistent")
        XCTAssertEqual(claims["area-popular"]?["verdict"] as? String, "not consistent")
        XCTAssertTrue((claims["area-popular"]?["warning"] as? String)?.contains("1/1,000") == true)
        XCTAssertEqual(claims["new-guard-posts"]?["verdict"] as? String, "consistent")
        // The HTML draws the outlines, the new fence and the new posts.
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("class=\"perimeter-after\"") && html.contains("class=\"fence-new\"") && html.contains("class=\"post-new\""))
    }

    /// An analyst's outlines replace extraction, and the report gives their agreement with it.
    func testAnalystOutlinesAreUsedAndComparedWithExtraction() throws {
        let out = temporary()
        let run = try compare(["--perimeter-before", "Fixtures/camp25/truth-perimeter-before.geojson",
                               "--perimeter-after", "Fixtures/camp25/truth-perimeter-after.geojson"], out: out)
        XCTAssertEqual(run.status, 0, run.stderr)
        let report = try json(out + "/report.json")
        let compound = report["compound"] as! [String: Any]
        XCTAssertEqual((compound["before"] as! [String: Any])["source"] as? String, "analyst")
        XCTAssertEqual((compound["after"] as! [String: Any])["source"] as? String, "analyst")
        let iou = compound["analyst_iou"] as! [String: Double]
        XCTAssertGreaterThan(iou["before"] ?? 0, 0.97)
        XCTAssertGreaterThan(iou["after"] ?? 0, 0.97)
    }

    /// A cloud mask over the east side of the new fence at the after date: that stretch is reported
    /// hidden, the growth's uncertainty widens, and the claims that need the whole perimeter are
    /// inconclusive instead of guessed.
    func testCloudMaskHidesPartOfThePerimeter() throws {
        let out = temporary()
        try FileManager.default.createDirectory(atPath: out + "-in", withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: out + "-in") }
        let corners = [MapPoint(x: 560_950, y: 4_631_450), MapPoint(x: 561_300, y: 4_631_450),
                       MapPoint(x: 561_300, y: 4_631_850), MapPoint(x: 560_950, y: 4_631_850)]
        let ring = try CoordinateTransform.toLonLat(corners, from: CRS(epsg: 32652))
        let coordinates = (ring + [ring[0]]).map { "[\($0.longitude), \($0.latitude)]" }.joined(separator: ", ")
        try #"{"type": "Polygon", "coordinates": [[\#(coordinates)]]}"#.write(toFile: out + "-in/cloud.geojson", atomically: true, encoding: .utf8)
        let run = try compare(["--mask-after", out + "-in/cloud.geojson"], out: out)
        XCTAssertEqual(run.status, 0, run.stderr)
        let report = try json(out + "/report.json")
        let occlusion = report["occlusion"] as! [String: Any]
        XCTAssertGreaterThan(occlusion["perimeter_hidden_after_m"] as! Double, 250, "\(occlusion)")
        XCTAssertEqual((report["parameters"] as! [String: Any])["mask_after"] as? String, out + "-in/cloud.geojson")
        let plain = try sharedReport().report
        let sigma = { (r: [String: Any]) in (r["compound"] as! [String: Any])["growth_pct_uncertainty"] as! Double }
        XCTAssertGreaterThan(sigma(report), 2 * sigma(plain), "a hidden stretch widens the uncertainty")
        let claims = Dictionary(uniqueKeysWithValues: (report["claims"] as! [[String: Any]]).map { ($0["id"] as! String, $0) })
        XCTAssertEqual(claims["new-guard-posts"]?["verdict"] as? String, "inconclusive")
    }

    func testGeoJSONFollowsRFC7946() throws {
        let (out, _) = try sharedReport()
        let text = try String(contentsOfFile: out + "/features.geojson", encoding: .utf8)
        let geojson = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        XCTAssertEqual(geojson["type"] as? String, "FeatureCollection")
        let features = geojson["features"] as! [[String: Any]]
        XCTAssertFalse(features.isEmpty)
        // At most 7 decimals anywhere.
        XCTAssertNil(text.range(of: #"\d\.\d{8,}"#, options: .regularExpression), "more than 7 decimals")
        for feature in features {
            XCTAssertEqual(feature["type"] as? String, "Feature")
            let geometry = feature["geometry"] as! [String: Any]
            func check(_ p: [Double]) {
                XCTAssertTrue((-180...180).contains(p[0]) && (-90...90).contains(p[1]), "\(p) is not lon/lat")
            }
            switch geometry["type"] as? String {
            case "Point": check(geometry["coordinates"] as! [Double])
            case "LineString": (geometry["coordinates"] as! [[Double]]).forEach(check)
            case "Polygon":
                let ring = (geometry["coordinates"] as! [[[Double]]])[0]
                ring.forEach(check)
                XCTAssertEqual(ring.first, ring.last, "rings are closed")
                var twiceArea = 0.0
                for (a, b) in zip(ring, ring.dropFirst()) { twiceArea += a[0] * b[1] - b[0] * a[1] }
                XCTAssertGreaterThan(twiceArea, 0, "outer rings are counter-clockwise")
            default: XCTFail("unexpected geometry \(geometry)")
            }
        }
    }

    func testChangeRasterReadsBackGeoreferenced() throws {
        let (out, _) = try sharedReport()
        let file = try GeoTIFFFile(path: out + "/change.tif")
        XCTAssertEqual(file.info.layout.bandCount, 2)
        XCTAssertEqual(file.info.layout.pixelType, .float32)
        XCTAssertEqual(file.info.georeferencing?.crs, CRS(epsg: 32652))
        XCTAssertFalse(file.info.overviewSizes.isEmpty, "overviews")
        // On the before date's 0.75 m grid.
        let before = try TileMosaic(folder: InfoCommandTests.repository.path + "/Fixtures/camp25/before")
        let t = file.info.georeferencing!.transform, b = before.info.georeferencing!.transform
        XCTAssertEqual(t.pixelWidth, 0.75)
        let column = (t.originX - b.originX) / 0.75, row = (b.originY - t.originY) / 0.75
        XCTAssertEqual(column, column.rounded(), accuracy: 1e-6)
        XCTAssertEqual(row, row.rounded(), accuracy: 1e-6)
        // GDAL, where installed (CI installs gdal-bin), reads the same grid, CRS and overviews.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/gdalinfo") {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/gdalinfo")
            process.arguments = ["-json", out + "/change.tif"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let gdal = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            XCTAssertEqual(gdal["geoTransform"] as? [Double], t.gdalOrder)
            XCTAssertTrue(((gdal["coordinateSystem"] as? [String: Any])?["wkt"] as? String)?.contains("ID[\"EPSG\",32652]") == true)
            let bands = gdal["bands"] as! [[String: Any]]
            XCTAssertEqual((bands[0]["overviews"] as? [Any])?.count, file.info.overviewSizes.count)
            XCTAssertEqual(bands[0]["block"] as? [Int], [256, 256])
        }
        let mask = try file.readRaster()
        var changed = 0
        for y in stride(from: 0, to: mask.height, by: 4) { for x in stride(from: 0, to: mask.width, by: 4) where mask.value(x: x, y: y, band: 1) == 1 { changed += 1 } }
        XCTAssertGreaterThan(changed, 0)
    }

    func testHTMLIsSelfContainedWithItsPictures() throws {
        let (out, _) = try sharedReport()
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        XCTAssertEqual(html.components(separatedBy: "href=\"data:image/png;base64,").count - 1, 3, "before, after and change pictures")
        for pattern in ["src=\"http", "href=\"http", "<script", "url(http", "@import"] {
            XCTAssertFalse(html.contains(pattern), "loads something from the network: \(pattern)")
        }
        XCTAssertTrue(html.contains("<h2>Method</h2>") && html.contains("<h2>Limitations</h2>"))
    }

    /// The same inputs give byte-identical outputs; only report.json's `timings` may differ. The
    /// second run also shows that the progress bar is for terminals: with stderr a pipe, nothing of
    /// it appears.
    func testRerunGivesIdenticalFilesAndNoProgressOffATerminal() throws {
        let (a, _) = try sharedReport()
        let b = temporary()
        let run = try InfoCommandTests.sitewatch(["compare", "--before", "Fixtures/camp25/before", "--after", "Fixtures/camp25/after",
                                                  "--site", Self.site, "--out", b])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        XCTAssertEqual(run.stdout, "Report: \(b)/report.html\n")
        for name in ["report.md", "report.html", "features.geojson", "change.tif"] {
            XCTAssertEqual(FileManager.default.contents(atPath: a + "/" + name), FileManager.default.contents(atPath: b + "/" + name), name)
        }
        var first = try json(a + "/report.json"), second = try json(b + "/report.json")
        first["timings"] = nil
        second["timings"] = nil
        XCTAssertEqual(NSDictionary(dictionary: first), NSDictionary(dictionary: second))
    }

    /// Each kind of bad input: one line naming the input, its own exit code, no output folder.
    func testBadInputs() throws {
        let scratch = temporary()
        try FileManager.default.createDirectory(atPath: scratch + "/empty", withIntermediateDirectories: true)
        // Dates that do not overlap: a tile 50 km away.
        var far = Raster(layout: RasterLayout(width: 64, height: 64, bandCount: 3, pixelType: .uint8),
                         georeferencing: Georeferencing(transform: GeoTransform(originX: 610_000, originY: 4_631_000, pixelWidth: 2.5, pixelHeight: -2.5),
                                                        crs: CRS(epsg: 32652)))
        far.samples = (0..<far.samples.count).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try FileManager.default.createDirectory(atPath: scratch + "/far", withIntermediateDirectories: true)
        try GeoTIFFWriter.write(far, to: scratch + "/far/tile.tif")
        // An unreadable tile among good ones.
        try FileManager.default.copyItem(atPath: InfoCommandTests.repository.path + "/Fixtures/camp25/after", toPath: scratch + "/broken")
        let victim = scratch + "/broken/tile_0_1.tif"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: victim))
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: victim))

        let cases: [(before: String, after: String, site: String, status: Int32, message: String)] = [
            ("Fixtures/camp25/before", scratch + "/missing", Self.site, 74, "\(scratch)/missing: no such file or folder"),
            ("Fixtures/camp25/before", scratch + "/empty", Self.site, 74, "\(scratch)/empty: folder holds no GeoTIFF or PNG tiles"),
            ("Fixtures/camp25/before", "Fixtures/camp25/after", "129.0,41.0", 70, "Fixtures/camp25/before: the site 129.0,41.0 lies outside the before imagery"),
            ("Fixtures/camp25/before", scratch + "/far", Self.site, 71, "\(scratch)/far: the after imagery does not overlap the before imagery"),
            ("Fixtures/camp25/before", scratch + "/broken", Self.site, 65, "\(scratch)/broken/tile_0_1.tif: not a readable TIFF file"),
        ]
        for c in cases {
            let out = scratch + "/out-\(c.status)-\(UUID().uuidString)"
            let run = try compare(before: c.before, after: c.after, site: c.site, out: out)
            XCTAssertEqual(run.status, c.status, "\(c.after): \(run.stderr)")
            XCTAssertTrue(run.stderr.hasPrefix("sitewatch: error: " + c.message), run.stderr)
            XCTAssertEqual(run.stderr.filter { $0 == "\n" }.count, 1, run.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no output left behind")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch).filter { $0.contains(".partial-") }
            XCTAssertEqual(leftovers, [], "no partial output folder")
        }
    }
}

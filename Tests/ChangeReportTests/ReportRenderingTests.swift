import ChangeReport
import GeoRaster
import XCTest

final class JSONValueTests: XCTestCase {
    func testDeterministicFormatting() {
        let value = JSONValue.object([("b", .double(1.23456789, decimals: 3)), ("a", .double(2.0, decimals: 7)),
                                      ("c", .double(-0.05, decimals: 2)), ("d", .string("quote \" and \\ and \n")),
                                      ("e", .double(.nan)), ("f", .array([])), ("g", .double(1_000_000.25, decimals: 1))])
        XCTAssertEqual(value.compact, #"{"b":1.235,"a":2,"c":-0.05,"d":"quote \" and \\ and \n","e":null,"f":[],"g":1000000.3}"#)
    }

    func testBase64() {
        XCTAssertEqual(Base64.encode(Array("".utf8)), "")
        XCTAssertEqual(Base64.encode(Array("f".utf8)), "Zg==")
        XCTAssertEqual(Base64.encode(Array("fo".utf8)), "Zm8=")
        XCTAssertEqual(Base64.encode(Array("foobar".utf8)), "Zm9vYmFy")
        XCTAssertEqual(Base64.encode([0xFF, 0xFE, 0x00]), "//4A")
    }
}

final class ReportRenderingTests: XCTestCase {
    func report() -> SiteReport {
        let ring = [GeoPoint(longitude: 129.72, latitude: 41.83), GeoPoint(longitude: 129.73, latitude: 41.83),
                    GeoPoint(longitude: 129.73, latitude: 41.84)]
        var structures = SiteReport.Structures()
        structures.newGuardPosts = [.init(id: "N1", kind: "guard_post", position: GeoPoint(longitude: 129.7251234567, latitude: 41.8343),
                                          areaSquareMeters: 16, confidence: 0.9, footprint: [], facts: [("on_new_fence", .bool(true))])]
        return SiteReport(
            title: "Test <site>", site: GeoPoint(longitude: 129.72528, latitude: 41.834384), inputs: [],
            registration: .init(shiftXPixels: 1, shiftYPixels: -0.5, shiftEastMeters: 0.5, shiftNorthMeters: 0.25, confidence: 0.8, residualPixels: 0.1, status: "applied"),
            normalisation: [], change: .init(thresholdMethod: "otsu", threshold: 10, validPixels: 100, changedPixels: 5, changedAreaSquareMeters: 1.25, regions: 1),
            // Clockwise on purpose: the GeoJSON writer must turn it counter-clockwise.
            compound: .init(before: .init(areaSquareMeters: 580_000, ring: Array(ring.reversed()), source: "extracted"),
                            after: .init(areaSquareMeters: 1_000_000, ring: ring, source: "analyst"),
                            growthPercent: 72.4, growthUncertaintyPoints: 1.2, analystIoU: ["after": 0.98]),
            newFences: [.init(lengthMeters: 1234.5, points: ring)], removedFences: [], structures: structures,
            claims: [.init(id: "growth", text: "area +72 %", documented: "+72 %", measured: "+72.4 %", uncertainty: "±1.2 points",
                           verdict: "consistent", reason: "Within the uncertainty.", warning: nil)],
            occlusion: [], parameters: [], softwareVersion: "0.1.0", run: [("total_s", .double(1))], method: ["m"], limitations: ["l"])
    }

    func testGeoJSONRingsAreClosedCounterClockwiseAndRounded() throws {
        let text = ReportGeoJSON.render(report())
        XCTAssertTrue(text.contains("129.7251235"), "7 decimals, rounded")
        XCTAssertFalse(text.contains("129.72512345"))
        // The before ring was clockwise: it is written reversed and closed.
        XCTAssertTrue(text.contains("\"kind\": \"perimeter\""))
        let geo = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        let features = geo["features"] as! [[String: Any]]
        XCTAssertEqual(features.count, 5, "2 perimeters, 1 fence, 1 post, the site")
        for f in features where (f["geometry"] as! [String: Any])["type"] as? String == "Polygon" {
            let ring = ((f["geometry"] as! [String: Any])["coordinates"] as! [[[Double]]])[0]
            XCTAssertEqual(ring.first, ring.last)
            var twice = 0.0
            for (a, b) in zip(ring, ring.dropFirst()) { twice += a[0] * b[1] - b[0] * a[1] }
            XCTAssertGreaterThan(twice, 0)
        }
    }

    func testJSONHasTheSchemaFields() throws {
        let object = try JSONSerialization.jsonObject(with: Data(ReportJSON.render(report()).utf8)) as! [String: Any]
        for key in ["schema_version", "inputs", "registration", "compound", "fences", "structures", "claims", "occlusion",
                    "parameters", "software", "timings"] {
            XCTAssertNotNil(object[key], key)
        }
        let compound = object["compound"] as! [String: Any]
        XCTAssertEqual(compound["growth_pct"] as? Double, 72.4)
        XCTAssertEqual(compound["growth_pct_uncertainty"] as? Double, 1.2)
        XCTAssertEqual(((object["fences"] as! [String: Any])["new_length_m"]) as? Double, 1234.5)
        let posts = (object["structures"] as! [String: Any])["new_guard_posts"] as! [[String: Any]]
        XCTAssertEqual(posts.first?["on_new_fence"] as? Bool, true)
        XCTAssertNotNil(posts.first?["lon"] as? Double)
    }

    func testHTMLEscapesAndEmbeds() {
        let picture = Picture(title: "Before", caption: "a & b", png: [1, 2, 3], width: 10, height: 5,
                              overlays: [.init(shape: .marker(PixelPoint(x: 5, y: 2)), style: "post-new", label: "N1")])
        let html = ReportHTML.render(report(), pictures: [picture])
        XCTAssertTrue(html.contains("<title>Test &lt;site&gt;</title>"))
        XCTAssertTrue(html.contains("href=\"data:image/png;base64,AQID\""))
        XCTAssertTrue(html.contains(">N1</text>"))
        XCTAssertTrue(html.contains("class=\"verdict-consistent\""))
        XCTAssertTrue(html.contains("a &amp; b"))
    }

    func testMarkdownSaysTheFigures() {
        let md = ReportMarkdown.render(report())
        XCTAssertTrue(md.contains("| enclosed area | 580,000 m² | 1,000,000 m² |"), md)
        XCTAssertTrue(md.contains("Growth: **72.4 % ± 1.2 points**"))
        XCTAssertTrue(md.contains("| new guard posts | 1 |"))
    }
}

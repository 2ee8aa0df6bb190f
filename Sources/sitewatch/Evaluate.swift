import ArgumentParser
import ChangeAnalysis
import Foundation
import GeoRaster
import RasterIO
import SceneSynth

/// Scores the main job on synthetic scenes: runs exactly what `compare` runs on each scene's
/// before/ and after/ (the detectors see only the pixels and the site point) and sets the report
/// against the scene's truth.json. These are the figures the perimeter and structure issues are
/// judged on.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run compare on synthetic scenes (folders made by `sitewatch synth`) and score the reports against their truth.",
        discussion: """
            Prints one Markdown table row per scene and a line of totals. Targets: growth within 2 points \
            (nochange: 1), perimeter IoU at least 0.97 at each date, new fence length within 10 % (nochange: none), \
            new guard posts and those on the new fence exact or off by one (nochange: none), new buildings' \
            precision and recall at least 90 % (nochange: none), no distractor outside the compound counted.
            """)

    @Argument(help: "Scene folders, each with before/, after/ and truth.json.")
    var scenes: [String]

    @Flag(name: .long, help: "Give compare the scene's clouds and cloud shadows as --mask-before/--mask-after (what a vendor's cloud mask provides).")
    var masksFromTruth = false

    @Option(name: .long, help: "Also write each scene's reports into this folder (one subfolder per scene).")
    var keep: String?

    func run() throws {
        try SiteWatch.reportingErrors {
            print("| scene | growth true / measured % | IoU before / after | new fence true / measured m | new posts true / found | on new fence true / found | new buildings found / true, precision, recall | distractors counted | removed posts, buildings true / found | hidden perimeter m | verdict |")
            print("|---|---|---|---|---|---|---|---|---|---|---|")
            var passed = 0
            var postsExact = 0, postsScenes = 0
            for scene in scenes {
                let name = URL(fileURLWithPath: scene).lastPathComponent
                do {
                    let row = try evaluate(scene, name: name)
                    print(row.text)
                    if row.pass { passed += 1 }
                    if let exact = row.postsExact { postsScenes += 1; if exact { postsExact += 1 } }
                } catch {
                    print("| \(name) | error: \(error) | | | | | | | | | MISS |")
                }
            }
            print("\n\(passed) of \(scenes.count) scenes within every target; new guard posts exact in \(postsExact) of \(postsScenes) camp25 scenes.")
        }
    }

    struct Row { var text: String; var pass: Bool; var postsExact: Bool? }

    private func evaluate(_ folder: String, name: String) throws -> Row {
        let truth = try TruthJSON.decode(Data(contentsOf: URL(fileURLWithPath: folder + "/truth.json")))
        let crs = CRS(epsg: truth.epsg)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sitewatch-evaluate-\(getpid())-\(name)").path
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        // What a vendor's cloud mask marks at each date: its clouds and their shadows.
        let masked = { (date: String) in (truth.clouds[date] ?? []).map(\.outline) + (truth.cloudShadows[date] ?? []) }
        // The masks as the vendor would give them: where that date's image shows them (the after
        // image is misregistered).
        func mask(_ date: String) throws -> String? {
            let outlines = masked(date)
            guard masksFromTruth, !outlines.isEmpty else { return nil }
            let shift = date == "after" ? MapPoint(x: truth.misregistration.eastMeters, y: truth.misregistration.northMeters) : MapPoint(x: 0, y: 0)
            let rings = try outlines.map { outline in
                try CoordinateTransform.toLonLat(outline.ring.map { MapPoint(x: $0.x + shift.x, y: $0.y + shift.y) }, from: crs)
            }
            let coordinates = rings.map { ring in [(ring + [ring[0]]).map { [$0.longitude, $0.latitude] }] }
            let geojson: [String: Any] = ["type": "MultiPolygon", "coordinates": coordinates]
            let path = "\(scratch)/mask-\(date).geojson"
            try JSONSerialization.data(withJSONObject: geojson).write(to: URL(fileURLWithPath: path))
            return path
        }
        let start = Date()
        let job = CompareJob(before: folder + "/before", after: folder + "/after",
                             site: GeoPoint(longitude: truth.site.longitude, latitude: truth.site.latitude),
                             aoiPath: nil, claimsPath: nil, perimeterBeforePath: nil, perimeterAfterPath: nil,
                             maskBeforePath: try mask("before"), maskAfterPath: try mask("after"),
                             title: name, radiusMeters: 1200)
        let outputs = try job.run(progress: Progress(enabled: false))
        let seconds = Date().timeIntervalSince(start)
        if let keep {
            let folder = keep + "/" + name
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (file, bytes) in outputs.files { try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + file)) }
        }
        let reportBytes = outputs.files.first { $0.0 == "report.json" }!.1
        let report = try JSONSerialization.jsonObject(with: Data(reportBytes)) as! [String: Any]

        // Everything back into the scene's CRS.
        func mapPoints(_ lonLat: [[Double]]) throws -> [MapPoint] {
            try CoordinateTransform.fromLonLat(lonLat.map { GeoPoint(longitude: $0[0], latitude: $0[1]) }, to: crs)
        }
        let nochange = truth.newFenceLengthMeters == 0
        var cells: [String] = [name]
        var pass = true

        // Compound and fences.
        let compound = report["compound"] as? [String: Any]
        if let compound, let b = compound["before"] as? [String: Any], let a = compound["after"] as? [String: Any],
           let growth = compound["growth_pct"] as? Double, let sigma = compound["growth_pct_uncertainty"] as? Double {
            let polygonBefore = MapPolygon(try mapPoints(b["polygon"] as! [[Double]]))
            let polygonAfter = MapPolygon(try mapPoints(a["polygon"] as! [[Double]]))
            let iouBefore = PerimeterAnalysis.intersectionOverUnion(polygonBefore, truth.compoundBefore.polygon)
            let iouAfter = PerimeterAnalysis.intersectionOverUnion(polygonAfter, truth.compoundAfter.polygon)
            let fences = report["fences"] as? [String: Any]
            let newLength = fences?["new_length_m"] as? Double ?? 0
            let newCount = (fences?["new"] as? [Any])?.count ?? 0
            let growthOK = abs(growth - truth.growthPercent) <= (nochange ? 1 : 2)
            let fenceOK = nochange ? newCount == 0 : abs(newLength - truth.newFenceLengthMeters) <= 0.1 * truth.newFenceLengthMeters
            pass = pass && growthOK && fenceOK && iouBefore >= 0.97 && iouAfter >= 0.97
            cells += [String(format: "%.2f / %.2f ± %.2f", truth.growthPercent, growth, sigma),
                      String(format: "%.4f / %.4f", iouBefore, iouAfter),
                      String(format: "%.0f / %.0f (%d)", truth.newFenceLengthMeters, newLength, newCount)]
        } else {
            pass = false
            cells += ["no compound", "", ""]
        }

        // Structures.
        var postsExact: Bool? = nil
        if let structures = report["structures"] as? [String: Any] {
            func items(_ key: String) throws -> [MapPoint] {
                try ((structures[key] as? [[String: Any]]) ?? []).map { try mapPoints([[$0["lon"] as! Double, $0["lat"] as! Double]])[0] }
            }
            let newPosts = try items("new_guard_posts"), reportedBuildings = try items("new_buildings")
            let onFence = ((structures["new_guard_posts"] as? [[String: Any]]) ?? []).filter { $0["on_new_fence"] as? Bool == true }.count
            // Structures under a cloud or its shadow at either date, or within the 15 m of one that
            // compare reports as unknown, cannot be counted; they are left out of the truth.
            let masks = masked("before") + masked("after")
            let hidden = { (p: MapPoint) in masks.contains { $0.contains(p) || $0.distanceToBoundary(p) <= 15 } }
            // (Symmetrically, what the report lists there is not scored.)
            let newBuildings = reportedBuildings.filter { !hidden($0) }
            let trueNewBuildings = truth.buildingsAfter.filter { b in truth.newBuildingIDs.contains(b.id) && !hidden(b.center) }
            var claimed = Set<String>()
            var hits = 0
            for p in newBuildings {
                if let t = trueNewBuildings.first(where: { !claimed.contains($0.id) && ($0.footprint.contains(p) || $0.footprint.distanceToBoundary(p) <= 5) }) {
                    claimed.insert(t.id); hits += 1
                }
            }
            let precision = newBuildings.isEmpty ? (trueNewBuildings.isEmpty ? 1 : 0) : Double(hits) / Double(newBuildings.count)
            let recall = trueNewBuildings.isEmpty ? 1 : Double(hits) / Double(trueNewBuildings.count)
            let distractors = truth.housesAfter.filter { truth.distractorIDs.contains($0.id) }
            let counted = (newPosts + newBuildings).filter { p in distractors.contains { $0.footprint.contains(p) || $0.footprint.distanceToBoundary(p) <= 8 } }.count
            // Nor can posts there; the claims say so (inconclusive).
            let hiddenPosts = truth.guardPostsAfter.filter { p in truth.newGuardPostIDs.contains(p.id) && hidden(p.center) }.count
            let visibleNew = truth.newGuardPostIDs.count - hiddenPosts, visibleOnFence = truth.newGuardPostsOnNewFence - hiddenPosts
            let postError = abs(newPosts.count - visibleNew)
            let fenceError = abs(onFence - visibleOnFence)
            if !nochange { postsExact = postError == 0 && fenceError == 0 }
            // A nochange scene shows no new post at all; elsewhere a count may be off by one.
            let postsOK = nochange ? newPosts.isEmpty : postError <= 1 && fenceError <= 1
            pass = pass && postsOK && precision >= 0.9 && recall >= 0.9 && counted == 0
            let hiddenNote = hiddenPosts > 0 ? " (\(hiddenPosts) near cloud)" : ""
            cells += ["\(truth.newGuardPostIDs.count)\(hiddenNote) / \(newPosts.count)", "\(truth.newGuardPostsOnNewFence) / \(onFence)",
                      String(format: "%d / %d, %.0f %%, %.0f %%", newBuildings.count, trueNewBuildings.count, 100 * precision, 100 * recall),
                      "\(counted)",
                      "\(truth.removedGuardPostIDs.count), \(truth.removedBuildingIDs.count) / \((structures["removed_guard_posts"] as? [Any])?.count ?? 0), \((structures["removed_buildings"] as? [Any])?.count ?? 0)"]
        } else {
            // Not counted: the report says why (imagery too coarse); only the compound is scored.
            cells += ["not counted", "", "", "", ""]
        }
        let occlusion = report["occlusion"] as? [String: Any]
        let hidden = (occlusion?["perimeter_hidden_before_m"] as? Double ?? 0) + (occlusion?["perimeter_hidden_after_m"] as? Double ?? 0)
        cells += [String(format: "%.0f / %.0f", truth.occludedPerimeterMeters.values.reduce(0, +), hidden),
                  (pass ? "ok" : "MISS") + String(format: " (%.0f s)", seconds)]
        return Row(text: "| " + cells.joined(separator: " | ") + " |", pass: pass, postsExact: postsExact)
    }
}

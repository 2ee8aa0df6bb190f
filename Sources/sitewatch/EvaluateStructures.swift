import ArgumentParser
import ChangeAnalysis
import Dispatch
import Foundation
import GeoRaster
import RasterIO

/// Scores the structure detector on synthetic scenes against their truth.json. The detector sees
/// only the images and the compound outlines (which the perimeter step provides in `compare`);
/// sun, view and misregistration in the truth are never passed to it.
struct EvaluateStructures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate-structures",
        abstract: "Score new/removed guard posts and buildings on synthetic scenes (folders made by `sitewatch synth`).")

    @Argument(help: "Scene folders, each with before/, after/ and truth.json.")
    var scenes: [String]

    @Option(name: .long, help: "Matching tolerance across dates, metres.")
    var tolerance: Double = 12

    @Option(name: .long, help: "Search margin around the compound, metres.")
    var regionMargin: Double = 100

    @Option(name: .long, help: "Development: print post candidates near this map point X,Y.")
    var debugNear: String?

    @Flag(name: .long, help: "List every miss and false detection with its map position.")
    var verbose = false

    func run() throws {
        try SiteWatch.reportingErrors {
            print("| scene | new posts true/found | on new fence true/found | new buildings found | precision | recall | east (found) | removed posts true/found | removed buildings true/found | distractors counted | outside (not counted) |")
            print("|---|---|---|---|---|---|---|---|---|---|---|")
            for scene in scenes { try evaluate(scene) }
        }
    }

    private func evaluate(_ folder: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/truth.json"))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let truth = try decoder.decode(TruthSubset.self, from: data)
        let compoundBefore = truth.compoundBefore.polygon, compoundAfter = truth.compoundAfter.polygon
        let bounds = compoundBefore.bounds.union(compoundAfter.bounds)
        let m = regionMargin
        let region = MapPolygon([MapPoint(x: bounds.minX - m, y: bounds.minY - m), MapPoint(x: bounds.maxX + m, y: bounds.minY - m),
                                 MapPoint(x: bounds.maxX + m, y: bounds.maxY + m), MapPoint(x: bounds.minX - m, y: bounds.maxY + m)])
        var parameters = StructureDetectionParameters()
        if let d = debugNear?.split(separator: ",").compactMap({ Double($0) }), d.count == 2 { parameters.debugNear = MapPoint(x: d[0], y: d[1]) }
        // Both dates on both cores; each thread opens its own mosaic (sources are not thread-safe).
        var results: [Result<[DetectedStructure], Error>] = Array(repeating: .success([]), count: 2)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            let r = Result { try StructureAnalysis.detect(try TileMosaic(folder: folder + (k == 0 ? "/before" : "/after")), within: region, parameters: parameters) }
            lock.lock(); results[k] = r; lock.unlock()
        }
        let before = try results[0].get(), after = try results[1].get()
        let shift = StructureAnalysis.estimateShift(before: before, after: after, toleranceMeters: tolerance)
        let change = StructureAnalysis.match(before: before, after: after, afterShiftMeters: shift, toleranceMeters: tolerance)
        let counts = StructureAnalysis.count(change, compoundBefore: compoundBefore, compoundAfter: compoundAfter,
                                             newFences: truth.newFences.map(\.line))

        // Truth: which found new buildings are real new buildings (centre within the footprint grown
        // by 5 m, one found building per true one).
        let trueNew = truth.buildingsAfter.filter { Set(truth.newBuildingIds).contains($0.id) }
        func near(_ s: DetectedStructure, _ t: TruthStructure, grow: Double) -> Bool {
            let fp = MapPolygon(t.footprint.ring)
            return fp.contains(s.center) || fp.distanceToBoundary(s.center) <= grow
        }
        var claimed = Set<String>()
        var truePositives = 0
        var falseBuildings: [DetectedStructure] = []
        for s in counts.newBuildings {
            if let t = trueNew.first(where: { !claimed.contains($0.id) && near(s, $0, grow: 5) }) { claimed.insert(t.id); truePositives += 1 }
            else { falseBuildings.append(s) }
        }
        let precision = counts.newBuildings.isEmpty ? (trueNew.isEmpty ? 1 : 0) : Double(truePositives) / Double(counts.newBuildings.count)
        let recall = trueNew.isEmpty ? 1 : Double(truePositives) / Double(trueNew.count)
        let distractors = truth.housesAfter.filter { Set(truth.distractorIds).contains($0.id) }
        let counted = counts.newGuardPosts + counts.newBuildings
        let distractorsCounted = distractors.filter { d in counted.contains { near($0, d, grow: 8) } }.count
        let name = URL(fileURLWithPath: folder).lastPathComponent
        func pct(_ x: Double) -> String { String(format: "%.0f %%", 100 * x) }
        print("| \(name) | \(truth.newGuardPostIds.count)/\(counts.newGuardPosts.count) | \(truth.newGuardPostsOnNewFence)/\(counts.newGuardPostsOnNewFence) | \(truePositives)/\(counts.newBuildings.count) of \(trueNew.count) | \(pct(precision)) | \(pct(recall)) | \(counts.newBuildingsEastOfOldCentroid) | \(truth.removedGuardPostIds.count)/\(counts.removedGuardPosts.count) | \(truth.removedBuildingIds.count)/\(counts.removedBuildings.count) | \(distractorsCounted) | \(counts.newOutside.count) new, \(counts.removedOutside.count) removed |")
        if verbose {
            for (date, list) in [("before", before), ("after", after)] {
                let lines = list.map { String(format: "%@,%@,%.1f,%.1f,%.0f,%.2f,%.0f", date, $0.kind.rawValue, $0.center.x, $0.center.y, $0.areaSquareMeters, $0.confidence, $0.shadowAreaSquareMeters) }
                try? (lines.joined(separator: "\n") + "\n").write(toFile: folder + "/detections-\(date).csv", atomically: true, encoding: .utf8)
            }
            func describe(_ s: DetectedStructure) -> String {
                String(format: "%@ (%.1f, %.1f) %.0f m² conf %.2f shadow %.0f m²", s.kind.rawValue, s.center.x, s.center.y, s.areaSquareMeters, s.confidence, s.shadowAreaSquareMeters)
            }
            FileHandle.standardError.write(Data(String(format: "%@: %d before, %d after, shift %.2f, %.2f m\n", name, before.count, after.count, shift.x, shift.y).utf8))
            let truePosts = truth.guardPostsAfter.filter { Set(truth.newGuardPostIds).contains($0.id) }
            for p in counts.newGuardPosts where !truePosts.contains(where: { distance($0.center, p.center) < 12 }) {
                FileHandle.standardError.write(Data("  false new post: \(describe(p))\n".utf8))
            }
            for t in truePosts where !counts.newGuardPosts.contains(where: { distance($0.center, t.center) < 12 }) {
                let nearest = after.min { distance($0.center, t.center) < distance($1.center, t.center) }
                FileHandle.standardError.write(Data(String(format: "  missed new post %@ (%.1f, %.1f); nearest after detection %@\n", t.id, t.center.x, t.center.y, nearest.map { describe($0) + String(format: " at %.1f m", distance($0.center, t.center)) } ?? "none").utf8))
            }
            for s in falseBuildings { FileHandle.standardError.write(Data("  false new building: \(describe(s))\n".utf8)) }
            for t in trueNew where !claimed.contains(t.id) {
                FileHandle.standardError.write(Data(String(format: "  missed new building %@ (%.1f, %.1f) %.0f x %.0f\n", t.id, t.center.x, t.center.y, t.width, t.length).utf8))
            }
            for s in counts.removedGuardPosts + counts.removedBuildings { FileHandle.standardError.write(Data("  removed: \(describe(s))\n".utf8)) }
        }
    }
}

/// The parts of truth.json the evaluation reads (snake_case keys).
private struct TruthSubset: Decodable {
    struct Compound: Decodable { var polygon: MapPolygon }
    struct Fence: Decodable { var line: MapPolyline }
    var compoundBefore: Compound
    var compoundAfter: Compound
    var newFences: [Fence]
    var guardPostsAfter: [TruthStructure]
    var buildingsAfter: [TruthStructure]
    var housesAfter: [TruthStructure]
    var newGuardPostIds: [String]
    var removedGuardPostIds: [String]
    var newBuildingIds: [String]
    var removedBuildingIds: [String]
    var distractorIds: [String]
    var newGuardPostsOnNewFence: Int
}

private struct TruthStructure: Decodable {
    var id: String
    var center: MapPoint
    var width: Double
    var length: Double
    var footprint: MapPolygon
}

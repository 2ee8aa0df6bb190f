import ArgumentParser
import Dispatch
import Foundation
import GeoRaster
import RasterIO

struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run compare over many sites: a manifest, or a folder of site folders.",
        discussion: """
            MANIFEST is JSON: {"sites": [{"name": "...", "before": "...", "after": "...", "site": [lon, lat], \
            "claims": "...", "aoi": "...", "perimeter_before": "...", "perimeter_after": "...", "mask_before": "...", \
            "mask_after": "..."}]} (all but name, before, after and site optional), paths relative to the manifest. \
            A folder holds one folder per site with before/, after/ and site.json (the same keys but before and after). \
            Each site's outputs go to OUT/NAME/; OUT/summary.json and OUT/summary.md list every site. \
            A failing site does not stop the others; a rerun skips sites whose outputs are complete.
            """)

    @Argument(help: "A manifest (JSON) or a folder of site folders.")
    var input: String

    @Option(name: .long, help: "Output folder.")
    var out: String

    @Option(name: .long, help: "Sites run at once, at most.")
    var jobs: Int = 2

    @Option(name: .long, help: "Memory budget for sites running at once, MB.")
    var memoryBudget: Int = 4096

    @Flag(name: .long, help: "Print nothing but errors.")
    var quiet = false

    struct SiteSpec {
        var name: String
        var before: String
        var after: String
        var site: GeoPoint
        var claims: String?
        var aoi: String?
        var perimeterBefore: String?
        var perimeterAfter: String?
        var maskBefore: String?
        var maskAfter: String?
        var radius: Double
    }

    func run() throws {
        try SiteWatch.reportingErrors {
            let sites = try Self.sites(input)
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            var results = [SiteOutcome?](repeating: nil, count: sites.count)
            let lock = NSLock()
            // Memory per site, assuming 0.5 m imagery: the analysed window's samples for both dates,
            // the magnitude and working strips (~14 bytes a pixel); sites run together only while
            // they fit the budget.
            let largest = sites.map { 2 * $0.radius / 0.5 }.max() ?? 4800
            let estimateMB = 64 + Int(largest * largest * 14 / 1_000_000)
            let concurrency = max(1, min(jobs, memoryBudget / max(1, estimateMB)))
            let budget = DispatchSemaphore(value: concurrency)
            DispatchQueue.concurrentPerform(iterations: sites.count) { index in
                budget.wait()
                defer { budget.signal() }
                let outcome = runSite(sites[index])
                lock.lock()
                results[index] = outcome
                if !quiet { print("\(outcome.name): \(outcome.status)\(outcome.error.map { " — \($0)" } ?? "")") }
                lock.unlock()
            }
            let outcomes = results.compactMap { $0 }
            try FileChecks.writeAtomically(Array(SiteOutcome.json(outcomes).utf8), to: out + "/summary.json")
            try FileChecks.writeAtomically(Array(SiteOutcome.markdown(outcomes).utf8), to: out + "/summary.md")
            let failed = outcomes.filter { $0.status == "failed" }.count
            if !quiet { print("\(outcomes.count - failed) of \(outcomes.count) sites done; summary: \(out)/summary.md") }
            if failed > 0 { throw ExitCode(ExitStatus.batchHadFailures) }
        }
    }

    static let outputs = ["report.json", "report.md", "report.html", "features.geojson", "change.tif"]

    func runSite(_ spec: SiteSpec) -> SiteOutcome {
        let folder = out + "/" + spec.name
        if Self.outputs.allSatisfy({ FileManager.default.fileExists(atPath: folder + "/" + $0) }) {
            return SiteOutcome.read(name: spec.name, folder: folder, status: "skipped")
        }
        do {
            try? FileManager.default.removeItem(atPath: folder)  // an incomplete earlier attempt
            let job = CompareJob(before: spec.before, after: spec.after, site: spec.site, aoiPath: spec.aoi, claimsPath: spec.claims,
                                 perimeterBeforePath: spec.perimeterBefore, perimeterAfterPath: spec.perimeterAfter,
                                 maskBeforePath: spec.maskBefore, maskAfterPath: spec.maskAfter, title: spec.name, radiusMeters: spec.radius)
            let outputs = try job.run(progress: Progress(enabled: false))
            let staging = try OutputFolder(folder)
            for (name, bytes) in outputs.files { try FileChecks.writeAtomically(bytes, to: staging.path + "/" + name) }
            try outputs.writeChangeRaster(staging.path + "/change.tif")
            try staging.commit()
            return SiteOutcome.read(name: spec.name, folder: folder, status: "done")
        } catch {
            return SiteOutcome(name: spec.name, status: "failed", error: "\(error)", figures: [])
        }
    }

    /// The sites of a manifest or a folder of site folders.
    static func sites(_ input: String) throws -> [SiteSpec] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
            throw RasterIOError(.io, path: input, "no such manifest or folder")
        }
        func object(_ path: String) throws -> [String: Any] {
            guard let data = FileManager.default.contents(atPath: path),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw RasterIOError(.malformed, path: path, "not a JSON object")
            }
            return object
        }
        func spec(_ o: [String: Any], base: String, defaultName: String, path: String, defaults: (String, String)?) throws -> SiteSpec {
            func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base + "/" + p }
            guard let site = o["site"] as? [Double], site.count == 2 else {
                throw RasterIOError(.malformed, path: path, "\"site\" must be [lon, lat]")
            }
            let before = (o["before"] as? String).map(resolve) ?? defaults?.0
            let after = (o["after"] as? String).map(resolve) ?? defaults?.1
            guard let before, let after else { throw RasterIOError(.malformed, path: path, "each site needs \"before\" and \"after\"") }
            let name = (o["name"] as? String) ?? defaultName
            guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
                throw RasterIOError(.malformed, path: path, "site name \"\(name)\" cannot be a folder name")
            }
            return SiteSpec(name: name, before: before, after: after, site: GeoPoint(longitude: site[0], latitude: site[1]),
                            claims: (o["claims"] as? String).map(resolve), aoi: (o["aoi"] as? String).map(resolve),
                            perimeterBefore: (o["perimeter_before"] as? String).map(resolve),
                            perimeterAfter: (o["perimeter_after"] as? String).map(resolve),
                            maskBefore: (o["mask_before"] as? String).map(resolve), maskAfter: (o["mask_after"] as? String).map(resolve),
                            radius: (o["radius_m"] as? Double) ?? 1200)
        }
        if isDirectory.boolValue {
            let names = try FileManager.default.contentsOfDirectory(atPath: input).sorted()
            var specs: [SiteSpec] = []
            for name in names {
                let folder = input + "/" + name
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else { continue }
                let sitePath = folder + "/site.json"
                guard FileManager.default.fileExists(atPath: sitePath) else { continue }
                specs.append(try spec(try object(sitePath), base: folder, defaultName: name, path: sitePath,
                                      defaults: (folder + "/before", folder + "/after")))
            }
            guard !specs.isEmpty else { throw RasterIOError(.io, path: input, "no site folders (each needs site.json, before/ and after/)") }
            return specs
        }
        let manifest = try object(input)
        guard let list = manifest["sites"] as? [[String: Any]], !list.isEmpty else {
            throw RasterIOError(.malformed, path: input, "manifest needs a non-empty \"sites\" list")
        }
        let base = (input as NSString).deletingLastPathComponent
        let specs = try list.enumerated().map { try spec($1, base: base.isEmpty ? "." : base, defaultName: "site-\($0 + 1)", path: input, defaults: nil) }
        guard Set(specs.map(\.name)).count == specs.count else { throw RasterIOError(.malformed, path: input, "site names must be unique") }
        return specs
    }
}

/// One line of the batch summary.
struct SiteOutcome {
    var name: String
    var status: String
    var error: String?
    var figures: [(String, String)]

    /// Key figures from a finished site's report.json.
    static func read(name: String, folder: String, status: String) -> SiteOutcome {
        guard let data = FileManager.default.contents(atPath: folder + "/report.json"),
              let report = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return SiteOutcome(name: name, status: "failed", error: "\(folder)/report.json: unreadable", figures: [])
        }
        var figures: [(String, String)] = []
        if let r = report["registration"] as? [String: Any], let s = r["shift_px"] as? [Double] {
            figures.append(("shift_px", String(format: "%.2f, %.2f", s[0], s[1])))
        }
        if let c = report["compound"] as? [String: Any], let g = c["growth_pct"] as? Double {
            figures.append(("growth_pct", String(format: "%.1f ± %.1f", g, (c["growth_pct_uncertainty"] as? Double) ?? 0)))
        }
        if let s = report["structures"] as? [String: Any] {
            figures.append(("new_guard_posts", "\((s["new_guard_posts"] as? [Any])?.count ?? 0)"))
            figures.append(("new_buildings", "\((s["new_buildings"] as? [Any])?.count ?? 0)"))
        }
        if let c = report["change"] as? [String: Any], let regions = c["regions"] as? Int { figures.append(("change_regions", "\(regions)")) }
        return SiteOutcome(name: name, status: status, error: nil, figures: figures)
    }

    static func json(_ outcomes: [SiteOutcome]) -> String {
        let sites = outcomes.map { o -> [String: Any] in
            var entry: [String: Any] = ["name": o.name, "status": o.status]
            if let e = o.error { entry["error"] = e }
            entry["figures"] = Dictionary(uniqueKeysWithValues: o.figures)
            return entry
        }
        let summary: [String: Any] = ["sites": sites, "done": outcomes.filter { $0.status == "done" }.count,
                                      "skipped": outcomes.filter { $0.status == "skipped" }.count,
                                      "failed": outcomes.filter { $0.status == "failed" }.count]
        let data = try! JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func markdown(_ outcomes: [SiteOutcome]) -> String {
        var md = "# Batch summary\n\n| site | status | growth % | new posts | new buildings | shift px | error |\n|---|---|---|---|---|---|---|\n"
        for o in outcomes {
            let f = Dictionary(uniqueKeysWithValues: o.figures)
            md += "| \(o.name) | \(o.status) | \(f["growth_pct"] ?? "–") | \(f["new_guard_posts"] ?? "–") | \(f["new_buildings"] ?? "–") | \(f["shift_px"] ?? "–") | \(o.error?.replacingOccurrences(of: "|", with: "\\|") ?? "") |\n"
        }
        return md
    }
}

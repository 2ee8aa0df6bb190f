import ChangeAnalysis
import ChangeReport
import Foundation
import GeoRaster
import RasterIO

/// The site-level measurements of `compare`: the compound's perimeter at each date (extracted, or
/// drawn by an analyst), areas in a locally true CRS, new fences, structures counted against the
/// compound, and the documented claims checked against all of it.
struct SiteAnalysis {
    var compound: SiteReport.Compound?
    var newFences: [SiteReport.Line] = []
    var removedFences: [SiteReport.Line] = []
    var structures: SiteReport.Structures?
    var claims: [SiteReport.ClaimRow] = []
    var occlusion: [(String, JSONValue)] = []
    var limitations: [String] = []
    var summary: [String] = []
    /// Geometry in the before date's CRS, for the pictures.
    var perimeters: [String: MapPolygon] = [:]
    var newFenceLines: [MapPolyline] = []
    var removedFenceLines: [MapPolyline] = []
    var newPosts: [DetectedStructure] = []
    var newBuildings: [DetectedStructure] = []

    static let method = [
        "Perimeter: at each date on its own, the closed line of thin dark linear structure (fence or wall beside a bright cleared strip) that encloses the site, found from a line filter on that image alone; the dates are then reconciled so unchanged stretches coincide, and the new and removed stretches are the fence changes.",
        "Areas are measured in a locally true projected CRS: the imagery's own when it is projected, except Web Mercator (EPSG:3857), whose scale error inflates areas about 1.8x at this latitude; else the site's UTM zone.",
        "Buildings: at each date on its own, compact objects with a roof that differs from the ground and a cast shadow on the side away from the sun (the sun's direction is read from the buildings' own shadows).",
        "Guard posts: at each date, along that date's own perimeter line. Every pixel within 18 m inside and 6 m outside the line is placed by its position along the fence and its distance from it; the ground's profile across the fence (cleared strip, fence, patrol track) is the median over 60 m of the same side, and a post is what departs from it - roof, walls and a shadow that a low sun detaches by 15 m or a high sun hides. No sun or view angle is needed.",
        "Matching across dates allows for the co-registration shift and the lean of tall objects. A structure counts as new (or removed) only if one date shows it clearly and the other shows nothing there even faintly: a roof the colour of the ground or a shadow hidden by a high sun does not make a structure appear or vanish. Structures outside the compound are listed apart and never counted.",
    ]

    /// `before` and `after` are the dates as the analysis sees them (cloud masks applied).
    static func run(job: CompareJob, before beforeSource: PixelSource, after afterSource: PixelSource, crsBefore: CRS, crsAfter: CRS,
                    siteMap: MapPoint, registration: Registration, progress: Progress) throws -> SiteAnalysis {
        var analysis = SiteAnalysis()
        let beforeTransform = beforeSource.georeferencing!.transform
        // The after date's content is displaced by the co-registration shift (before pixels).
        let s = registration.appliedShift
        let displacement = MapPoint(x: s.x * beforeTransform.pixelWidth + s.y * beforeTransform.rowRotation,
                                    y: s.x * beforeTransform.columnRotation + s.y * beforeTransform.pixelHeight)
        let unitMeters = crsBefore.epsg.flatMap(CRSCatalog.linearUnitMeters) ?? 1
        let pixelMeters = abs(beforeTransform.pixelWidth) * unitMeters

        // Everything is compared in the before CRS; areas in a locally true metric CRS.
        let afterToBefore: ((MapPoint) -> MapPoint)? = crsAfter == crsBefore ? nil : {
            let t = LockedTransform(try! CoordinateTransform(from: crsAfter, to: crsBefore))
            return { t.forward($0) }
        }()
        let measuring: CRS
        if crsBefore.isImageFrame {
            measuring = crsBefore   // metres by construction (--gsd)
        } else if let epsg = crsBefore.epsg, epsg != 3857, epsg != 900913, CRSCatalog.describe(epsg: epsg)?.kind == .projected {
            measuring = crsBefore
        } else {
            measuring = CRS.utm(for: job.site!)
        }
        let toMeasuringPoints: ([MapPoint]) throws -> [MapPoint] = { points in
            measuring == crsBefore ? points : try CoordinateTransform(from: crsBefore, to: measuring).forward(points)
        }
        let toMeasuring = { (polygon: MapPolygon) throws in MapPolygon(try toMeasuringPoints(polygon.ring)) }
        // Report positions: lon/lat, or the image frame's metres as they are (SiteReport.PositionFrame).
        let toLonLat: ([MapPoint]) throws -> [GeoPoint] = { points in
            crsBefore.isImageFrame ? points.map { GeoPoint(longitude: $0.x, latitude: $0.y) } : try CoordinateTransform.toLonLat(points, from: crsBefore)
        }

        // MARK: Perimeter
        progress.stage("perimeter")
        func analystPolygon(_ path: String?) throws -> MapPolygon? {
            guard let path else { return nil }
            return MapPolygon(try CoordinateTransform.fromLonLat(try GeoJSONInput.polygon(path), to: crsBefore)).counterClockwise
        }
        let analystBefore = try analystPolygon(job.perimeterBeforePath), analystAfter = try analystPolygon(job.perimeterAfterPath)
        let siteInAfter = crsAfter == crsBefore ? siteMap : try CoordinateTransform(from: crsBefore, to: crsAfter).forward(siteMap)
        func extracted(_ source: PixelSource, date: String) -> DatePerimeter? {
            do {
                var p = try PerimeterAnalysis.extract(source, site: date == "before" ? siteMap : siteInAfter)
                if let afterToBefore, date == "after" {
                    p.polygon = p.polygon.map(afterToBefore)
                    p.inner = p.inner?.map(afterToBefore)
                    p.outer = p.outer?.map(afterToBefore)
                    p.occludedStretches = p.occludedStretches.map { $0.map(afterToBefore) }
                }
                return p
            } catch {
                analysis.limitations.append("The \(date) perimeter could not be extracted: \(error). Give it with --perimeter-\(date).")
                return nil
            }
        }
        let extractedBefore = extracted(beforeSource, date: "before"), extractedAfter = extracted(afterSource, date: "after")
        var iou: [String: Double] = [:]
        if let a = analystBefore, let e = extractedBefore { iou["before"] = PerimeterAnalysis.intersectionOverUnion(a, e.polygon) }
        if let a = analystAfter, let e = extractedAfter { iou["after"] = PerimeterAnalysis.intersectionOverUnion(a, e.polygon) }
        // An analyst's after polygon is drawn on the after image as it is: it carries the
        // misregistration like an extracted one.
        let perimeterBefore = analystBefore.map(DatePerimeter.analyst) ?? extractedBefore
        let perimeterAfter = analystAfter.map(DatePerimeter.analyst) ?? extractedAfter
        var compoundBefore: MapPolygon?, compoundAfter: MapPolygon?
        if let pb = perimeterBefore, let pa = perimeterAfter {
            func measured(_ p: DatePerimeter) throws -> DatePerimeter {
                var m = p
                m.polygon = try toMeasuring(p.polygon)
                m.inner = try p.inner.map(toMeasuring)
                m.outer = try p.outer.map(toMeasuring)
                m.occludedStretches = try p.occludedStretches.map { MapPolyline(try toMeasuringPoints($0.points)) }
                return m
            }
            let shiftInMeasuring = measuring == crsBefore ? displacement : MapPoint(x: displacement.x * unitMeters, y: displacement.y * unitMeters)
            let change = PerimeterAnalysis.compare(before: try measured(pb), after: try measured(pa),
                                                   afterShiftMeters: MapPoint(x: -shiftInMeasuring.x, y: -shiftInMeasuring.y),
                                                   registrationResidualMeters: registration.residual * pixelMeters, pixelSizeMeters: pixelMeters)
            let back: (MapPolygon) throws -> MapPolygon = { polygon in
                measuring == crsBefore ? polygon : MapPolygon(try CoordinateTransform(from: measuring, to: crsBefore).forward(polygon.ring))
            }
            let lineBack: (MapPolyline) throws -> MapPolyline = { line in
                measuring == crsBefore ? line : MapPolyline(try CoordinateTransform(from: measuring, to: crsBefore).forward(line.points))
            }
            compoundBefore = try back(change.before.polygon)
            compoundAfter = try back(change.after.polygon)
            analysis.perimeters = ["before": compoundBefore!, "after": compoundAfter!]
            // A fence is new only if the before image shows none along it, removed only if the after
            // image shows none: where the outlines differ but both dates show a fence, one outline
            // strayed from it. (What neither date's extraction could see stays as the outlines say.)
            let afterFrame = { (line: MapPolyline) throws -> MapPolyline in
                let moved = line.map { MapPoint(x: $0.x + displacement.x, y: $0.y + displacement.y) }
                return crsAfter == crsBefore ? moved : MapPolyline(try CoordinateTransform(from: crsBefore, to: crsAfter).forward(moved.points))
            }
            var strayed = 0.0
            var newFences: [(MapPolyline, MapPolyline)] = [], removedFences: [(MapPolyline, MapPolyline)] = []
            for fence in change.newFences {
                let line = try lineBack(fence)
                if try PerimeterAnalysis.fenceSupport(beforeSource, along: line) >= 0.6 { strayed += fence.length } else { newFences.append((fence, line)) }
            }
            for fence in change.removedFences {
                let line = try lineBack(fence)
                if try PerimeterAnalysis.fenceSupport(afterSource, along: try afterFrame(line)) >= 0.6 { strayed += fence.length } else { removedFences.append((fence, line)) }
            }
            if strayed > 0 {
                analysis.limitations.append(String(format: "%.0f m where the two dates' outlines differ show a fence at both dates: not counted as new or removed fence.", strayed))
            }
            analysis.newFenceLines = newFences.map(\.1)
            analysis.removedFenceLines = removedFences.map(\.1)
            analysis.compound = SiteReport.Compound(
                before: .init(areaSquareMeters: change.areaBeforeSquareMeters, ring: try toLonLat(compoundBefore!.ring), source: pb.source.rawValue),
                after: .init(areaSquareMeters: change.areaAfterSquareMeters, ring: try toLonLat(compoundAfter!.ring), source: pa.source.rawValue),
                growthPercent: change.growthPercent, growthUncertaintyPoints: change.growthUncertaintyPoints, analystIoU: iou)
            analysis.newFences = try newFences.map { SiteReport.Line(lengthMeters: $0.0.length, points: try toLonLat($0.1.points)) }
            analysis.removedFences = try removedFences.map { SiteReport.Line(lengthMeters: $0.0.length, points: try toLonLat($0.1.points)) }
            let hiddenBefore = pb.occludedLengthMeters, hiddenAfter = pa.occludedLengthMeters
            analysis.occlusion = [("perimeter_hidden_before_m", .double(hiddenBefore, decimals: 1)),
                                  ("perimeter_hidden_after_m", .double(hiddenAfter, decimals: 1)),
                                  ("perimeter_hidden_fraction", .double((hiddenBefore + hiddenAfter)
                                      / max(1, change.before.polygon.perimeterLength + change.after.polygon.perimeterLength), decimals: 4))]
            analysis.summary.append(String(format: "compound: %.0f -> %.0f m² (%+.2f %% ± %.2f), %d new fence lines (%.0f m)",
                                           change.areaBeforeSquareMeters, change.areaAfterSquareMeters, change.growthPercent,
                                           change.growthUncertaintyPoints, newFences.count, newFences.reduce(0) { $0 + $1.0.length }))
        }

        // MARK: Structures, counted against the compound
        var measurements = Measurements(areaBeforeSquareMeters: analysis.compound?.before.areaSquareMeters,
                                        areaAfterSquareMeters: analysis.compound?.after.areaSquareMeters,
                                        areaUncertaintySquareMeters: 0, newGuardPostsOnNewFence: nil, newBuildings: nil,
                                        newBuildingsEast: nil,
                                        occludedFraction: (analysis.occlusion.first { $0.0 == "perimeter_hidden_fraction" }?.1).flatMap {
                                            if case .number(let v, _) = $0 { return v } else { return nil } } ?? 0)
        if let c = analysis.compound {
            // Growth uncertainty back to an area uncertainty for the claims (first order).
            measurements.areaUncertaintySquareMeters = c.growthUncertaintyPoints / 100 * c.before.areaSquareMeters
        }
        // The structure counts are validated on 0.5-0.75 m imagery (scripts/evaluate). At 1 m a 4 m
        // guard post is 4 x 4 pixels and its roof as dark as its shadow: the evaluation scenes at 1 m
        // missed or doubled several posts. Coarser than this, a count would be a guess: say so, and
        // leave the claims inconclusive.
        let finestStructurePixel = 0.8
        let afterPixelMeters = abs(afterSource.georeferencing!.transform.pixelWidth)
            * (crsAfter.epsg.flatMap(CRSCatalog.linearUnitMeters) ?? 1)
        if compoundBefore != nil, max(pixelMeters, afterPixelMeters) > finestStructurePixel {
            analysis.limitations.append(String(format: "Structures were not counted: at %.2f m per pixel a 4 m guard post spans %.0f pixels; the structure counts are validated on imagery of 0.8 m per pixel or finer.", max(pixelMeters, afterPixelMeters), 4 / max(pixelMeters, afterPixelMeters)))
        } else if let before = compoundBefore, let after = compoundAfter {
            progress.stage("structures")
            let box = before.bounds.union(after.bounds)
            let region = MapPolygon([MapPoint(x: box.minX - 100, y: box.minY - 100), MapPoint(x: box.maxX + 100, y: box.minY - 100),
                                     MapPoint(x: box.maxX + 100, y: box.maxY + 100), MapPoint(x: box.minX - 100, y: box.maxY + 100)])
            let regionAfter = afterToBefore == nil ? region
                : MapPolygon(try CoordinateTransform(from: crsBefore, to: crsAfter).forward(region.ring))
            let beforeToAfter: ((MapPoint) -> MapPoint)? = afterToBefore == nil ? nil : {
                let t = LockedTransform(try! CoordinateTransform(from: crsBefore, to: crsAfter))
                return { t.forward($0) }
            }()
            let foundBefore = try StructureAnalysis.buildingCandidates(beforeSource, within: region)
            var foundAfter = try StructureAnalysis.buildingCandidates(afterSource, within: regionAfter)
            // Guard posts along each date's perimeter line: the before date's own, and the after
            // date's reconciled one (its unchanged stretches are the before line, so that a stretch
            // the after date guessed through a cloud does not misplace its corridor); and, to confirm
            // only, along the other date's line where the two coincide: where one date's outline
            // cuts a corner of the real fence, its corridor can miss a post the other date's finds,
            // which would then look new (or removed).
            let moved = { (p: MapPolygon, d: Double) in p.map { MapPoint(x: $0.x + d * displacement.x, y: $0.y + d * displacement.y) } }
            let ownBefore = perimeterBefore!.polygon, ownAfter = moved(after, 1)
            func confirming(_ found: [StructureCandidate], near own: MapPolygon) -> [StructureCandidate] {
                found.filter { own.distanceToBoundary($0.structure.center) <= 10 }.map { StructureCandidate(structure: $0.structure, isStrong: false) }
            }
            let postsBefore = try StructureAnalysis.guardPosts(beforeSource, perimeter: ownBefore)
                + confirming(try StructureAnalysis.guardPosts(beforeSource, perimeter: moved(ownAfter, -1)), near: ownBefore)
            let inAfterCRS = { (p: MapPolygon) in beforeToAfter.map { p.map($0) } ?? p }
            var postsAfter = try StructureAnalysis.guardPosts(afterSource, perimeter: inAfterCRS(ownAfter))
                + confirming(try StructureAnalysis.guardPosts(afterSource, perimeter: inAfterCRS(moved(ownBefore, 1))), near: inAfterCRS(ownAfter))
            if let afterToBefore {
                func moved(_ c: StructureCandidate) -> StructureCandidate {
                    var c = c
                    c.structure.center = afterToBefore(c.structure.center)
                    c.structure.footprint = c.structure.footprint.map(afterToBefore)
                    return c
                }
                foundAfter = foundAfter.map(moved)
                postsAfter = postsAfter.map(moved)
            }
            var change = StructureAnalysis.change(buildingsBefore: foundBefore, buildingsAfter: foundAfter,
                                                  postsBefore: postsBefore, postsAfter: postsAfter,
                                                  afterShiftMeters: displacement, pixelSizeMeters: pixelMeters)
            // What one date shows where either date has no data nearby (a cloud mask, nodata) is
            // unknown, not new or removed: masks are drawn loosely, and a cloud's soft rim or its
            // shadow's penumbra reaches past them (measured: false new buildings 7 m outside a mask).
            let reach = 15.0
            func seenAtBothDates(before p: MapPoint, after q: MapPoint) throws -> Bool {
                try StructureAnalysis.hasData(beforeSource, around: p, radiusMeters: reach)
                    && StructureAnalysis.hasData(afterSource, around: beforeToAfter?(q) ?? q, radiusMeters: reach)
            }
            let beforeSeesNew = try change.new.map { s in
                try seenAtBothDates(before: MapPoint(x: s.center.x - displacement.x, y: s.center.y - displacement.y), after: s.center)
            }
            let afterSeesRemoved = try change.removed.map { s in
                try seenAtBothDates(before: s.center, after: MapPoint(x: s.center.x + displacement.x, y: s.center.y + displacement.y))
            }
            let unknown = beforeSeesNew.filter { !$0 }.count + afterSeesRemoved.filter { !$0 }.count
            change.new = zip(change.new, beforeSeesNew).filter(\.1).map(\.0)
            change.removed = zip(change.removed, afterSeesRemoved).filter(\.1).map(\.0)
            if unknown > 0 {
                analysis.limitations.append("\(unknown) structure\(unknown == 1 ? "" : "s") seen at one date stand\(unknown == 1 ? "s" : "") within 15 m of where a date has no data (cloud or nodata): neither new nor removed, not counted.")
            }
            let counts = StructureAnalysis.count(change, compoundBefore: before, compoundAfter: after, newFences: analysis.newFenceLines)
            func items(_ list: [DetectedStructure], prefix: String, facts: (DetectedStructure) -> [(String, JSONValue)]) throws -> [SiteReport.Structure] {
                try list.sorted { ($0.center.y, $0.center.x) > ($1.center.y, $1.center.x) }.enumerated().map { index, d in
                    SiteReport.Structure(id: "\(prefix)\(index + 1)", kind: d.kind.rawValue, position: try toLonLat([d.center])[0],
                                         areaSquareMeters: d.areaSquareMeters, confidence: d.confidence,
                                         footprint: try toLonLat(d.footprint.ring), facts: facts(d))
                }
            }
            let oldCentroid = before.centroid
            var report = SiteReport.Structures()
            report.newGuardPosts = try items(counts.newGuardPosts, prefix: "NP") { d in
                [("on_new_fence", .bool(analysis.newFenceLines.contains { $0.distance(to: d.center) <= 10 }))]
            }
            report.newBuildings = try items(counts.newBuildings, prefix: "NB") { d in
                [("in_eastern_part", .bool(d.center.x > oldCentroid.x)), ("outside_old_compound", .bool(!before.contains(d.center)))]
            }
            report.removedGuardPosts = try items(counts.removedGuardPosts, prefix: "RP") { _ in [] }
            report.removedBuildings = try items(counts.removedBuildings, prefix: "RB") { _ in [] }
            report.outsideCompound = try items(counts.newOutside, prefix: "OX") { _ in [("inside_compound", .bool(false))] }
            func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
            report.summary = [
                "\(count(counts.newGuardPosts.count, "new guard post")), \(counts.newGuardPostsOnNewFence) on the new fence line.",
                counts.eastSummary,
                "\(count(counts.removedGuardPosts.count, "guard post")) and \(count(counts.removedBuildings.count, "building")) removed.",
                "\(count(counts.newOutside.count, "new structure")) outside the compound (not counted).",
            ]
            analysis.structures = report
            analysis.newPosts = counts.newGuardPosts
            analysis.newBuildings = counts.newBuildings
            measurements.newGuardPostsOnNewFence = counts.newGuardPostsOnNewFence
            measurements.newBuildings = counts.newBuildings.count
            measurements.newBuildingsEast = counts.newBuildingsEastOfOldCentroid
            analysis.summary.append("structures: \(counts.newGuardPosts.count) new posts (\(counts.newGuardPostsOnNewFence) on the new fence), \(counts.newBuildings.count) new buildings")
        }

        // MARK: Claims
        let claims: [Claim]
        if let path = job.claimsPath {
            guard let data = FileManager.default.contents(atPath: path) else { throw RasterIOError(.io, path: path, "cannot read claims file") }
            do {
                claims = try JSONDecoder().decode([Claim].self, from: data)
            } catch {
                throw RasterIOError(.malformed, path: path, "not a claims file (a JSON list of claims; see docs/claims.md)",
                                    cause: "\(error)")
            }
        } else {
            // The built-in claims are this site's: used only within 5 km of Kwan-li-so No. 25.
            let camp = GeoPoint(longitude: 129.725280, latitude: 41.834384)
            let nearCamp = job.site.map { abs($0.latitude - camp.latitude) < 0.045 && abs($0.longitude - camp.longitude) < 0.06 } ?? false
            claims = nearCamp ? Claims.camp25 : []
        }
        analysis.claims = Claims.evaluate(claims, measured: measurements).map { v in
            SiteReport.ClaimRow(id: v.id, text: claims.first { $0.id == v.id }?.text ?? v.id, documented: v.documented,
                                measured: v.measured, uncertainty: v.uncertainty,
                                verdict: v.verdict == .notConsistent ? "not consistent" : v.verdict.rawValue,
                                reason: v.reason, warning: v.unitWarning)
        }
        return analysis
    }

    /// Overlays for one date's picture: both perimeters, fence changes, new posts and buildings.
    func overlays(date: String, toPixel: (MapPoint) -> PixelPoint) -> [Picture.Overlay] {
        var out: [Picture.Overlay] = []
        if let p = perimeters["before"] { out.append(.init(shape: .polygon(p.ring.map(toPixel)), style: "perimeter-before", label: date == "before" ? "perimeter" : nil)) }
        if let p = perimeters["after"], date == "after" { out.append(.init(shape: .polygon(p.ring.map(toPixel)), style: "perimeter-after", label: "perimeter")) }
        if date == "after" {
            for (i, line) in newFenceLines.enumerated() {
                out.append(.init(shape: .polyline(line.points.map(toPixel)), style: "fence-new", label: "new fence \(i + 1)"))
            }
            for line in removedFenceLines { out.append(.init(shape: .polyline(line.points.map(toPixel)), style: "fence-removed", label: nil)) }
            for (i, b) in newBuildings.enumerated() {
                out.append(.init(shape: .polygon(b.footprint.ring.map(toPixel)), style: "building-new", label: "B\(i + 1)"))
            }
            for (i, p) in newPosts.enumerated() { out.append(.init(shape: .marker(toPixel(p.center)), style: "post-new", label: "P\(i + 1)")) }
        }
        return out
    }
}

import GeoRaster

extension StructureAnalysis {
    /// Match across dates with tolerance for misregistration (`afterShiftMeters`: how far the after
    /// image's content is displaced, east and north) and lean.
    ///
    /// Hysteresis across dates: a clear (strong) structure of one date is unchanged when the other
    /// date shows a structure of either strength within reach; weak candidates alone count for
    /// nothing. So a building one date shows faintly (a high sun leaves it almost no shadow, a roof
    /// the colour of the ground) is neither new nor removed; a faint candidate a quarter of the
    /// clear one's size or less is something else.
    ///
    /// Greedy on distance, pairs of two strong structures first, then closest pairs first. Two
    /// structures match when their centres (after the shift is removed) are within `toleranceMeters`
    /// plus, for buildings, a quarter of their mean diagonal: a tall building's roof centre moves
    /// with the view angle by up to half its lean at each date. Kinds must agree first; then an
    /// unmatched post and an unmatched building that stand together are matched too, since a small
    /// building and a post can swap classes between dates and neither is new.
    public static func match(before: [StructureCandidate], after: [StructureCandidate], afterShiftMeters: MapPoint,
                             toleranceMeters: Double) -> StructureChange {
        func reach(_ a: DetectedStructure, _ b: DetectedStructure) -> Double {
            func diagonal(_ s: DetectedStructure) -> Double {
                guard s.kind == .building, !s.footprint.ring.isEmpty else { return 0 }
                let r = s.footprint.bounds
                return (r.width * r.width + r.height * r.height).squareRoot()
            }
            return toleranceMeters + 0.25 * (diagonal(a) + diagonal(b)) / 2
        }
        var pairs: [(rank: Int, distance: Double, i: Int, j: Int)] = []
        for (i, b) in before.enumerated() {
            for (j, a) in after.enumerated() where b.isStrong || a.isStrong {
                // A faint candidate confirms a clear one only if it could be the same object seen
                // faintly: at least a quarter of its size (field texture where a new building now
                // stands makes small faint candidates).
                if !(b.isStrong && a.isStrong) {
                    let areas = [b.structure.areaSquareMeters, a.structure.areaSquareMeters]
                    if areas.min()! < 0.25 * areas.max()! { continue }
                }
                let moved = MapPoint(x: a.structure.center.x - afterShiftMeters.x, y: a.structure.center.y - afterShiftMeters.y)
                let d = distance(b.structure.center, moved)
                if d <= reach(b.structure, a.structure) { pairs.append((b.isStrong && a.isStrong ? 0 : 1, d, i, j)) }
            }
        }
        pairs.sort { ($0.rank, $0.distance, $0.i, $0.j) < ($1.rank, $1.distance, $1.i, $1.j) }
        var usedBefore = Set<Int>(), usedAfter = Set<Int>()
        var unchanged: [StructurePair] = []
        for sameKindOnly in [true, false] {
            for pair in pairs where !usedBefore.contains(pair.i) && !usedAfter.contains(pair.j) {
                let b = before[pair.i].structure, a = after[pair.j].structure
                if sameKindOnly && b.kind != a.kind { continue }
                usedBefore.insert(pair.i); usedAfter.insert(pair.j)
                unchanged.append(StructurePair(before: b, after: a, distanceMeters: pair.distance))
            }
        }
        return StructureChange(new: after.indices.filter { !usedAfter.contains($0) && after[$0].isStrong }.map { after[$0].structure },
                               removed: before.indices.filter { !usedBefore.contains($0) && before[$0].isStrong }.map { before[$0].structure },
                               unchanged: unchanged)
    }

    /// The structure change of a site: buildings and guard posts each matched with hysteresis, in
    /// the before date's map coordinates (`afterShiftMeters`: the after content's displacement).
    /// `postParameters`: those the posts were found with. A post with its long shadow can pass for
    /// a small building: a building candidate where a post candidate stands (at either date) is
    /// that post, and is left to the posts' matching.
    public static func change(buildingsBefore: [StructureCandidate], buildingsAfter: [StructureCandidate],
                              postsBefore: [StructureCandidate], postsAfter: [StructureCandidate],
                              afterShiftMeters shift: MapPoint, pixelSizeMeters: Double,
                              postParameters: GuardPostParameters = GuardPostParameters()) -> StructureChange {
        let postPlaces = postsBefore.map(\.structure.center)
            + postsAfter.map { MapPoint(x: $0.structure.center.x - shift.x, y: $0.structure.center.y - shift.y) }
        func notAPost(_ c: StructureCandidate, shift: MapPoint) -> Bool {
            let p = MapPoint(x: c.structure.center.x - shift.x, y: c.structure.center.y - shift.y)
            return !postPlaces.contains { distance($0, p) < 10 }
        }
        // Buildings: roof centres move with the lean (the diagonal term of `match`). Posts stand 60 m
        // or more apart, and each is placed within its object, whose parts (roof, walls, a shadow
        // moving with the sun) lie up to `groupMeters` apart: one post can be placed that far apart
        // at two dates (measured: 10-13 m where a shadow's rim or a bend in the fence joined it).
        return match(before: buildingsBefore.filter { notAPost($0, shift: MapPoint(x: 0, y: 0)) },
                     after: buildingsAfter.filter { notAPost($0, shift: shift) },
                     afterShiftMeters: shift, toleranceMeters: max(6, 4 * pixelSizeMeters))
            + match(before: postsBefore, after: postsAfter, afterShiftMeters: shift,
                    toleranceMeters: max(postParameters.groupMeters, 4 * pixelSizeMeters))
    }

    /// Whether `source` has data all around `point` (a square `radiusMeters` out, in its own map
    /// coordinates; a stray nodata-valued pixel in fifty is allowed): a structure one date shows
    /// where either date has no data nearby (cloud, cloud shadow, nodata, outside the image) is
    /// neither new nor removed, but unknown.
    public static func hasData(_ source: PixelSource, around point: MapPoint, radiusMeters: Double = 3) throws -> Bool {
        guard let t = source.georeferencing?.transform, let p = t.pixel(point) else { return false }
        let gsd = max(1e-9, (t.pixelWidth * t.pixelWidth + t.columnRotation * t.columnRotation).squareRoot())
        let r = max(1, Int((radiusMeters / gsd).rounded()))
        guard let window = PixelWindow(x: Int(p.x) - r, y: Int(p.y) - r, width: 2 * r + 1, height: 2 * r + 1)
            .intersection(source.layout.window), window.pixelCount > 0 else { return false }
        let layout = source.layout
        var bytes = [UInt8](repeating: 0, count: window.pixelCount * layout.bandCount * layout.pixelType.bytesPerSample)
        try bytes.withUnsafeMutableBytes { try source.read(window: window, into: $0) }
        guard let nodata = source.nodata else { return true }
        var values = [Float](repeating: 0, count: window.pixelCount * layout.bandCount)
        PerimeterExtractor.convert(bytes, type: layout.pixelType, count: values.count, into: &values)
        var withData = 0
        for i in 0..<window.pixelCount where (0..<layout.bandCount).contains(where: { values[$0 * window.pixelCount + i] != Float(nodata) }) {
            withData += 1
        }
        return withData * 50 >= window.pixelCount * 49 && window.pixelCount == (2 * r + 1) * (2 * r + 1)
    }

    /// Matching of clear detections only.
    public static func match(before: [DetectedStructure], after: [DetectedStructure], afterShiftMeters: MapPoint,
                             toleranceMeters: Double) -> StructureChange {
        match(before: before.map { StructureCandidate(structure: $0, isStrong: true) },
              after: after.map { StructureCandidate(structure: $0, isStrong: true) },
              afterShiftMeters: afterShiftMeters, toleranceMeters: toleranceMeters)
    }

    /// Counts what changed at a site: the documented quantities (new posts on the new fence line, new
    /// buildings and where they stand) and what stands outside the compound, which is listed apart
    /// and never counted.
    public static func count(_ change: StructureChange, compoundBefore: MapPolygon, compoundAfter: MapPolygon,
                             newFences: [MapPolyline], fenceToleranceMeters: Double = 10,
                             postMarginMeters: Double = 8) -> StructureCounts {
        // Posts stand just inside the fence; a post's estimated centre may fall a few metres out.
        func insideForPost(_ s: DetectedStructure, _ polygon: MapPolygon) -> Bool {
            polygon.contains(s.center) || polygon.distanceToBoundary(s.center) <= postMarginMeters
        }
        func inside(_ s: DetectedStructure, _ polygon: MapPolygon) -> Bool {
            s.kind == .guardPost ? insideForPost(s, polygon) : polygon.contains(s.center)
        }
        let newInside = change.new.filter { inside($0, compoundAfter) }
        let removedInside = change.removed.filter { inside($0, compoundBefore) }
        let newPosts = newInside.filter { $0.kind == .guardPost }
        let newBuildings = newInside.filter { $0.kind == .building }
        let oldCentroid = compoundBefore.centroid
        return StructureCounts(
            newGuardPosts: newPosts,
            newGuardPostsOnNewFence: newPosts.filter { p in newFences.contains { $0.distance(to: p.center) <= fenceToleranceMeters } }.count,
            newBuildings: newBuildings,
            newBuildingsEastOfOldCentroid: newBuildings.filter { $0.center.x > oldCentroid.x }.count,
            newBuildingsOutsideOldCompound: newBuildings.filter { !compoundBefore.contains($0.center) }.count,
            removedGuardPosts: removedInside.filter { $0.kind == .guardPost },
            removedBuildings: removedInside.filter { $0.kind == .building },
            newOutside: change.new.filter { !inside($0, compoundAfter) },
            removedOutside: change.removed.filter { !inside($0, compoundBefore) })
    }
}

/// The site's structure counts. Only structures inside the compound count; the rest is listed apart.
public struct StructureCounts: Sendable {
    public var newGuardPosts: [DetectedStructure]
    /// New posts within the fence tolerance of a new fence line.
    public var newGuardPostsOnNewFence: Int
    /// New buildings inside the after compound.
    public var newBuildings: [DetectedStructure]
    /// New buildings east of the old compound's centroid ("in the eastern part of the new perimeter").
    public var newBuildingsEastOfOldCentroid: Int
    /// New buildings in the expansion (outside the old compound).
    public var newBuildingsOutsideOldCompound: Int
    public var removedGuardPosts: [DetectedStructure]
    public var removedBuildings: [DetectedStructure]
    /// New and removed structures outside the compound: reported, never counted as the site's.
    public var newOutside: [DetectedStructure]
    public var removedOutside: [DetectedStructure]

    /// "7 of 8 new buildings are in the eastern part of the new perimeter".
    public var eastSummary: String {
        "\(newBuildingsEastOfOldCentroid) of \(newBuildings.count) new buildings are in the eastern part of the new perimeter"
    }
}

extension StructureAnalysis {
    /// The after date's displacement, metres east and north, from the structures themselves: the
    /// median offset of pairs matched without a shift, for callers without an image co-registration.
    /// Lean moves roofs too, so this is coarse (a metre or two); nil-shift when fewer than 3 pairs.
    public static func estimateShift(before: [DetectedStructure], after: [DetectedStructure], toleranceMeters: Double) -> MapPoint {
        let first = match(before: before, after: after, afterShiftMeters: MapPoint(x: 0, y: 0), toleranceMeters: toleranceMeters)
        let pairs = first.unchanged.filter { $0.before.kind == $0.after.kind && $0.before.kind == .building }
        guard pairs.count >= 3 else { return MapPoint(x: 0, y: 0) }
        let dx = pairs.map { $0.after.center.x - $0.before.center.x }.sorted()
        let dy = pairs.map { $0.after.center.y - $0.before.center.y }.sorted()
        return MapPoint(x: dx[dx.count / 2], y: dy[dy.count / 2])
    }
}

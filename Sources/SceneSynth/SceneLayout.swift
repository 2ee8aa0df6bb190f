import GeoRaster
import RealModule

/// Everything in a scene, in map coordinates: the truth plus what only the renderer needs
/// (terrain, river, roads, fields). Built deterministically from the options.
public struct Scene: Sendable {
    public var truth: SceneTruth
    var extent: MapRect
    var terrainSeed: UInt32
    var river: MapPolyline
    var stream: MapPolyline
    var roads: [MapPolyline]
    /// Fence lines standing at each date, and the stretches only the other date has (scars).
    var fencesBefore: [MapPolyline]
    var fencesAfter: [MapPolyline]
    var demolishedFences: [MapPolyline]
}

extension Scene {
    public init(options: SceneOptions) {
        precondition(options.problem == nil, "invalid scene options: \(options.problem!)")
        var random = SeededRandom(seed: options.seed)
        var shapeRandom = random.fork(1)
        var postRandom = random.fork(2)
        var buildingRandom = random.fork(3)
        var outsideRandom = random.fork(4)
        var conditionRandom = random.fork(5)
        var cloudRandom = random.fork(6)

        // MARK: Compound outlines
        let outline = CompoundOutline.make(options: options, random: &shapeRandom)
        let before = outline.before, after = outline.after

        // MARK: Guard posts: along the fence every ~120-160 m and at the corners, 2 m inside.
        // `inward` is the offset from the fence point to the post's centre: along one side's inward
        // normal, or at a corner along both sides' (so a corner post stands inside the corner, not on
        // the neighbouring side's fence or outside it).
        func post(_ id: String, at p: MapPoint, inward: (Double) -> MapPoint, along: MapPoint, random: inout SeededRandom) -> Structure {
            let size = random.uniform(3.6, 4.4)
            let offset = inward(2 + size / 2)
            let centre = MapPoint(x: p.x + offset.x, y: p.y + offset.y)
            let grey = random.uniform(0.30, 0.45)
            return Structure(id: id, kind: .guardPost, center: centre, width: size, length: size,
                             rotationDegrees: Double.atan2(y: along.y, x: along.x) * 180 / .pi,
                             heightMeters: random.uniform(5.5, 7.5),
                             roof: [grey * 0.95, grey, grey * 0.9, grey * 1.1])
        }
        func inwardNormal(_ polygon: MapPolygon, _ p: MapPoint, _ along: MapPoint) -> (Double) -> MapPoint {
            // Inward is left of each side of a counter-clockwise ring.
            let sides = polygon.counterClockwise.edges.filter { segmentDistance(p, $0.0, $0.1) < 0.5 && distance($0.0, $0.1) > 0 }
            let normals = sides.map { side -> MapPoint in
                let l = distance(side.0, side.1)
                return MapPoint(x: -(side.1.y - side.0.y) / l, y: (side.1.x - side.0.x) / l)
            }
            var sum = normals.reduce(MapPoint(x: 0, y: 0)) { MapPoint(x: $0.x + $1.x, y: $0.y + $1.y) }
            if normals.isEmpty {
                let left = MapPoint(x: -along.y, y: along.x)
                sum = polygon.contains(MapPoint(x: p.x + left.x * 3, y: p.y + left.y * 3)) ? left : MapPoint(x: -left.x, y: -left.y)
            }
            return { depth in MapPoint(x: sum.x * depth, y: sum.y * depth) }
        }
        var postsBefore: [Structure] = []
        for (index, chain) in [outline.sharedChain, outline.oldEastChain].enumerated() {
            let length = chain.length
            let count = max(1, Int((length / random.uniform(120, 160)).rounded()))
            for k in 0...count {
                // Skip the seam points of the old east chain: the shared chain already has them.
                if index == 1 && (k == 0 || k == count) { continue }
                let d = length * Double(k) / Double(count)
                let along = chain.direction(atDistance: d)
                let p = chain.point(atDistance: d)
                postsBefore.append(post("P\(postsBefore.count + 1)", at: p, inward: inwardNormal(before, p, along), along: along,
                                        random: &postRandom))
            }
        }
        // Posts on the demolished stretch disappear with it.
        let removedPosts = options.scenario == .camp25
            ? postsBefore.filter { outline.oldEastChain.distance(to: $0.center) < 8 && outline.sharedChain.distance(to: $0.center) > 8 }
            : []
        var newPosts: [Structure] = []
        if options.newGuardPosts > 0 {
            let chain = outline.newEastChain
            let length = chain.length
            for k in 0..<options.newGuardPosts {
                let d = length * (Double(k) + 0.5 + postRandom.uniform(-0.15, 0.15)) / Double(options.newGuardPosts)
                let along = chain.direction(atDistance: d)
                let p = chain.point(atDistance: d)
                newPosts.append(post("N\(k + 1)", at: p, inward: inwardNormal(after, p, along), along: along, random: &postRandom))
            }
        }
        let removedPostIDs = Set(removedPosts.map(\.id))
        let postsAfter = postsBefore.filter { !removedPostIDs.contains($0.id) } + newPosts

        // MARK: Buildings: the inner walled complex with rows of barracks, scattered buildings.
        let layout = BuildingLayout.make(options: options, outline: outline, random: &buildingRandom)

        // MARK: Outside: river, stream, roads, villages, distractors.
        let half = options.sceneSizeMeters / 2
        let extent = MapRect(minX: options.siteMap.x - half, minY: options.siteMap.y - half,
                             maxX: options.siteMap.x + half, maxY: options.siteMap.y + half)
        let outside = Surroundings.make(options: options, extent: extent, after: after, before: before,
                                        random: &outsideRandom)

        // MARK: Dates
        var conditions = [
            "before": DateConditions.draw(season: .summer, random: &conditionRandom, reference: true),
            "after": DateConditions.draw(season: [.spring, .autumn, .winter][conditionRandom.integer(0...2)],
                                         random: &conditionRandom, reference: false),
        ]
        if options.sampleFormat == .rgb8 { for key in conditions.keys { conditions[key]!.gains.removeLast(); conditions[key]!.offsets.removeLast() } }
        let shift: [Double]
        if let given = options.misregistrationMeters {
            shift = given
        } else {
            let pixels = conditionRandom.uniform(1.0, 3.0), angle = conditionRandom.uniform(0, 2 * .pi)
            shift = [pixels * options.gsdAfterMeters * Double.cos(angle), pixels * options.gsdAfterMeters * Double.sin(angle)]
        }
        let grids = Self.grids(options: options, extent: extent)
        let clouds = [
            "before": Clouds.draw(cover: options.cloudCoverBefore, extent: extent, random: &cloudRandom),
            "after": Clouds.draw(cover: options.cloudCoverAfter, extent: extent, random: &cloudRandom),
        ]
        // Each cloud's shadow on the ground: the cloud moved away from the sun.
        let shadows = Dictionary(uniqueKeysWithValues: clouds.map { date, dateClouds in
            let offset = conditions[date]!.cloudShadowOffset
            let move = { (p: MapPoint) in MapPoint(x: p.x + offset.x, y: p.y + offset.y) }
            return (date, dateClouds.map { SceneTruth.Cloud(center: move($0.center), radiiMeters: $0.radiiMeters, outline: $0.outline.map(move)) })
        })
        func occluded(_ polygon: MapPolygon, _ clouds: [SceneTruth.Cloud]) -> Double {
            let line = polygon.boundary
            let length = line.length
            var hidden = 0.0
            let step = 1.0
            var d = step / 2
            while d < length {
                if Clouds.isOccluded(line.point(atDistance: d), clouds) { hidden += step }
                d += step
            }
            return min(hidden, length)
        }

        let newFences = outline.newFences.map { SceneTruth.Fence(line: $0, lengthMeters: $0.length) }
        let removedFences = outline.removedFences.map { SceneTruth.Fence(line: $0, lengthMeters: $0.length) }
        let truth = SceneTruth(
            options: options, crs: "EPSG:\(options.epsg)", epsg: options.epsg, grids: grids,
            site: options.site, siteMap: options.siteMap,
            compoundBefore: .init(polygon: before, areaSquareMeters: before.area),
            compoundAfter: .init(polygon: after, areaSquareMeters: after.area),
            growthPercent: (after.area / before.area - 1) * 100,
            newFences: newFences, removedFences: removedFences,
            newFenceLengthMeters: newFences.reduce(0) { $0 + $1.lengthMeters },
            removedFenceLengthMeters: removedFences.reduce(0) { $0 + $1.lengthMeters },
            guardPostsBefore: postsBefore, guardPostsAfter: postsAfter,
            newGuardPostIDs: newPosts.map(\.id), removedGuardPostIDs: removedPosts.map(\.id),
            newGuardPostsOnNewFence: newPosts.filter { p in outline.newFences.contains { $0.distance(to: p.center) < 10 } }.count,
            buildingsBefore: layout.before, buildingsAfter: layout.after,
            newBuildingIDs: layout.newIDs, removedBuildingIDs: layout.removedIDs, reroofedBuildingIDs: layout.reroofedIDs,
            housesBefore: outside.housesBefore, housesAfter: outside.housesAfter, distractorIDs: outside.distractorIDs,
            conditions: conditions,
            misregistration: .init(eastMeters: shift[0], northMeters: shift[1],
                                   xPixels: shift[0] / options.gsdAfterMeters, yPixels: -shift[1] / options.gsdAfterMeters),
            clouds: clouds,
            cloudShadows: shadows.mapValues { $0.map(\.outline) },
            occludedPerimeterMeters: ["before": occluded(before, clouds["before"]! + shadows["before"]!),
                                      "after": occluded(after, clouds["after"]! + shadows["after"]!)],
            innerWall: layout.innerWall)
        self.init(truth: truth, extent: extent, terrainSeed: UInt32(truncatingIfNeeded: random.next()),
                  river: outside.river, stream: outside.stream, roads: outside.roads,
                  fencesBefore: [before.boundary, layout.innerWall.boundary],
                  fencesAfter: [after.boundary, layout.innerWall.boundary],
                  demolishedFences: outline.removedFences)
    }

    /// Each date's pixel grid over the scene: the after date may have another GSD and origin.
    static func grids(options: SceneOptions, extent: MapRect) -> [String: SceneTruth.Grid] {
        func grid(_ gsd: Double, _ offset: [Double]) -> SceneTruth.Grid {
            let size = Int((extent.width / gsd).rounded(.down))
            let x0 = (extent.minX / gsd).rounded(.down) * gsd + offset[0] * gsd
            let y0 = (extent.maxY / gsd).rounded(.up) * gsd - offset[1] * gsd
            return .init(geotransform: [x0, gsd, 0, y0, 0, -gsd], width: size, height: size, gsdMeters: gsd)
        }
        return ["before": grid(options.gsdBeforeMeters, [0, 0]), "after": grid(options.gsdAfterMeters, options.afterGridOffsetPixels)]
    }
}

extension DateConditions {
    static func draw(season: Season, random: inout SeededRandom, reference: Bool) -> DateConditions {
        func jitter(_ spread: Double) -> Double { reference ? 1 : random.uniform(1 - spread, 1 + spread) }
        return DateConditions(
            season: season,
            sunAzimuthDegrees: random.uniform(120, 220), sunElevationDegrees: random.uniform(season == .winter ? 22 : 35, season == .winter ? 32 : 65),
            viewAzimuthDegrees: random.uniform(0, 360), viewOffNadirDegrees: random.uniform(3, 22),
            gains: (0..<4).map { _ in jitter(0.12) },
            offsets: (0..<4).map { _ in reference ? 0 : random.uniform(-0.03, 0.05) },
            noise: random.uniform(0.008, 0.018), blurPixels: random.uniform(0.3, 0.8), haze: random.uniform(0, reference ? 0.05 : 0.15))
    }
}

/// Cloud blobs: ellipses with a soft, textured edge. Truth records their outlines.
enum Clouds {
    static func draw(cover: Double, extent: MapRect, random: inout SeededRandom) -> [SceneTruth.Cloud] {
        guard cover > 0 else { return [] }
        var clouds: [SceneTruth.Cloud] = []
        var covered = 0.0
        let target = cover * extent.width * extent.height
        while covered < target {
            let r = [random.uniform(80, 260), random.uniform(60, 200)]
            let c = MapPoint(x: random.uniform(extent.minX, extent.maxX), y: random.uniform(extent.minY, extent.maxY))
            let outline = MapPolygon((0..<36).map { k in
                let a = Double(k) / 36 * 2 * .pi
                return MapPoint(x: c.x + r[0] * Double.cos(a), y: c.y + r[1] * Double.sin(a))
            })
            clouds.append(.init(center: c, radiiMeters: r, outline: outline))
            covered += .pi * r[0] * r[1]
        }
        return clouds
    }

    /// Where the cloud is dense enough to hide the ground (inside 90 % of the ellipse radius).
    static func isOccluded(_ p: MapPoint, _ clouds: [SceneTruth.Cloud]) -> Bool {
        clouds.contains { density($0, p) > 0.5 }
    }

    /// 1 well inside the ellipse, falling to 0 at its rim.
    @inline(__always)
    static func density(_ cloud: SceneTruth.Cloud, _ p: MapPoint) -> Double {
        let dx = (p.x - cloud.center.x) / cloud.radiiMeters[0], dy = (p.y - cloud.center.y) / cloud.radiiMeters[1]
        let r = (dx * dx + dy * dy).squareRoot()
        return min(1, max(0, (1 - r) / 0.2))
    }
}

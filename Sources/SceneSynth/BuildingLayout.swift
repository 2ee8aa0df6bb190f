import GeoRaster
import RealModule

/// Roof colours as reflectance (R, G, B, NIR): corrugated iron, painted blue and green, red tile,
/// rust, concrete. Several colours, as the imagery shows.
let roofPalette: [[Double]] = [
    [0.42, 0.44, 0.46, 0.40], [0.22, 0.33, 0.52, 0.30], [0.25, 0.40, 0.28, 0.35], [0.55, 0.25, 0.20, 0.35],
    [0.48, 0.32, 0.22, 0.38], [0.62, 0.62, 0.60, 0.55], [0.33, 0.30, 0.30, 0.30],
]

/// Places structures so that none overlaps another or a fence.
struct Placer {
    var placed: [Structure] = []

    /// Whether a footprint keeps `gap` metres from every placed structure (circumscribed circles).
    func isClear(_ s: Structure, gap: Double) -> Bool {
        let r = 0.5 * (s.width * s.width + s.length * s.length).squareRoot()
        return placed.allSatisfy { o in
            let ro = 0.5 * (o.width * o.width + o.length * o.length).squareRoot()
            return distance(o.center, s.center) >= r + ro + gap
        }
    }
}

extension MapPolygon {
    /// Whether a footprint lies inside with every corner at least `margin` from the boundary.
    func holds(_ footprint: MapPolygon, margin: Double) -> Bool {
        footprint.ring.allSatisfy { contains($0) && distanceToBoundary($0) >= margin } && contains(footprint.centroid)
    }
}

struct BuildingLayout {
    var before: [Structure]
    var after: [Structure]
    var newIDs: [String]
    var removedIDs: [String]
    var reroofedIDs: [String]
    var innerWall: MapPolygon

    static func make(options: SceneOptions, outline: CompoundOutline, random: inout SeededRandom) -> BuildingLayout {
        let before = outline.before, after = outline.after
        let angle = outline.angleDegrees * .pi / 180
        let (c, s) = (Double.cos(angle), Double.sin(angle))
        func local(_ x: Double, _ y: Double, around o: MapPoint) -> MapPoint { p(o.x + x * c - y * s, o.y + x * s + y * c) }

        // The original walled complex (about 500 m square in the literature): the largest square
        // of about 30 % of the old area that fits inside with a margin, near the site.
        var side = (0.3 * options.areaBeforeSquareMeters).squareRoot()
        var centre = options.siteMap
        var inner = MapPolygon([])
        search: for _ in 0..<40 {
            for candidate in [options.siteMap, before.centroid,
                              p(0.5 * (options.siteMap.x + before.centroid.x), 0.5 * (options.siteMap.y + before.centroid.y))] {
                let square = MapPolygon([local(-side / 2, -side / 2, around: candidate), local(side / 2, -side / 2, around: candidate),
                                         local(side / 2, side / 2, around: candidate), local(-side / 2, side / 2, around: candidate)])
                if before.holds(square, margin: 40) { inner = square; centre = candidate; break search }
            }
            side *= 0.92
        }
        precondition(!inner.ring.isEmpty, "no room for the inner complex")

        var placer = Placer()
        var id = 0
        func building(_ centre: MapPoint, _ width: Double, _ length: Double, rotation: Double, height: Double) -> Structure {
            id += 1
            return Structure(id: "B\(id)", kind: .building, center: centre, width: width, length: length,
                             rotationDegrees: rotation, heightMeters: height,
                             roof: roofPalette[random.integer(0...(roofPalette.count - 1))])
        }
        // Rows of barracks inside the inner complex.
        var barracks: [Structure] = []
        let usable = side - 60
        var y = -usable / 2
        while y <= usable / 2 {
            var x = -usable / 2
            while x < usable / 2 {
                let length = random.uniform(30, 55), width = random.uniform(9, 14)
                if x + length > usable / 2 { break }
                let b = building(local(x + length / 2, y, around: centre), length, width, rotation: outline.angleDegrees,
                                 height: random.uniform(4, 8))
                if random.uniform(0, 1) < 0.85 && placer.isClear(b, gap: 6) { barracks.append(b); placer.placed.append(b) }
                x += length + random.uniform(12, 25)
            }
            y += random.uniform(38, 52)
        }
        // Support buildings in the rest of the old compound.
        var scattered: [Structure] = []
        var attempts = 0
        while scattered.count < 6 && attempts < 2000 {
            attempts += 1
            let bounds = before.bounds
            let b = building(p(random.uniform(bounds.minX, bounds.maxX), random.uniform(bounds.minY, bounds.maxY)),
                             random.uniform(14, 40), random.uniform(8, 16),
                             rotation: outline.angleDegrees + random.uniform(-4, 4), height: random.uniform(3.5, 7))
            guard before.holds(b.footprint, margin: 28), !inner.holds(b.footprint, margin: -25),
                  b.footprint.ring.allSatisfy({ inner.distanceToBoundary($0) > 20 && !inner.contains($0) }),
                  placer.isClear(b, gap: 12) else { id -= 1; continue }
            scattered.append(b)
            placer.placed.append(b)
        }
        // New buildings in the expansion: inside the new compound, outside the old one, clear of
        // every fence (including the scar of the demolished one).
        let wanted = options.newBuildings ?? random.integer(6...10)
        var added: [Structure] = []
        attempts = 0
        while added.count < wanted && attempts < 20_000 {
            attempts += 1
            let bounds = after.bounds
            let b = building(p(random.uniform(bounds.minX, bounds.maxX), random.uniform(bounds.minY, bounds.maxY)),
                             random.uniform(15, 45), random.uniform(8, 18),
                             rotation: outline.angleDegrees + random.uniform(-6, 6), height: random.uniform(4, 9))
            guard after.holds(b.footprint, margin: 25),
                  b.footprint.ring.allSatisfy({ !before.contains($0) && outline.oldEastChain.distance(to: $0) > 25 }),
                  placer.isClear(b, gap: 14) else { id -= 1; continue }
            added.append(b)
            placer.placed.append(b)
        }
        precondition(added.count == wanted, "could not place \(wanted) new buildings")

        let removed = Array(scattered.prefix(options.removedBuildings))
        let removedIDs = Set(removed.map(\.id))
        // Re-roofing: a different colour on the same footprint must not count as a new building.
        var reroofed: [String] = []
        var afterBuildings = (barracks + scattered).filter { !removedIDs.contains($0.id) }
        for index in afterBuildings.indices where afterBuildings[index].id.hasPrefix("B") && reroofed.count < 2 && index % 5 == 2 {
            let old = afterBuildings[index].roof
            afterBuildings[index].roof = roofPalette.first { $0 != old && abs($0[0] - old[0]) > 0.1 } ?? roofPalette[0]
            reroofed.append(afterBuildings[index].id)
        }
        return BuildingLayout(before: barracks + scattered, after: afterBuildings + added, newIDs: added.map(\.id),
                              removedIDs: removed.map(\.id), reroofedIDs: reroofed, innerWall: inner)
    }
}

/// What surrounds the compound: a river and a stream, roads, villages of small houses, and the
/// distractors (new houses and a greenhouse) that appear outside the compound at the after date.
struct Surroundings {
    var river: MapPolyline
    var stream: MapPolyline
    var roads: [MapPolyline]
    var housesBefore: [Structure]
    var housesAfter: [Structure]
    var distractorIDs: [String]

    static func make(options: SceneOptions, extent: MapRect, after: MapPolygon, before: MapPolygon,
                     random: inout SeededRandom) -> Surroundings {
        let bounds = after.bounds
        func meander(from a: MapPoint, to b: MapPoint, amplitude: Double, wavelength: Double) -> MapPolyline {
            let length = distance(a, b)
            let n = max(2, Int(length / 40))
            let (ux, uy) = ((b.x - a.x) / length, (b.y - a.y) / length)
            let phase = random.uniform(0, 2 * .pi)
            return MapPolyline((0...n).map { k in
                let t = Double(k) / Double(n)
                let off = amplitude * Double.sin(phase + 2 * .pi * t * length / wavelength)
                return p(a.x + (b.x - a.x) * t - uy * off, a.y + (b.y - a.y) * t + ux * off)
            })
        }
        // The river runs north-south east of the compound; the stream west-east north of it.
        let riverX = max(bounds.maxX + 90, extent.maxX - 70)
        let river = meander(from: p(riverX, extent.maxY + 50), to: p(riverX - 30, extent.minY - 50), amplitude: 25, wavelength: 700)
        let streamY = min(bounds.maxY + 70, extent.maxY - 30)
        let stream = meander(from: p(extent.minX - 50, streamY), to: p(riverX, streamY + 10), amplitude: 15, wavelength: 400)
        // Roads: one along the south, one from the compound's southernmost point down to it, one
        // up the river's west bank.
        let southY = max(bounds.minY - 120, extent.minY + 60)
        let gate = before.ring.min { $0.y < $1.y }!
        let roads = [
            meander(from: p(extent.minX - 50, southY), to: p(riverX - 40, southY - 15), amplitude: 10, wavelength: 500),
            MapPolyline([gate, p(gate.x + 5, (gate.y + southY) / 2), p(gate.x - 10, southY)]),
            meander(from: p(riverX - 45, southY - 15), to: p(riverX - 45, streamY), amplitude: 6, wavelength: 300),
        ]
        func clearOfFeatures(_ q: MapPoint, margin: Double) -> Bool {
            river.distance(to: q) > 25 + margin && stream.distance(to: q) > 8 + margin
                && roads.allSatisfy { $0.distance(to: q) > 6 + margin } && !after.contains(q) && after.distanceToBoundary(q) > 50 + margin
                && q.x > extent.minX + 10 && q.x < extent.maxX - 10 && q.y > extent.minY + 10 && q.y < extent.maxY - 10
        }
        // Villages by the roads, outside the compound.
        var houses: [Structure] = []
        var placer = Placer()
        let villageCentres = [p(extent.minX + 0.18 * extent.width, southY - 70), p(bounds.minX - 90, (bounds.minY + bounds.maxY) / 2),
                              p(riverX - 140, southY + 60)]
        var houseID = 0
        func house(near centre: MapPoint, radius: Double, size: ClosedRange<Double>) -> Structure? {
            for _ in 0..<200 {
                let a = random.uniform(0, 2 * .pi), r = radius * random.uniform(0, 1).squareRoot()
                let q = p(centre.x + r * Double.cos(a), centre.y + r * Double.sin(a))
                let h = Structure(id: "H\(houseID + 1)", kind: .house, center: q, width: random.uniform(size.lowerBound, size.upperBound),
                                  length: random.uniform(5, 8), rotationDegrees: random.uniform(-10, 10) + (random.next() & 1 == 0 ? 0 : 90),
                                  heightMeters: random.uniform(3, 4.5), roof: roofPalette[random.integer(0...(roofPalette.count - 1))])
                if h.footprint.ring.allSatisfy({ clearOfFeatures($0, margin: 2) }) && placer.isClear(h, gap: 4) {
                    houseID += 1
                    return h
                }
            }
            return nil
        }
        for centre in villageCentres {
            for _ in 0..<random.integer(10...18) {
                if let h = house(near: centre, radius: 85, size: 6...10) { houses.append(h); placer.placed.append(h) }
            }
        }
        // Distractors: new houses in the villages and a long greenhouse, all outside the compound.
        var distractors: [Structure] = []
        for centre in villageCentres {
            for _ in 0..<2 {
                if let h = house(near: centre, radius: 110, size: 6...10) { distractors.append(h); placer.placed.append(h) }
            }
        }
        if var greenhouse = house(near: villageCentres[0], radius: 160, size: 30...40) {
            greenhouse.length = 10
            greenhouse.roof = [0.75, 0.78, 0.80, 0.70]
            if placer.isClear(greenhouse, gap: 6), greenhouse.footprint.ring.allSatisfy({ clearOfFeatures($0, margin: 2) }) {
                distractors.append(greenhouse)
            }
        }
        return Surroundings(river: river, stream: stream, roads: roads, housesBefore: houses, housesAfter: houses + distractors,
                            distractorIDs: distractors.map(\.id))
    }
}

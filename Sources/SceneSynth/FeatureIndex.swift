import GeoRaster
import RealModule

/// A convex shape with its bounding box, for fast point tests.
struct ConvexShape: Sendable {
    let polygon: MapPolygon
    let bounds: MapRect

    init(hullOf points: [MapPoint]) {
        polygon = MapPolygon(convexHull(points))
        // An empty shape has an inverted box, so it contains nothing and unions leave others as they are.
        bounds = points.isEmpty ? MapRect(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)
                                : MapRect(enclosing: points)
    }

    @inline(__always)
    func contains(_ q: MapPoint) -> Bool {
        q.x >= bounds.minX && q.x <= bounds.maxX && q.y >= bounds.minY && q.y <= bounds.maxY && polygon.contains(q)
    }
}

/// Andrew's monotone chain: the convex hull, counter-clockwise.
func convexHull(_ points: [MapPoint]) -> [MapPoint] {
    let sorted = points.sorted { $0.x < $1.x || ($0.x == $1.x && $0.y < $1.y) }
    guard sorted.count > 2 else { return sorted }
    func cross(_ o: MapPoint, _ a: MapPoint, _ b: MapPoint) -> Double { (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x) }
    var lower: [MapPoint] = [], upper: [MapPoint] = []
    for p in sorted {
        while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], p) <= 0 { lower.removeLast() }
        lower.append(p)
    }
    for p in sorted.reversed() {
        while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], p) <= 0 { upper.removeLast() }
        upper.append(p)
    }
    return Array(lower.dropLast() + upper.dropLast())
}

/// A structure as one date shows it: roof displaced by the view angle, walls between footprint and
/// roof, shadow cast away from the sun.
struct RenderedStructure: Sendable {
    let roof: ConvexShape
    let walls: ConvexShape
    let shadow: ConvexShape
    let legs: (MapPoint, MapPoint)?
    let scar: ConvexShape?
    let colour: (Float, Float, Float, Float)
    let roofCentre: MapPoint
    let axis: MapPoint
    let sunSide: Float

    init(_ s: Structure, conditions: DateConditions) {
        let footprint = s.footprint.ring
        let sunAz = conditions.sunAzimuthDegrees * .pi / 180
        let tanElevation = Double.tan(conditions.sunElevationDegrees * .pi / 180)
        let away = MapPoint(x: -Double.sin(sunAz), y: -Double.cos(sunAz))
        let viewAz = conditions.viewAzimuthDegrees * .pi / 180
        // Tall things lean away from the satellite, by height x tan(off-nadir angle).
        let leanPerMeter = Double.tan(conditions.viewOffNadirDegrees * .pi / 180)
        let leanDirection = MapPoint(x: -Double.sin(viewAz), y: -Double.cos(viewAz))
        func moved(_ points: [MapPoint], _ v: MapPoint, _ k: Double) -> [MapPoint] { points.map { p($0.x + v.x * k, $0.y + v.y * k) } }

        let top = moved(footprint, leanDirection, s.heightMeters * leanPerMeter)
        roof = ConvexShape(hullOf: top)
        let centre = s.center
        if s.kind == .guardPost {
            // A cabin on legs: the body spans the top 2.5 m; its shadow is detached from the base.
            let bottom = s.heightMeters - 2.5
            walls = ConvexShape(hullOf: moved(footprint, leanDirection, bottom * leanPerMeter) + top)
            shadow = ConvexShape(hullOf: moved(footprint, away, bottom / tanElevation) + moved(footprint, away, s.heightMeters / tanElevation))
            legs = (centre, p(centre.x + away.x * bottom / tanElevation, centre.y + away.y * bottom / tanElevation))
        } else {
            walls = ConvexShape(hullOf: footprint + top)
            shadow = ConvexShape(hullOf: footprint + moved(footprint, away, s.heightMeters / tanElevation))
            legs = nil
        }
        scar = nil
        colour = (Float(s.roof[0]), Float(s.roof[1]), Float(s.roof[2]), Float(s.roof.count > 3 ? s.roof[3] : s.roof[1]))
        roofCentre = MapPoint(x: top.map(\.x).reduce(0, +) / 4, y: top.map(\.y).reduce(0, +) / 4)
        let a = s.rotationDegrees * .pi / 180
        axis = s.width >= s.length ? MapPoint(x: Double.cos(a), y: Double.sin(a)) : MapPoint(x: -Double.sin(a), y: Double.cos(a))
        sunSide = Float(-away.x * axis.y + away.y * axis.x)
    }

    /// The foundations left where a building was demolished.
    init(scarOf s: Structure) {
        let empty = ConvexShape(hullOf: [])
        roof = empty; walls = empty; shadow = empty; legs = nil
        scar = ConvexShape(hullOf: s.footprint.ring)
        colour = (0, 0, 0, 0); roofCentre = s.center; axis = MapPoint(x: 1, y: 0); sunSide = 0
    }

    var bounds: MapRect {
        var r = roof.bounds.union(walls.bounds).union(shadow.bounds)
        if let scar { r = r.union(scar.bounds) }
        return r
    }
}

/// Linear features and structures bucketed on a grid of 24 m cells, so each pixel looks only at
/// what can affect it.
struct FeatureIndex: Sendable {
    enum Kind: Sendable, Equatable { case river, stream, road, fence(isCompound: Bool), scar }
    struct Segment: Sendable {
        let a: MapPoint
        let b: MapPoint
        let kind: Kind
    }

    let origin: MapPoint
    let cellSize = 24.0
    let columns: Int
    let rows: Int
    private(set) var lines: [[Segment]]
    private(set) var structures: [[RenderedStructure]]

    init(scene: Scene, date: String, conditions: DateConditions) {
        let extent = scene.extent
        origin = MapPoint(x: extent.minX - 60, y: extent.minY - 60)
        columns = Int((extent.width + 120) / cellSize) + 1
        rows = Int((extent.height + 120) / cellSize) + 1
        lines = Array(repeating: [], count: columns * rows)
        structures = Array(repeating: [], count: columns * rows)
        let truth = scene.truth
        let isAfter = date == "after"

        func add(_ line: MapPolyline, _ kind: Kind, reach: Double) {
            for (a, b) in zip(line.points, line.points.dropFirst()) {
                let box = MapRect(enclosing: [a, b])
                for cell in cells(MapRect(minX: box.minX - reach, minY: box.minY - reach, maxX: box.maxX + reach, maxY: box.maxY + reach)) {
                    lines[cell].append(Segment(a: a, b: b, kind: kind))
                }
            }
        }
        add(scene.river, .river, reach: 20)
        add(scene.stream, .stream, reach: 9)
        for road in scene.roads { add(road, .road, reach: 4) }
        let fences = isAfter ? scene.fencesAfter : scene.fencesBefore
        for (i, fence) in fences.enumerated() { add(fence, .fence(isCompound: i == 0), reach: 13) }
        if isAfter { for scar in scene.demolishedFences { add(scar, .scar, reach: 3) } }

        let posts = isAfter ? truth.guardPostsAfter : truth.guardPostsBefore
        let buildings = isAfter ? truth.buildingsAfter : truth.buildingsBefore
        let houses = isAfter ? truth.housesAfter : truth.housesBefore
        var rendered = (posts + buildings + houses).map { RenderedStructure($0, conditions: conditions) }
        if isAfter {
            let removed = Set(truth.removedBuildingIDs)
            rendered += truth.buildingsBefore.filter { removed.contains($0.id) }.map { RenderedStructure(scarOf: $0) }
        }
        for s in rendered {
            for cell in cells(s.bounds) { structures[cell].append(s) }
        }
    }

    private func cells(_ r: MapRect) -> [Int] {
        let c0 = max(0, Int((r.minX - origin.x) / cellSize)), c1 = min(columns - 1, Int((r.maxX - origin.x) / cellSize))
        let r0 = max(0, Int((r.minY - origin.y) / cellSize)), r1 = min(rows - 1, Int((r.maxY - origin.y) / cellSize))
        guard c0 <= c1, r0 <= r1 else { return [] }
        return (r0...r1).flatMap { row in (c0...c1).map { row * columns + $0 } }
    }

    @inline(__always)
    func cell(_ q: MapPoint) -> Int {
        let c = min(columns - 1, max(0, Int((q.x - origin.x) / cellSize)))
        let r = min(rows - 1, max(0, Int((q.y - origin.y) / cellSize)))
        return r * columns + c
    }
}

import GeoRaster
import RealModule

/// The compound at both dates. The before outline is a west chain (kept at both dates) and an
/// east chain; the after outline replaces the east chain by one pushed out east far enough to
/// enclose exactly the area asked for, so unchanged stretches coincide exactly.
struct CompoundOutline {
    var before: MapPolygon
    var after: MapPolygon
    /// From the north seam point A through the west to the south seam point B: fence at both dates.
    var sharedChain: MapPolyline
    /// B to A through the old east side.
    var oldEastChain: MapPolyline
    /// B to A through the new east side (equal to the old one when nothing changes).
    var newEastChain: MapPolyline
    var newFences: [MapPolyline]
    var removedFences: [MapPolyline]
    /// Rotation of the compound's axes, degrees counter-clockwise from east.
    var angleDegrees: Double

    static func make(options: SceneOptions, random: inout SeededRandom) -> CompoundOutline {
        // Local frame: origin near the compound's centre, x east. Unit-ish sizes, scaled below.
        let w = 1.3, h = 1.0
        var west: [MapPoint]
        var eastInterior: [MapPoint] = []
        var angle = 0.0
        switch options.shape {
        case .rectangle, .rotated:
            west = [p(w / 2, h / 2), p(-w / 2, h / 2), p(-w / 2, -h / 2), p(w / 2, -h / 2)]
            if options.shape == .rotated { angle = random.uniform(15, 35) * (random.next() & 1 == 0 ? 1 : -1) }
        case .lShaped:
            let nw = 0.4 * w, nh = 0.45 * h
            west = [p(w / 2, h / 2), p(-w / 2 + nw, h / 2), p(-w / 2 + nw, h / 2 - nh), p(-w / 2, h / 2 - nh),
                    p(-w / 2, -h / 2), p(w / 2, -h / 2)]
        case .irregular:
            // Jittered points around a rounded rectangle, counter-clockwise from the north-east.
            let north = (0...3).map { k in p(w / 2 - Double(k) * w / 3 + random.uniform(-0.05, 0.05), h / 2 + random.uniform(-0.08, 0.08)) }
            let westSide = [p(-w / 2 - random.uniform(0, 0.1), random.uniform(-0.1, 0.1))]
            let south = (0...3).map { k in p(-w / 2 + Double(k) * w / 3 + random.uniform(-0.05, 0.05), -h / 2 + random.uniform(-0.08, 0.08)) }
            west = north + westSide + south
            eastInterior = [p(w / 2 + random.uniform(0.02, 0.12), random.uniform(-0.15, 0.15))]
        }
        // Scale the before outline to the exact area.
        let a = west.first!, b = west.last!
        let unitBefore = MapPolygon(west + eastInterior)
        let k = (options.areaBeforeSquareMeters / unitBefore.area).squareRoot()
        west = west.map { p($0.x * k, $0.y * k) }
        eastInterior = eastInterior.map { p($0.x * k, $0.y * k) }
        let (aS, bS) = (p(a.x * k, a.y * k), p(b.x * k, b.y * k))
        // The new east side's shape: the old interior points pushed east, with their own jitter.
        let newInteriorJitter = eastInterior.map { _ in p(random.uniform(-0.03, 0.03) * k, random.uniform(-0.05, 0.05) * k) }

        func newEast(_ d: Double) -> [MapPoint] {
            guard d > 0 else { return [bS] + eastInterior + [aS] }
            let pushed = zip(eastInterior, newInteriorJitter).map { p($0.x + d + $1.x, $0.y + $1.y) }
            return [bS, p(bS.x + d, bS.y)] + pushed + [p(aS.x + d, aS.y), aS]
        }
        func ring(_ east: [MapPoint]) -> MapPolygon { MapPolygon(west + east.dropFirst().dropLast()) }

        var d = 0.0
        if options.areaAfterSquareMeters > options.areaBeforeSquareMeters {
            // The area grows monotonically with the push: bisect to the exact area.
            var low = 0.0, high = 10 * k
            for _ in 0..<200 {
                let mid = (low + high) / 2
                if ring(newEast(mid)).area < options.areaAfterSquareMeters { low = mid } else { high = mid }
            }
            d = (low + high) / 2
        }
        let oldEast = [bS] + eastInterior + [aS]
        let newEastPoints = newEast(d)

        // Rotate, then place: the site (the old walled complex) must lie inside the old compound.
        let radians = angle * .pi / 180
        let (c, s) = (Double.cos(radians), Double.sin(radians))
        func rotate(_ q: MapPoint) -> MapPoint { p(q.x * c - q.y * s, q.x * s + q.y * c) }
        let rotatedBefore = MapPolygon((west + eastInterior).map(rotate))
        let rotatedAfter = MapPolygon((west + newEastPoints.dropFirst().dropLast()).map(rotate))
        let blend = MapPoint(x: 0.45 * rotatedBefore.centroid.x + 0.55 * rotatedAfter.centroid.x,
                             y: 0.45 * rotatedBefore.centroid.y + 0.55 * rotatedAfter.centroid.y)
        var shift = MapPoint(x: options.siteMap.x - blend.x, y: options.siteMap.y - blend.y)
        if !rotatedBefore.map({ p($0.x + shift.x, $0.y + shift.y) }).contains(options.siteMap) {
            shift = MapPoint(x: options.siteMap.x - rotatedBefore.centroid.x, y: options.siteMap.y - rotatedBefore.centroid.y)
        }
        // Keep the whole compound inside the scene with a margin, so every fence is visible (a
        // large irregular compound could otherwise run past the scene's edge): slide it back in,
        // as long as the site stays inside the old compound.
        let margin = 80.0, half = options.sceneSizeMeters / 2
        let placed = MapRect(enclosing: (west + newEastPoints + eastInterior).map { q -> MapPoint in
            let r = rotate(q); return p(r.x + shift.x, r.y + shift.y) })
        var slide = MapPoint(x: 0, y: 0)
        let lo = MapPoint(x: options.siteMap.x - half + margin, y: options.siteMap.y - half + margin)
        let hi = MapPoint(x: options.siteMap.x + half - margin, y: options.siteMap.y + half - margin)
        if placed.minX < lo.x { slide.x = lo.x - placed.minX } else if placed.maxX > hi.x { slide.x = hi.x - placed.maxX }
        if placed.minY < lo.y { slide.y = lo.y - placed.minY } else if placed.maxY > hi.y { slide.y = hi.y - placed.maxY }
        let slid = MapPoint(x: shift.x + slide.x, y: shift.y + slide.y)
        if slide != MapPoint(x: 0, y: 0),
           MapPolygon((west + eastInterior).map { q -> MapPoint in let r = rotate(q); return p(r.x + slid.x, r.y + slid.y) })
               .contains(options.siteMap) {
            shift = slid
        }
        func place(_ q: MapPoint) -> MapPoint { let r = rotate(q); return p(r.x + shift.x, r.y + shift.y) }

        let before = MapPolygon((west + eastInterior).map(place))
        let after = MapPolygon((west + newEastPoints.dropFirst().dropLast()).map(place))
        let shared = MapPolyline(west.map(place))
        let oldChain = MapPolyline(oldEast.map(place))
        let newChain = MapPolyline(newEastPoints.map(place))
        let grows = d > 0
        return CompoundOutline(before: before, after: after, sharedChain: shared, oldEastChain: oldChain,
                               newEastChain: newChain, newFences: grows ? [newChain] : [],
                               removedFences: grows ? [oldChain] : [], angleDegrees: angle)
    }
}

@inline(__always) func p(_ x: Double, _ y: Double) -> MapPoint { MapPoint(x: x, y: y) }

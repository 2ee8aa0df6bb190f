import GeoRaster

/// Exact overlay of simple polygons by horizontal slabs: between consecutive "event" heights (every
/// vertex and every crossing of an edge of one polygon with an edge of the other) no edges cross, so
/// the length of the intersection along a horizontal line is linear in y and the midpoint rule is
/// exact. Coincident edges (snapped stretches) need no special case, unlike Greiner-Hormann clipping.
enum PolygonOverlay {
    static func intersectionArea(_ a: MapPolygon, _ b: MapPolygon) -> Double {
        guard a.ring.count >= 3, b.ring.count >= 3 else { return 0 }
        // Relative to one origin: UTM northings (~4.6e6 m) would otherwise cost precision.
        let o = a.ring[0]
        let pa = a.ring.map { MapPoint(x: $0.x - o.x, y: $0.y - o.y) }
        let pb = b.ring.map { MapPoint(x: $0.x - o.x, y: $0.y - o.y) }
        let ea = edges(pa), eb = edges(pb)
        var events = pa.map(\.y) + pb.map(\.y)
        for (p, q) in ea {
            for (r, s) in eb {
                if let y = crossingY(p, q, r, s) { events.append(y) }
            }
        }
        events.sort()
        var area = 0.0
        var previous = events[0]
        for y in events.dropFirst() where y > previous {
            let mid = (previous + y) / 2
            area += (y - previous) * overlapLength(intervals(ea, at: mid), intervals(eb, at: mid))
            previous = y
        }
        return area
    }

    static func edges(_ ring: [MapPoint]) -> [(MapPoint, MapPoint)] {
        ring.indices.map { (ring[$0], ring[($0 + 1) % ring.count]) }
    }

    /// The y of a proper crossing of segments pq and rs, if any.
    static func crossingY(_ p: MapPoint, _ q: MapPoint, _ r: MapPoint, _ s: MapPoint) -> Double? {
        let d1x = q.x - p.x, d1y = q.y - p.y, d2x = s.x - r.x, d2y = s.y - r.y
        let den = d1x * d2y - d1y * d2x
        guard den != 0 else { return nil }
        let t = ((r.x - p.x) * d2y - (r.y - p.y) * d2x) / den
        let u = ((r.x - p.x) * d1y - (r.y - p.y) * d1x) / den
        guard t > 0, t < 1, u > 0, u < 1 else { return nil }
        return p.y + t * d1y
    }

    /// The inside intervals of a polygon along the horizontal line at y (even-odd rule).
    static func intervals(_ edges: [(MapPoint, MapPoint)], at y: Double) -> [(Double, Double)] {
        var xs: [Double] = []
        for (p, q) in edges where (p.y > y) != (q.y > y) {
            xs.append(p.x + (y - p.y) * (q.x - p.x) / (q.y - p.y))
        }
        xs.sort()
        return stride(from: 0, to: xs.count - 1, by: 2).map { (xs[$0], xs[$0 + 1]) }
    }

    static func overlapLength(_ a: [(Double, Double)], _ b: [(Double, Double)]) -> Double {
        var i = 0, j = 0, total = 0.0
        while i < a.count, j < b.count {
            let lo = max(a[i].0, b[j].0), hi = min(a[i].1, b[j].1)
            if hi > lo { total += hi - lo }
            if a[i].1 < b[j].1 { i += 1 } else { j += 1 }
        }
        return total
    }
}

/// Helpers on rings and lines shared by extraction and reconciliation.
enum RingGeometry {
    /// Douglas-Peucker on a closed ring: the two points farthest apart split it into two chains.
    static func simplify(ring: [MapPoint], tolerance: Double) -> [MapPoint] {
        guard ring.count > 3 else { return ring }
        var far = 0, best = -1.0
        for (i, p) in ring.enumerated() {
            let d = distance(p, ring[0])
            if d > best { best = d; far = i }
        }
        let first = Array(ring[0...far]), second = Array(ring[far...]) + [ring[0]]
        let a = simplify(chain: first, tolerance: tolerance)
        let b = simplify(chain: second, tolerance: tolerance)
        return Array(a.dropLast()) + Array(b.dropLast())
    }

    static func simplify(chain: [MapPoint], tolerance: Double) -> [MapPoint] {
        guard chain.count > 2 else { return chain }
        var keep = [Bool](repeating: false, count: chain.count)
        keep[0] = true; keep[chain.count - 1] = true
        var stack = [(0, chain.count - 1)]
        while let (s, e) = stack.popLast() {
            guard e > s + 1 else { continue }
            var index = s, best = -1.0
            for i in (s + 1)..<e {
                let d = segmentDistance(chain[i], chain[s], chain[e])
                if d > best { best = d; index = i }
            }
            if best > tolerance {
                keep[index] = true
                stack.append((s, index)); stack.append((index, e))
            }
        }
        return chain.indices.filter { keep[$0] }.map { chain[$0] }
    }

    /// The nearest point of a closed ring to p, with its arc-length position from ring[0].
    static func project(_ p: MapPoint, onto ring: [MapPoint], cumulative: [Double]) -> (point: MapPoint, position: Double, distance: Double) {
        var best = (point: ring[0], position: 0.0, distance: Double.infinity)
        for i in ring.indices {
            let a = ring[i], b = ring[(i + 1) % ring.count]
            let dx = b.x - a.x, dy = b.y - a.y
            let l2 = dx * dx + dy * dy
            var t = l2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / l2 : 0
            t = min(1, max(0, t))
            let q = MapPoint(x: a.x + t * dx, y: a.y + t * dy)
            let d = distance(p, q)
            if d < best.distance { best = (q, cumulative[i] + t * l2.squareRoot(), d) }
        }
        return best
    }

    /// Arc length at each vertex (count + 1 entries: the last is the ring's length).
    static func cumulativeLengths(_ ring: [MapPoint]) -> [Double] {
        var c = [0.0]
        for i in ring.indices { c.append(c[i] + distance(ring[i], ring[(i + 1) % ring.count])) }
        return c
    }

    static func point(at position: Double, on ring: [MapPoint], cumulative: [Double]) -> MapPoint {
        let total = cumulative[ring.count]
        var s = position.truncatingRemainder(dividingBy: total)
        if s < 0 { s += total }
        var i = 0
        while i < ring.count - 1, cumulative[i + 1] < s { i += 1 }
        let a = ring[i], b = ring[(i + 1) % ring.count]
        let l = cumulative[i + 1] - cumulative[i]
        let t = l > 0 ? (s - cumulative[i]) / l : 0
        return MapPoint(x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y))
    }

    /// The ring's own vertices strictly between two arc-length positions, walking forward
    /// (wrapping past the start when `to` < `from`).
    static func vertices(between from: Double, and to: Double, on ring: [MapPoint], cumulative: [Double]) -> [MapPoint] {
        let total = cumulative[ring.count]
        let span = (to - from).truncatingRemainder(dividingBy: total) + (to >= from ? 0 : total)
        var result: [(Double, MapPoint)] = []
        for (i, v) in ring.enumerated() {
            var d = cumulative[i] - from
            d = d.truncatingRemainder(dividingBy: total)
            if d < 0 { d += total }
            if d > 1e-9, d < span - 1e-9 { result.append((d, v)) }
        }
        return result.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The stretches of a counter-clockwise ring where `flagged(point, outward normal)` holds,
    /// sampled every `step` along it, as polylines (a stretch across the ring's start is one).
    static func runs(along ring: [MapPoint], step: Double, flagged: (MapPoint, MapPoint) -> Bool) -> [MapPolyline] {
        guard ring.count >= 3 else { return [] }
        let cumulative = cumulativeLengths(ring)
        let total = cumulative[ring.count]
        let n = max(1, Int((total / step).rounded(.up)))
        let spacing = total / Double(n)
        var edge = 0
        let flags = (0..<n).map { k -> Bool in
            let s = (Double(k) + 0.5) * spacing
            while edge < ring.count - 1, cumulative[edge + 1] < s { edge += 1 }
            let a = ring[edge], b = ring[(edge + 1) % ring.count]
            let l = max(distance(a, b), 1e-9)
            return flagged(point(at: s, on: ring, cumulative: cumulative), MapPoint(x: (b.y - a.y) / l, y: -(b.x - a.x) / l))
        }
        guard flags.contains(true) else { return [] }
        if !flags.contains(false) { return [MapPolyline(ring + [ring[0]])] }
        let first = flags.indices.first { !flags[$0] }!  // start outside a run, so no run is split
        var lines: [MapPolyline] = []
        var k = 0
        while k < n {
            let i = (first + k) % n
            guard flags[i] else { k += 1; continue }
            var length = 0
            while length < n - k, flags[(i + length) % n] { length += 1 }
            let from = Double(first + k) * spacing, to = Double(first + k + length) * spacing
            lines.append(MapPolyline([point(at: from, on: ring, cumulative: cumulative)]
                                     + vertices(between: from.truncatingRemainder(dividingBy: total),
                                                and: to.truncatingRemainder(dividingBy: total), on: ring, cumulative: cumulative)
                                     + [point(at: to, on: ring, cumulative: cumulative)]))
            k += length
        }
        return lines
    }

    /// Where two non-adjacent edges of the ring cross, if any: a crossing outline encloses no area
    /// one can measure (its signed area nets the loops against each other). Proper crossings only:
    /// a vertex lying exactly on another edge does not count.
    static func selfCrossing(_ ring: [MapPoint]) -> MapPoint? {
        let n = ring.count
        guard n > 3 else { return nil }
        func side(_ p: MapPoint, _ q: MapPoint, _ r: MapPoint) -> Double { (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x) }
        for i in 0..<n {
            let a = ring[i], b = ring[(i + 1) % n]
            for j in stride(from: i + 2, to: n, by: 1) where !(i == 0 && j == n - 1) {
                let c = ring[j], d = ring[(j + 1) % n]
                let d1 = side(a, b, c), d2 = side(a, b, d), d3 = side(c, d, a), d4 = side(c, d, b)
                if d1 * d2 < 0, d3 * d4 < 0 {
                    let t = d1 / (d1 - d2)
                    return MapPoint(x: c.x + (d.x - c.x) * t, y: c.y + (d.y - c.y) * t)
                }
            }
        }
        return nil
    }

    /// Removes vertices closer than `minimum` to the previous one and those on a straight line.
    static func clean(_ ring: [MapPoint], minimum: Double = 1e-6) -> [MapPoint] {
        var out: [MapPoint] = []
        for p in ring where out.last.map({ distance($0, p) > minimum }) ?? true { out.append(p) }
        while out.count > 1, distance(out[0], out[out.count - 1]) <= minimum { out.removeLast() }
        guard out.count > 3 else { return out }
        var changed = true
        while changed, out.count > 3 {
            changed = false
            for i in out.indices {
                let a = out[(i + out.count - 1) % out.count], b = out[i], c = out[(i + 1) % out.count]
                if segmentDistance(b, a, c) < 1e-7 * max(1, distance(a, c)) {
                    out.remove(at: i); changed = true; break
                }
            }
        }
        return out
    }
}

/// A line in normal form: points x with n·x = c, n a unit vector (pointing out of the compound).
struct FenceLine {
    var normal: MapPoint
    var offset: Double
    /// RMS distance of the inliers from the line.
    var scatter: Double
    var inliers: Int

    /// Total least squares with iterative rejection of outliers (guard posts, gaps, shadows).
    static func fit(_ points: [MapPoint], outward: MapPoint, rejectBeyond floor: Double) -> FenceLine? {
        var use = points
        var line: FenceLine?
        for _ in 0..<4 {
            guard use.count >= 4 else { return line }
            let n = Double(use.count)
            let mx = use.reduce(0) { $0 + $1.x } / n, my = use.reduce(0) { $0 + $1.y } / n
            var sxx = 0.0, syy = 0.0, sxy = 0.0
            for p in use { sxx += (p.x - mx) * (p.x - mx); syy += (p.y - my) * (p.y - my); sxy += (p.x - mx) * (p.y - my) }
            // Direction of largest spread (principal eigenvector of the scatter matrix, computed
            // directly so no trigonometry is needed); the normal is perpendicular to it.
            let half = (sxx - syy) / 2
            let lambda = (sxx + syy) / 2 + (half * half + sxy * sxy).squareRoot()
            let v1 = MapPoint(x: sxy, y: lambda - sxx), v2 = MapPoint(x: lambda - syy, y: sxy)
            var v = (v1.x * v1.x + v1.y * v1.y) >= (v2.x * v2.x + v2.y * v2.y) ? v1 : v2
            let vl = (v.x * v.x + v.y * v.y).squareRoot()
            if vl == 0 { v = MapPoint(x: 1, y: 0) } else { v = MapPoint(x: v.x / vl, y: v.y / vl) }
            let dir = v
            var normal = MapPoint(x: -dir.y, y: dir.x)
            if normal.x * outward.x + normal.y * outward.y < 0 { normal = MapPoint(x: -normal.x, y: -normal.y) }
            let c = normal.x * mx + normal.y * my
            let residuals = points.map { normal.x * $0.x + normal.y * $0.y - c }
            let inlierResiduals = use.map { normal.x * $0.x + normal.y * $0.y - c }
            let rms = (inlierResiduals.reduce(0) { $0 + $1 * $1 } / n).squareRoot()
            line = FenceLine(normal: normal, offset: c, scatter: rms, inliers: use.count)
            let sortedAbs = inlierResiduals.map(abs).sorted()
            let mad = sortedAbs[sortedAbs.count / 2] * madToStandardDeviation
            let limit = max(floor, 3 * mad)
            let next = zip(points, residuals).filter { abs($0.1) <= limit }.map(\.0)
            if next.count == use.count { break }
            use = next
        }
        return line
    }

    func shifted(by d: Double) -> FenceLine { FenceLine(normal: normal, offset: offset + d, scatter: scatter, inliers: inliers) }

    /// Where two lines meet, or nil when they are nearly parallel.
    func intersection(_ o: FenceLine) -> MapPoint? {
        let det = normal.x * o.normal.y - normal.y * o.normal.x
        guard abs(det) > 0.08 else { return nil }  // under ~5 degrees apart: treat as one line
        return MapPoint(x: (offset * o.normal.y - normal.y * o.offset) / det,
                        y: (normal.x * o.offset - offset * o.normal.x) / det)
    }

    func project(_ p: MapPoint) -> MapPoint {
        let d = normal.x * p.x + normal.y * p.y - offset
        return MapPoint(x: p.x - d * normal.x, y: p.y - d * normal.y)
    }
}


import GeoRaster

/// Reconciling two dates' perimeters: the after ring, moved onto the before date, is split into
/// runs that lie on the before ring (unchanged fence: replaced by the before ring itself, so the
/// growth is not extraction noise) and runs that leave it (new fence).
enum PerimeterReconciliation {
    struct Run { var near: Bool; var start: Int; var end: Int }  // sample indices, inclusive

    static func compare(before: DatePerimeter, after: DatePerimeter, afterShiftMeters shift: MapPoint,
                        registrationResidualMeters residual: Double, pixelSizeMeters pixel: Double) -> PerimeterChange {
        let move = { (p: MapPoint) in MapPoint(x: p.x + shift.x, y: p.y + shift.y) }
        let b = RingGeometry.clean(before.polygon.counterClockwise.ring)
        let a = RingGeometry.clean(after.polygon.counterClockwise.map(move).ring)
        // Unchanged fence re-extracted at another date differs by pixel rounding, the remaining
        // misregistration and the extraction's scatter; a real move of a fence is tens of metres.
        let tolerance = max(1.5, 2.5 * pixel, 3 * residual)
        let minimumRun = max(15, 6 * tolerance)

        // Where either date could not see its fence (cloud, nodata), its line there is a straight
        // guess: the fence is taken as unchanged wherever the guess runs within a tenth of the hidden
        // stretch's length of the old line (the occlusion term of the uncertainty carries it).
        let hidden = before.occludedStretches + after.occludedStretches.map { $0.map(move) }
        let (snapped, newFences) = snap(a, onto: b, tolerance: tolerance, minimumRun: minimumRun) { p in
            hidden.filter { $0.distance(to: p) <= 20 }.map { tolerance + 0.1 * $0.length }.max() ?? 0
        }
        // Removed fence: stretches of the before ring the reconciled after ring no longer follows.
        let removed = departures(of: b, from: snapped, tolerance: tolerance, minimumRun: minimumRun)

        let beforePolygon = MapPolygon(b)
        let afterPolygon = MapPolygon(snapped).counterClockwise
        let a0 = beforePolygon.area, a1 = afterPolygon.area
        let growth = a0 > 0 ? (a1 / a0 - 1) * 100 : 0
        let newLength = newFences.reduce(0) { $0 + $1.length }
        let removedLength = removed.reduce(0) { $0 + $1.length }
        let unchanged = max(0, afterPolygon.perimeterLength - newLength)

        // Area uncertainty of each date, one sigma, combined in quadrature:
        //  - where the fence is drawn: the extraction's own spread (half the inner-outer band);
        //  - pixel rounding: a quarter pixel of offset along the perimeter (uniform rounding of a
        //    line position has sigma 0.29 px);
        //  - occlusion: a hidden stretch of length L could bend by about L/10 either way;
        //  - registration: only where the after ring was not snapped (new fence) does the residual
        //    move the after area relative to the before one.
        func spread(_ p: DatePerimeter) -> Double {
            guard let i = p.inner, let o = p.outer else { return 0 }
            return abs(o.area - i.area) / 2
        }
        func occlusion(_ p: DatePerimeter) -> Double {
            p.occludedStretches.reduce(0) { $0 + $1.length * max(5, 0.1 * $1.length) }
        }
        let sigmaBefore = (sq(spread(before)) + sq(0.29 * pixel * beforePolygon.perimeterLength) + sq(occlusion(before))).squareRoot()
        // Snapped stretches share the before ring's errors exactly, so only the new fence adds its own.
        // A fence that moved by less than the snap tolerance is indistinguishable from one that
        // stayed: the unchanged stretches carry that much (uniform, sigma 0.29 tolerance) too.
        let sigmaAfterOwn = (sq(spread(after) * (afterPolygon.perimeterLength > 0 ? newLength / afterPolygon.perimeterLength : 0))
                             + sq(0.29 * pixel * newLength) + sq(residual * newLength) + sq(occlusion(after))
                             + sq(0.29 * tolerance * unchanged)).squareRoot()
        // g = a1/a0 - 1; a1 = a0 + added, where the shared stretches cancel between the dates.
        var uncertainty = 0.0
        if a0 > 0 {
            let ratio = a1 / a0
            // The before-date error moves both areas along the shared ring; its effect on the ratio
            // is (1 - ratio) * sigma0 / a0 when the after date shares the stretch (snapped).
            let shared = unchanged / max(afterPolygon.perimeterLength, 1)
            let dBefore = sigmaBefore / a0 * (ratio - shared)
            let dAfter = sigmaAfterOwn / a0
            uncertainty = 100 * (sq(dBefore) + sq(dAfter)).squareRoot()
        }

        var reconciledAfter = after
        reconciledAfter.polygon = afterPolygon
        reconciledAfter.inner = after.inner.map { $0.map(move) }
        reconciledAfter.outer = after.outer.map { $0.map(move) }
        reconciledAfter.occludedStretches = after.occludedStretches.map { $0.map(move) }
        var reconciledBefore = before
        reconciledBefore.polygon = beforePolygon
        return PerimeterChange(before: reconciledBefore, after: reconciledAfter,
                               areaBeforeSquareMeters: a0, areaAfterSquareMeters: a1,
                               growthPercent: growth, growthUncertaintyPoints: uncertainty,
                               newFences: newFences, removedFences: removed,
                               newFenceLengthMeters: newLength, removedFenceLengthMeters: removedLength,
                               unchangedLengthMeters: unchanged, snapToleranceMeters: tolerance)
    }

    @inline(__always) static func sq(_ x: Double) -> Double { x * x }

    /// Samples a ring every `step` map units: (point, arc position, index of the edge).
    static func samples(_ ring: [MapPoint], step: Double) -> [(point: MapPoint, position: Double)] {
        var out: [(MapPoint, Double)] = []
        var position = 0.0
        for i in ring.indices {
            let p = ring[i], q = ring[(i + 1) % ring.count]
            let l = distance(p, q)
            let n = max(1, Int((l / step).rounded(.up)))
            for k in 0..<n {
                let t = Double(k) / Double(n)
                out.append((MapPoint(x: p.x + t * (q.x - p.x), y: p.y + t * (q.y - p.y)), position + t * l))
            }
            position += l
        }
        return out.map { (point: $0.0, position: $0.1) }
    }

    /// Near/far runs of a sampled ring relative to another ring, with runs shorter than
    /// `minimumRun` merged into their neighbours (far blips are noise; near blips are a new fence
    /// crossing the old line).
    static func runs(_ flags: [Bool], spacing: Double, minimumRun: Double) -> [Run] {
        var flags = flags
        let n = flags.count
        let minimumSamples = max(1, Int((minimumRun / spacing).rounded(.up)))
        // First drop short far runs, then short near runs.
        for kind in [false, true] {
            guard let start = flags.indices.first(where: { flags[$0] != flags[($0 + n - 1) % n] }) else { break }
            var i = 0
            while i < n {
                let s = (start + i) % n
                var len = 0
                while len < n - i, flags[(s + len) % n] == flags[s] { len += 1 }
                if flags[s] == kind, len < minimumSamples {
                    for k in 0..<len { flags[(s + k) % n] = !kind }
                }
                i += len
            }
        }
        // Runs start at a far run, so they alternate far, near, ..., near.
        guard let first = flags.indices.first(where: { !flags[$0] && flags[($0 + n - 1) % n] }) else {
            return [Run(near: flags[0], start: 0, end: n - 1)]
        }
        var result: [Run] = []
        var i = 0
        while i < n {
            let s = (first + i) % n
            var len = 0
            while len < n - i, flags[(s + len) % n] == flags[s] { len += 1 }
            result.append(Run(near: flags[s], start: s, end: (s + len - 1) % n))
            i += len
        }
        return result
    }

    /// The after ring with its near runs replaced by the matching stretches of the before ring,
    /// and the far runs (with their junctions on the before ring) as new fence polylines.
    /// `widenedTolerance` gives a wider tolerance where a date's fence was hidden.
    static func snap(_ a: [MapPoint], onto b: [MapPoint], tolerance: Double, minimumRun: Double,
                     widenedTolerance: (MapPoint) -> Double = { _ in 0 }) -> ([MapPoint], [MapPolyline]) {
        let spacing = min(1, tolerance / 3)
        let cb = RingGeometry.cumulativeLengths(b)
        let sa = samples(a, step: spacing)
        let projections = sa.map { RingGeometry.project($0.point, onto: b, cumulative: cb) }
        let rs = runs(zip(sa, projections).map { $1.distance <= max(tolerance, widenedTolerance($0.point)) }, spacing: spacing, minimumRun: minimumRun)
        if rs.count == 1 { return rs[0].near ? (b, []) : (a, []) }
        let ca = RingGeometry.cumulativeLengths(a)
        // A junction lies where the new fence leaves the old line, usually at an old corner: take
        // the before vertex when one is that close.
        func junction(_ sample: Int) -> (point: MapPoint, position: Double) {
            let p = projections[sample]
            for (i, v) in b.enumerated() where distance(v, p.point) <= 2 * tolerance { return (v, cb[i]) }
            return (p.point, p.position)
        }
        var ring: [MapPoint] = []
        var fences: [MapPolyline] = []
        for (k, run) in rs.enumerated() {
            if run.near {
                let j0 = junction(run.start), j1 = junction(run.end)
                ring.append(j0.point)
                ring.append(contentsOf: RingGeometry.vertices(between: j0.position, and: j1.position, on: b, cumulative: cb))
                ring.append(j1.point)
            } else {
                let interior = RingGeometry.vertices(between: sa[run.start].position, and: sa[run.end].position + spacing * 0.999,
                                                     on: a, cumulative: ca)
                ring.append(contentsOf: interior)
                let previous = rs[(k + rs.count - 1) % rs.count], next = rs[(k + 1) % rs.count]
                fences.append(MapPolyline([junction(previous.end).point] + interior + [junction(next.start).point]))
            }
        }
        return (RingGeometry.clean(ring), fences)
    }

    /// Stretches of ring `b` farther than `tolerance` from ring `a`, as polylines.
    static func departures(of b: [MapPoint], from a: [MapPoint], tolerance: Double, minimumRun: Double) -> [MapPolyline] {
        let spacing = min(1, tolerance / 3)
        let ca = RingGeometry.cumulativeLengths(a)
        let cb = RingGeometry.cumulativeLengths(b)
        let sb = samples(b, step: spacing)
        let flags = sb.map { RingGeometry.project($0.point, onto: a, cumulative: ca).distance <= tolerance }
        let rs = runs(flags, spacing: spacing, minimumRun: minimumRun)
        if rs.count == 1 { return rs[0].near ? [] : [MapPolyline(b + [b[0]])] }
        var lines: [MapPolyline] = []
        for (k, run) in rs.enumerated() where !run.near {
            // From the end of the previous near run to the start of the next one, snapped to the
            // before ring's vertices when they are that close (the old corners).
            let previous = rs[(k + rs.count - 1) % rs.count], next = rs[(k + 1) % rs.count]
            func snapVertex(_ s: Int) -> (MapPoint, Double) {
                let p = sb[s]
                for (i, v) in b.enumerated() where distance(v, p.point) <= 2 * tolerance { return (v, cb[i]) }
                return (p.point, p.position)
            }
            let (j0, u0) = snapVertex(previous.end), (j1, u1) = snapVertex(next.start)
            lines.append(MapPolyline([j0] + RingGeometry.vertices(between: u0, and: u1, on: b, cumulative: cb) + [j1]))
        }
        return lines
    }
}

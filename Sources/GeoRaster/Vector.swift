/// A simple polygon in map coordinates: one ring, first point not repeated at the end.
/// Areas are in square CRS units (m² in a projected metric CRS).
public struct MapPolygon: Hashable, Sendable, Codable {
    public var ring: [MapPoint]

    public init(_ ring: [MapPoint]) {
        var ring = ring
        if ring.count > 1, ring.first == ring.last { ring.removeLast() }
        self.ring = ring
    }

    /// Positive when the ring runs counter-clockwise (x east, y north).
    public var signedArea: Double {
        guard ring.count >= 3 else { return 0 }
        // Relative to the first vertex: with UTM coordinates (10^5-10^6 m) the plain shoelace
        // loses about 10^-3 m² to cancellation.
        let o = ring[0]
        var sum = 0.0
        for i in 1..<(ring.count - 1) {
            let a = ring[i], b = ring[i + 1]
            sum += (a.x - o.x) * (b.y - o.y) - (b.x - o.x) * (a.y - o.y)
        }
        return sum / 2
    }

    public var area: Double { abs(signedArea) }

    /// The same polygon with its ring counter-clockwise (RFC 7946's outer-ring rule).
    public var counterClockwise: MapPolygon { signedArea < 0 ? MapPolygon(ring.reversed()) : self }

    public var edges: [(MapPoint, MapPoint)] { ring.indices.map { (ring[$0], ring[($0 + 1) % ring.count]) } }

    public var perimeterLength: Double { edges.reduce(0) { $0 + distance($1.0, $1.1) } }

    public var boundary: MapPolyline { MapPolyline(ring + (ring.first.map { [$0] } ?? [])) }

    public var bounds: MapRect { MapRect(enclosing: ring) }

    /// Even-odd rule; points exactly on an edge may fall either way.
    public func contains(_ p: MapPoint) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in ring.indices {
            let a = ring[i], b = ring[j]
            if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
            j = i
        }
        return inside
    }

    /// Distance from a point to the nearest edge.
    public func distanceToBoundary(_ p: MapPoint) -> Double {
        edges.reduce(Double.infinity) { min($0, segmentDistance(p, $1.0, $1.1)) }
    }

    /// The area centroid.
    public var centroid: MapPoint {
        let a = signedArea
        guard a != 0 else { return ring.first ?? MapPoint(x: 0, y: 0) }
        let o = ring[0]
        var cx = 0.0, cy = 0.0
        for (p, q) in edges {
            let (px, py, qx, qy) = (p.x - o.x, p.y - o.y, q.x - o.x, q.y - o.y)
            let cross = px * qy - qx * py
            cx += (px + qx) * cross
            cy += (py + qy) * cross
        }
        return MapPoint(x: o.x + cx / (6 * a), y: o.y + cy / (6 * a))
    }

    public func map(_ transform: (MapPoint) -> MapPoint) -> MapPolygon { MapPolygon(ring.map(transform)) }
}

/// A polyline in map coordinates.
public struct MapPolyline: Hashable, Sendable, Codable {
    public var points: [MapPoint]
    public init(_ points: [MapPoint]) { self.points = points }

    public var length: Double {
        zip(points, points.dropFirst()).reduce(0) { $0 + GeoRaster.distance($1.0, $1.1) }
    }

    public func distance(to p: MapPoint) -> Double {
        if points.count == 1 { return GeoRaster.distance(p, points[0]) }
        return zip(points, points.dropFirst()).reduce(Double.infinity) { min($0, segmentDistance(p, $1.0, $1.1)) }
    }

    /// The point at `offset` metres along the line (clamped to its ends).
    public func point(atDistance offset: Double) -> MapPoint {
        var remaining = max(0, offset)
        for (a, b) in zip(points, points.dropFirst()) {
            let d = GeoRaster.distance(a, b)
            if remaining <= d, d > 0 {
                let t = remaining / d
                return MapPoint(x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t)
            }
            remaining -= d
        }
        return points.last ?? MapPoint(x: 0, y: 0)
    }

    /// The unit direction of the line at `offset` metres along it.
    public func direction(atDistance offset: Double) -> MapPoint {
        var remaining = max(0, offset)
        for (a, b) in zip(points, points.dropFirst()) {
            let d = GeoRaster.distance(a, b)
            if (remaining <= d || b == points.last!), d > 0 { return MapPoint(x: (b.x - a.x) / d, y: (b.y - a.y) / d) }
            remaining -= d
        }
        return MapPoint(x: 1, y: 0)
    }

    public func map(_ transform: (MapPoint) -> MapPoint) -> MapPolyline { MapPolyline(points.map(transform)) }
}

public func distance(_ a: MapPoint, _ b: MapPoint) -> Double {
    ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
}

/// Distance from p to the segment ab.
public func segmentDistance(_ p: MapPoint, _ a: MapPoint, _ b: MapPoint) -> Double {
    let dx = b.x - a.x, dy = b.y - a.y
    let lengthSquared = dx * dx + dy * dy
    var t = lengthSquared > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared : 0
    t = min(1, max(0, t))
    return distance(p, MapPoint(x: a.x + t * dx, y: a.y + t * dy))
}

/// A position in pixel space: x is the column, y the row; (0, 0) is the top-left corner of the
/// top-left pixel, (0.5, 0.5) its centre.
public struct PixelPoint: Hashable, Sendable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// A position in the units of a CRS (metres for UTM, degrees for a geographic CRS).
public struct MapPoint: Hashable, Sendable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// A WGS 84 position in degrees.
public struct GeoPoint: Hashable, Sendable, Codable {
    public var longitude: Double
    public var latitude: Double
    public init(longitude: Double, latitude: Double) { self.longitude = longitude; self.latitude = latitude }
}

/// An axis-aligned rectangle in map units.
public struct MapRect: Hashable, Sendable, Codable {
    public var minX: Double
    public var minY: Double
    public var maxX: Double
    public var maxY: Double
    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
    }
    public init(enclosing points: [MapPoint]) {
        precondition(!points.isEmpty, "MapRect(enclosing:) needs at least one point")
        self.init(minX: points.map(\.x).min()!, minY: points.map(\.y).min()!,
                  maxX: points.map(\.x).max()!, maxY: points.map(\.y).max()!)
    }
    public var width: Double { maxX - minX }
    public var height: Double { maxY - minY }
    public func union(_ other: MapRect) -> MapRect {
        MapRect(minX: min(minX, other.minX), minY: min(minY, other.minY),
                maxX: max(maxX, other.maxX), maxY: max(maxY, other.maxY))
    }
}

/// A rectangle of whole pixels: columns x..<x+width, rows y..<y+height.
public struct PixelWindow: Hashable, Sendable, Codable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        precondition(width >= 0 && height >= 0, "PixelWindow size must not be negative: \(width) x \(height)")
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    public var pixelCount: Int { width * height }
    public var isEmpty: Bool { width == 0 || height == 0 }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }

    /// The overlap of two windows, or nil if they do not overlap.
    public func intersection(_ other: PixelWindow) -> PixelWindow? {
        let x0 = max(x, other.x), y0 = max(y, other.y)
        let x1 = min(maxX, other.maxX), y1 = min(maxY, other.maxY)
        guard x1 > x0, y1 > y0 else { return nil }
        return PixelWindow(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    public func contains(_ other: PixelWindow) -> Bool {
        other.x >= x && other.y >= y && other.maxX <= maxX && other.maxY <= maxY
    }

    public func offsetBy(dx: Int, dy: Int) -> PixelWindow {
        PixelWindow(x: x + dx, y: y + dy, width: width, height: height)
    }
}

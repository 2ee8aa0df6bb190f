import GeoRaster

/// A simple synthetic pair for the change core: smooth textured ground, rectangular objects that
/// appear in the after date, a known sub-pixel shift, another GSD if asked, per-band gain and
/// offset, and noise. Rendered window by window, so pairs of any size stream to disk.
public struct ChangePair: Sendable {
    public struct Object: Sendable, Hashable {
        public var bounds: MapRect
        /// Added to each band of the after date, 0-255 scale.
        public var delta: [Float]
    }

    public let size: Int
    public let gsdBefore: Double
    public let gsdAfter: Double
    /// Shift in before pixels: the after date sampled at p + shift aligns with before pixel p.
    public let shift: PixelPoint
    public let objects: [Object]
    public let gains: [Float]
    public let offsets: [Float]
    public let noise: Float
    public let seed: UInt32
    public let crs = CRS(epsg: 32652)
    /// Objects by 64 m map cell, so a pixel looks only at the few near it (a 32768² pair has
    /// thousands of objects).
    private let objectCells: [Int64: [Int]]
    private static let cellMeters = 64.0
    private static func cellKey(_ x: Double, _ y: Double) -> Int64 {
        Int64((x / cellMeters).rounded(.down)) &* 1_000_003 &+ Int64((y / cellMeters).rounded(.down))
    }

    public var beforeTransform: GeoTransform { GeoTransform(originX: 560_000, originY: 4_632_000, pixelWidth: gsdBefore, pixelHeight: -gsdBefore) }
    public var afterTransform: GeoTransform {
        // Another origin too: a third of an after pixel off the before grid.
        GeoTransform(originX: 560_000 + gsdAfter / 3, originY: 4_632_000 - gsdAfter / 5, pixelWidth: gsdAfter, pixelHeight: -gsdAfter)
    }
    public var afterSize: Int { Int(Double(size) * gsdBefore / gsdAfter) }

    /// - Parameters:
    ///   - objectCount: how many objects to place (one per 64-pixel cell at most, so none touch).
    ///   - margin: pixels kept free of objects along the edges.
    public init(size: Int, objectCount: Int, shift: PixelPoint, gsdBefore: Double = 0.5, gsdAfter: Double? = nil,
                gains: [Float] = [1.12, 0.93, 1.05], offsets: [Float] = [6, -4, 9], noise: Float = 2, seed: UInt64 = 1,
                margin: Int = 24) {
        self.size = size
        self.gsdBefore = gsdBefore
        self.gsdAfter = gsdAfter ?? gsdBefore
        self.shift = shift
        self.gains = gains
        self.offsets = offsets
        self.noise = noise
        var random = SeededRandom(seed: seed)
        self.seed = UInt32(truncatingIfNeeded: random.next())
        let cell = 64
        let cellsPerSide = max(1, (size - 2 * margin) / cell)
        var cells = Array(0..<(cellsPerSide * cellsPerSide))
        // Partial Fisher-Yates: the first objectCount cells.
        let count = min(objectCount, cells.count)
        for i in 0..<count { cells.swapAt(i, i + Int(random.next() % UInt64(cells.count - i))) }
        let t = GeoTransform(originX: 560_000, originY: 4_632_000, pixelWidth: gsdBefore, pixelHeight: -gsdBefore)
        objects = cells.prefix(count).map { index in
            let w = Double(random.integer(8...40)), h = Double(random.integer(8...40))
            let x = Double(margin + (index % cellsPerSide) * cell) + random.uniform(4, Double(cell) - w - 4)
            let y = Double(margin + (index / cellsPerSide) * cell) + random.uniform(4, Double(cell) - h - 4)
            let a = t.map(PixelPoint(x: x, y: y)), b = t.map(PixelPoint(x: x + w, y: y + h))
            let sign: Float = random.next() & 1 == 0 ? 1 : -1
            let strength = Float(random.uniform(60, 110))
            return Object(bounds: MapRect(enclosing: [a, b]),
                          delta: [sign * strength, sign * strength * Float(random.uniform(0.6, 1.2)), sign * strength * Float(random.uniform(0.6, 1.2))])
        }
        var index: [Int64: [Int]] = [:]
        let reach = max(gsdBefore, gsdAfter ?? gsdBefore)
        for (number, object) in objects.enumerated() {
            var x = ((object.bounds.minX - reach) / Self.cellMeters).rounded(.down) * Self.cellMeters
            while x <= object.bounds.maxX + reach {
                var y = ((object.bounds.minY - reach) / Self.cellMeters).rounded(.down) * Self.cellMeters
                while y <= object.bounds.maxY + reach {
                    index[Self.cellKey(x + 1e-6, y + 1e-6), default: []].append(number)
                    y += Self.cellMeters
                }
                x += Self.cellMeters
            }
        }
        objectCells = index
    }

    public enum Date: Sendable { case before, after }

    /// Renders a window of one date as 3-band uint8, georeferenced.
    public func render(_ date: Date, window: PixelWindow) -> Raster {
        let isAfter = date == .after
        let t = isAfter ? afterTransform : beforeTransform
        var raster = Raster(layout: RasterLayout(width: window.width, height: window.height, bandCount: 3, pixelType: .uint8),
                            georeferencing: Georeferencing(transform: t.window(window), crs: crs))
        // The after date shows the ground at (its position - shift), shift in before pixels.
        let shiftMap = MapPoint(x: shift.x * gsdBefore, y: -shift.y * gsdBefore)
        let n = window.pixelCount
        raster.samples.withUnsafeMutableBytes { out in
            for row in 0..<window.height {
                for column in 0..<window.width {
                    var m = t.map(PixelPoint(x: Double(window.x + column) + 0.5, y: Double(window.y + row) + 0.5))
                    if isAfter { m = MapPoint(x: m.x - shiftMap.x, y: m.y - shiftMap.y) }
                    let ground = self.ground(m)
                    var values = [ground.0, ground.1, ground.2]
                    if isAfter {
                        for object in (objectCells[Self.cellKey(m.x, m.y)] ?? []).map({ objects[$0] }) where m.x >= object.bounds.minX - gsdAfter && m.x <= object.bounds.maxX + gsdAfter
                            && m.y >= object.bounds.minY - gsdAfter && m.y <= object.bounds.maxY + gsdAfter {
                            // Anti-aliased coverage of the object within this pixel.
                            let half = gsdAfter / 2
                            let cx = max(0, min(m.x + half, object.bounds.maxX) - max(m.x - half, object.bounds.minX)) / gsdAfter
                            let cy = max(0, min(m.y + half, object.bounds.maxY) - max(m.y - half, object.bounds.minY)) / gsdAfter
                            let coverage = Float(cx * cy)
                            for b in 0..<3 { values[b] += object.delta[b] * coverage }
                        }
                        for b in 0..<3 { values[b] = values[b] * gains[b] + offsets[b] }
                    }
                    let px = Int32(window.x + column), py = Int32(window.y + row)
                    for b in 0..<3 {
                        let v = values[b] + noise * gaussianHash(px, py, seed &+ UInt32(b) &+ (isAfter ? 77 : 0))
                        out[b * n + row * window.width + column] = UInt8(max(0, min(255, v.rounded())))
                    }
                }
            }
        }
        return raster
    }

    /// Smooth textured ground, 0-255: fields and edges at 2-20 m scales, so gradients are everywhere.
    @inline(__always)
    func ground(_ m: MapPoint) -> (Float, Float, Float) {
        let x = Float(m.x - 560_000), y = Float(m.y - 4_632_000)
        let coarse = fractalNoise(x / 20, y / 20, octaves: 3, seed: seed)
        let fine = valueNoise(x / 2.5, y / 2.5, seed &+ 5)
        let v = 50 + 120 * coarse + 40 * fine
        return (v, v * 0.9 + 12, v * 0.8 + 20)
    }
}

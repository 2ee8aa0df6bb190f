import GeoRaster
import RealModule

/// Renders one date of a scene: every pixel is evaluated at its own map position, so differing
/// grids, GSDs and sub-pixel misregistration come out exact. Thread-safe: render row ranges in
/// parallel into one buffer; the result does not depend on the order.
public struct SceneRenderer: Sendable {
    public let date: String
    public let grid: SceneTruth.Grid
    public let bandCount: Int
    private let scene: Scene
    private let conditions: DateConditions
    private let isAfter: Bool
    private let shift: MapPoint
    private let sun: (x: Float, y: Float, z: Float)
    private let terrain: Terrain
    private let index: FeatureIndex
    private let compound: MapPolygon
    private let oldCompound: MapPolygon
    private let clouds: [SceneTruth.Cloud]
    private let cloudShadowOffset: MapPoint
    private let seed: UInt32

    public init(scene: Scene, date: String) {
        precondition(date == "before" || date == "after", "date is 'before' or 'after', not \(date)")
        self.scene = scene
        self.date = date
        let truth = scene.truth
        grid = truth.grids[date]!
        bandCount = truth.options.sampleFormat.bandCount
        conditions = truth.conditions[date]!
        isAfter = date == "after"
        shift = isAfter ? MapPoint(x: truth.misregistration.eastMeters, y: truth.misregistration.northMeters) : MapPoint(x: 0, y: 0)
        let az = conditions.sunAzimuthDegrees * .pi / 180, el = conditions.sunElevationDegrees * .pi / 180
        sun = (Float(Double.sin(az) * Double.cos(el)), Float(Double.cos(az) * Double.cos(el)), Float(Double.sin(el)))
        terrain = Terrain(extent: scene.extent, seed: scene.terrainSeed, compound: truth.compoundAfter.polygon)
        compound = isAfter ? truth.compoundAfter.polygon : truth.compoundBefore.polygon
        oldCompound = truth.compoundBefore.polygon
        clouds = truth.clouds[date]!
        cloudShadowOffset = conditions.cloudShadowOffset
        seed = UInt32(truncatingIfNeeded: truth.options.seed &* 0x9E37_79B9) &+ (isAfter ? 0x51ED_270B : 0x1234_5678)
        index = FeatureIndex(scene: scene, date: date, conditions: conditions)
    }

    /// Renders rows `rows` into `planes`: bandCount planes of grid.width x grid.height Float32
    /// reflectance, before blur and quantisation.
    public func renderRows(_ rows: Range<Int>, into planes: UnsafeMutableBufferPointer<Float>) {
        let t = GeoTransform(gdalOrder: grid.geotransform)
        let plane = grid.width * grid.height
        var colour = [Float](repeating: 0, count: 4)
        for row in rows {
            for column in 0..<grid.width {
                let m = t.map(PixelPoint(x: Double(column) + 0.5, y: Double(row) + 0.5))
                // The after image's content is displaced by the misregistration.
                let q = MapPoint(x: m.x - shift.x, y: m.y - shift.y)
                shade(q, column: Int32(column), row: Int32(row), into: &colour)
                for band in 0..<bandCount { planes[band * plane + row * grid.width + column] = colour[band] }
            }
        }
    }

    /// Blurs (separable Gaussian) and quantises to the scene's sample format, band-sequential.
    public func finish(_ planes: UnsafeMutableBufferPointer<Float>, into raster: inout Raster) {
        let width = grid.width, height = grid.height
        let format = scene.truth.options.sampleFormat
        let sigma = Float(conditions.blurPixels)
        let kernel: [Float] = sigma > 0.05 ? {
            let k = [Float.exp(-1 / (2 * sigma * sigma)), 1, Float.exp(-1 / (2 * sigma * sigma))]
            let s = k.reduce(0, +)
            return k.map { $0 / s }
        }() : [0, 1, 0]
        var line = [Float](repeating: 0, count: max(width, height))
        for band in 0..<bandCount {
            let base = band * width * height
            for y in 0..<height {
                for x in 0..<width { line[x] = planes[base + y * width + x] }
                for x in 0..<width {
                    let l = line[max(0, x - 1)], r = line[min(width - 1, x + 1)]
                    planes[base + y * width + x] = kernel[0] * l + kernel[1] * line[x] + kernel[2] * r
                }
            }
            for x in 0..<width {
                for y in 0..<height { line[y] = planes[base + y * width + x] }
                for y in 0..<height {
                    let u = line[max(0, y - 1)], d = line[min(height - 1, y + 1)]
                    planes[base + y * width + x] = kernel[0] * u + kernel[1] * line[y] + kernel[2] * d
                }
            }
        }
        let maximum = format.maximum
        switch format {
        case .rgb8:
            raster.samples.withUnsafeMutableBytes { out in
                for i in 0..<(width * height * bandCount) { out[i] = UInt8(max(0, min(maximum, planes[i] * maximum + 0.5))) }
            }
        case .rgbn16:
            raster.samples.withUnsafeMutableBytes { raw in
                let out = raw.bindMemory(to: UInt16.self)
                for i in 0..<(width * height * bandCount) { out[i] = UInt16(max(0, min(maximum, planes[i] * maximum + 0.5))) }
            }
        }
    }

    /// The date's raster, georeferenced, all zeros: `finish` fills it.
    public func emptyRaster() -> Raster {
        Raster(layout: RasterLayout(width: grid.width, height: grid.height, bandCount: bandCount,
                                    pixelType: scene.truth.options.sampleFormat.pixelType),
               georeferencing: Georeferencing(transform: GeoTransform(gdalOrder: grid.geotransform),
                                              crs: CRS(epsg: scene.truth.epsg)))
    }

    /// Renders the whole date on the calling thread (the CLI renders row bands in parallel).
    public func render() -> Raster {
        var raster = emptyRaster()
        var planes = [Float](repeating: 0, count: grid.width * grid.height * bandCount)
        planes.withUnsafeMutableBufferPointer { buffer in
            renderRows(0..<grid.height, into: buffer)
            finish(buffer, into: &raster)
        }
        return raster
    }

    // MARK: - Shading one ground point

    private func shade(_ q: MapPoint, column: Int32, row: Int32, into colour: inout [Float]) {
        let summer = conditions.season == .summer || conditions.season == .spring
        let (h, gx, gy) = terrain.sample(q)
        _ = h
        // Lambertian hill shading relative to flat ground, so flat ground keeps its colour.
        let nz: Float = 1 / (1 + gx * gx + gy * gy).squareRoot()
        let lit = (-gx * sun.x - gy * sun.y + sun.z) * nz / sun.z
        var light = max(0.35, min(1.4, lit))

        let cell = index.cell(q)
        let qx = Float(q.x), qy = Float(q.y)
        let inside = compound.contains(q)
        var c: (Float, Float, Float, Float)

        if inside {
            // Packed earth and sparse grass; ground cleared for the new construction is barer.
            let n = fractalNoise(qx / 9, qy / 9, octaves: 3, seed: seed &+ 11)
            let fresh = isAfter && !oldCompound.contains(q)
            let grass = fresh ? 0.15 * n : (summer ? 0.55 : 0.25) * n
            c = mix((0.46, 0.42, 0.36, 0.42), (0.30, 0.40, 0.22, 0.55), grass)
        } else {
            c = landCover(q, qx, qy, summer: summer)
        }

        // Linear features: the nearest of each kind counts, so polyline joints leave no seams.
        var river = Float.infinity, stream = Float.infinity, road = Float.infinity
        var fence = Float.infinity, wall = Float.infinity, scar = Float.infinity
        for feature in index.lines[cell] {
            let d = Float(segmentDistance(q, feature.a, feature.b))
            switch feature.kind {
            case .river: river = min(river, d)
            case .stream: stream = min(stream, d)
            case .road: road = min(road, d)
            case .fence(let isCompound): if isCompound { fence = min(fence, d) } else { wall = min(wall, d) }
            case .scar: scar = min(scar, d)
            }
        }
        for (d, half) in [(river, Float(14)), (stream, Float(3.5))] where d < half + 4 {
            if d < half {
                c = mix((0.08, 0.14, 0.15, 0.04), (0.12, 0.17, 0.16, 0.05), fractalNoise(qx / 20, qy / 20, octaves: 2, seed: seed))
                light = 1
            } else {
                c = mix(c, (0.55, 0.52, 0.46, 0.45), 1 - (d - half) / 4)  // gravel banks
            }
        }
        if road < 3 { c = mix((0.58, 0.54, 0.47, 0.47), c, max(0, road - 2)) }
        if scar < 2.5 { c = mix(c, (0.50, 0.46, 0.40, 0.44), 0.35 * (1 - scar / 2.5)) }  // where the old fence stood
        let gsd = Float(grid.gsdMeters)
        if fence < 12 {
            // Outside: a cleared strip of bright bare soil 1-9 m wide; inside: a patrol track 3-6 m
            // from the fence; the fence itself a dark line about 1 m wide (1-2 px at 0.5 m).
            if !inside && fence > 1 && fence < 9 { c = mix(c, (0.66, 0.61, 0.52, 0.55), min(1, (9 - fence) / 1.5)) }
            if inside && fence > 3 && fence < 6 { c = mix(c, (0.52, 0.46, 0.38, 0.42), 0.85) }
            let coverage = max(0, min(1, (0.55 - fence) / gsd + 0.5))
            c = mix(c, (0.12, 0.12, 0.13, 0.15), coverage * 0.9)
        }
        if wall < 3 {
            // The inner complex's 1 m concrete wall.
            c = mix(c, (0.70, 0.69, 0.66, 0.60), max(0, min(1, (0.6 - wall) / gsd + 0.5)))
        }

        // Structures: cast shadows, leaning roofs, walls.
        for s in index.structures[cell] {
            if s.roof.contains(q) {
                var roof = s.colour
                // A gabled roof: the half facing the sun is brighter.
                let side = Float((q.x - s.roofCentre.x) * s.axis.y - (q.y - s.roofCentre.y) * s.axis.x)
                let facing: Float = side * s.sunSide > 0 ? 1.12 : 0.88
                roof = (roof.0 * facing, roof.1 * facing, roof.2 * facing, roof.3 * facing)
                c = roof
                light = 1
            } else if s.walls.contains(q) {
                c = (0.35, 0.34, 0.32, 0.33)
                light = 0.8
            } else if s.shadow.contains(q) || (s.legs.map { segmentDistance(q, $0.0, $0.1) < 0.25 } ?? false) {
                light = min(light, 0.38)
                c = (c.0 * 0.9, c.1 * 0.95, c.2 * 1.15, c.3 * 0.9)  // blue sky light in shadows
            } else if s.scar?.contains(q) == true {
                c = mix(c, (0.60, 0.58, 0.55, 0.50), 0.7)
            }
        }

        var r = c.0 * light, g = c.1 * light, b = c.2 * light, n = c.3 * light

        // Clouds and their shadows.
        if !clouds.isEmpty {
            let texture = Double(fractalNoise(qx / 60, qy / 60, octaves: 3, seed: seed &+ 99))
            let shadowPoint = MapPoint(x: q.x - cloudShadowOffset.x, y: q.y - cloudShadowOffset.y)
            var shadowDensity = 0.0, density = 0.0
            for cloud in clouds {
                shadowDensity = max(shadowDensity, Clouds.density(cloud, shadowPoint))
                density = max(density, Clouds.density(cloud, q))
            }
            let dark = Float(1 - 0.45 * min(1, shadowDensity * (0.7 + 0.6 * texture)))
            r *= dark; g *= dark; b *= dark; n *= dark
            let d = Float(min(1, density * (0.75 + 0.5 * texture)))
            r = r + (0.92 - r) * d; g = g + (0.93 - g) * d; b = b + (0.95 - b) * d; n = n + (0.88 - n) * d
        }

        // Radiometry of the date: haze, per-band gain and offset, sensor noise.
        let haze = Float(conditions.haze)
        r = r * (1 - haze) + 0.62 * haze; g = g * (1 - haze) + 0.66 * haze
        b = b * (1 - haze) + 0.74 * haze; n = n * (1 - haze) + 0.50 * haze
        let values = [r, g, b, n]
        let sigma = Float(conditions.noise)
        for band in 0..<bandCount {
            let noise = gaussianHash(column, row, seed &+ UInt32(band) &* 7919) * sigma
            colour[band] = values[band] * Float(conditions.gains[band]) + Float(conditions.offsets[band]) + noise
        }
    }

    /// Fields in strips of several crops, terraces on slopes, forest on hills and bare soil.
    private func landCover(_ q: MapPoint, _ qx: Float, _ qy: Float, summer: Bool) -> (Float, Float, Float, Float) {
        let season = conditions.season
        let forest = fractalNoise(qx / 260, qy / 260, octaves: 4, seed: seed_terrain &+ 5)
        let canopy = fractalNoise(qx / 3.5, qy / 3.5, octaves: 2, seed: seed_terrain &+ 6)
        if forest > 0.6 {
            // Crowns: bright tops, dark gaps.
            let tone = 0.55 + 0.9 * (canopy - 0.5)
            let leaf: (Float, Float, Float, Float) = switch season {
            case .summer: (0.07, 0.17, 0.06, 0.62)
            case .spring: (0.10, 0.22, 0.08, 0.55)
            case .autumn: (0.22, 0.18, 0.08, 0.40)
            case .winter: (0.12, 0.12, 0.09, 0.20)
            }
            let edge = min(1, (forest - 0.6) / 0.04)
            return mix(fieldColour(q, qx, qy), scale(leaf, tone), edge)
        }
        return fieldColour(q, qx, qy)
    }

    private var seed_terrain: UInt32 { scene.terrainSeed }

    /// The field block holding q: the nearest of the jittered lattice points around it.
    @inline(__always)
    private func fieldBlock(_ q: MapPoint) -> (Int32, Int32) {
        let size = 170.0
        let cx = Int32((q.x / size).rounded(.down)), cy = Int32((q.y / size).rounded(.down))
        var best = Double.infinity, block = (cx, cy)
        for dy in Int32(-1)...1 {
            for dx in Int32(-1)...1 {
                let (x, y) = (cx + dx, cy + dy)
                let px = (Double(x) + Double(hash01(x, y, seed_terrain &+ 31))) * size
                let py = (Double(y) + Double(hash01(x, y, seed_terrain &+ 32))) * size
                let d = (px - q.x) * (px - q.x) + (py - q.y) * (py - q.y)
                if d < best { best = d; block = (x, y) }
            }
        }
        return block
    }

    private func fieldColour(_ q: MapPoint, _ qx: Float, _ qy: Float) -> (Float, Float, Float, Float) {
        // Irregular field blocks (Voronoi cells of jittered points about 170 m apart), each with its
        // own strip direction and width; on slopes, terraces follow the contours instead.
        let (bx, by) = fieldBlock(q)
        let (_, gx, gy) = terrain.sample(q)
        let slope = (gx * gx + gy * gy).squareRoot()
        let along: Float, width: Float
        if slope > 0.07 {
            along = terrain.sample(q).0
            width = 2.5
        } else {
            let angle = hash01(bx, by, seed_terrain &+ 21) * .pi
            width = 12 + 18 * hash01(bx, by, seed_terrain &+ 22)
            along = qx * Float.cos(angle) + qy * Float.sin(angle)
        }
        let strip = Int32((along / width).rounded(.down))
        let edge = along / width - Float(strip)
        var crop = Int(hash01(strip, bx &* 31 &+ by, seed_terrain &+ 23) * 5)
        // Between the dates some strips are ploughed or harvested.
        if isAfter && hash01(strip, bx &+ by &* 17, seed_terrain &+ 24) < 0.3 { crop = 4 }
        let season = conditions.season
        var colour: (Float, Float, Float, Float)
        switch (crop, season) {
        case (0, .summer), (0, .spring): colour = (0.18, 0.32, 0.10, 0.60)       // maize / grain, green
        case (1, .summer): colour = (0.25, 0.36, 0.14, 0.55)                    // vegetables
        case (2, .summer), (2, .spring): colour = (0.14, 0.26, 0.14, 0.50)       // wet paddy
        case (0, .autumn), (1, .autumn): colour = (0.48, 0.40, 0.22, 0.38)       // harvested, straw
        case (3, _): colour = (0.40, 0.38, 0.26, 0.40)                          // fallow grass
        case (_, .winter): colour = (0.42, 0.36, 0.30, 0.32)                    // bare winter soil
        case (4, _): colour = (0.38, 0.30, 0.24, 0.30)                          // ploughed soil
        default: colour = (0.34, 0.36, 0.20, 0.45)
        }
        let texture = 0.85 + 0.3 * valueNoise(qx / 1.5, qy / 1.5, seed_terrain &+ 25)
        colour = scale(colour, texture)
        // Bunds between strips: a thin darker line.
        if edge < 0.06 { colour = scale(colour, 0.8) }
        return colour
    }
}

@inline(__always) func mix(_ a: (Float, Float, Float, Float), _ b: (Float, Float, Float, Float), _ t: Float) -> (Float, Float, Float, Float) {
    let t = max(0, min(1, t))
    return (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t, a.2 + (b.2 - a.2) * t, a.3 + (b.3 - a.3) * t)
}

@inline(__always) func scale(_ a: (Float, Float, Float, Float), _ k: Float) -> (Float, Float, Float, Float) {
    (a.0 * k, a.1 * k, a.2 * k, a.3 * k)
}

/// Rolling hills on a coarse height grid, flattened under the compound. Sampled bilinearly with
/// its gradient for hill shading.
struct Terrain: Sendable {
    let origin: MapPoint
    let cell: Double = 8
    let columns: Int
    let rows: Int
    let heights: [Float]

    init(extent: MapRect, seed: UInt32, compound: MapPolygon) {
        origin = MapPoint(x: extent.minX - 100, y: extent.minY - 100)
        columns = Int((extent.width + 200) / cell) + 2
        rows = Int((extent.height + 200) / cell) + 2
        let bounds = compound.bounds
        var heights = [Float](repeating: 0, count: columns * rows)
        for r in 0..<rows {
            for c in 0..<columns {
                let x = origin.x + Double(c) * cell, y = origin.y + Double(r) * cell
                let hills = 90 * fractalNoise(Float(x / 700), Float(y / 700), octaves: 5, seed: seed)
                // Distance outside the compound's bounding box: the compound sits on flatter ground.
                let dx = max(0, max(bounds.minX - x, x - bounds.maxX)), dy = max(0, max(bounds.minY - y, y - bounds.maxY))
                let relief = Float(min(1, 0.2 + (dx * dx + dy * dy).squareRoot() / 300))
                heights[r * columns + c] = hills * relief
            }
        }
        self.heights = heights
    }

    /// Height and its gradient (m per m, x east, y north).
    @inline(__always)
    func sample(_ q: MapPoint) -> (Float, Float, Float) {
        let fx = (q.x - origin.x) / cell, fy = (q.y - origin.y) / cell
        let c = min(columns - 2, max(0, Int(fx))), r = min(rows - 2, max(0, Int(fy)))
        let tx = Float(fx - Double(c)), ty = Float(fy - Double(r))
        let h00 = heights[r * columns + c], h10 = heights[r * columns + c + 1]
        let h01 = heights[(r + 1) * columns + c], h11 = heights[(r + 1) * columns + c + 1]
        let h = (h00 * (1 - tx) + h10 * tx) * (1 - ty) + (h01 * (1 - tx) + h11 * tx) * ty
        let gx = ((h10 - h00) * (1 - ty) + (h11 - h01) * ty) / Float(cell)
        let gy = ((h01 - h00) * (1 - tx) + (h11 - h10) * tx) / Float(cell)
        return (h, gx, gy)
    }
}

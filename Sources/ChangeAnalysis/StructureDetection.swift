import GeoRaster
import RasterKernels

/// Tunable thresholds of the structure detector. Sizes are in metres so that they hold at any GSD.
public struct StructureDetectionParameters: Sendable, Hashable {
    /// Side of the window the local ground colour is averaged over. Wider than the largest roof
    /// half (18 m) so that a roof cannot become its own background.
    public var backgroundWindowMeters = 31.0
    /// A pixel is shadow when it keeps less than this fraction of the local ground's brightness above
    /// the darkest level of the scene (the path radiance: haze and offset). Cast shadows keep about
    /// 0.4 of direct light; the darkest roofs and walls keep 0.65 or more.
    public var shadowRatio: Float = 0.5
    /// A pixel belongs to a body (roof, walls) when its colour differs from the local ground by this
    /// fraction of the ground's brightness. Roofs differ by 0.25 or more; the compound's ground
    /// varies by about 0.05 (grass patches).
    public var bodyContrast: Float = 0.16
    /// Dark pixels greener than this (excess green, G - (R + B) / 2, as a fraction of the ground's
    /// brightness) are vegetation — crops and forest are dark in the visible bands — not shadow.
    /// A cast shadow keeps the ground's hue, slightly bluer.
    public var vegetationExcessGreen: Float = 0.07
    /// Opening of body and shadow masks for buildings: drops speckle and 1 m lines.
    public var buildingOpeningMeters = 1.5
    /// Closing that joins a building's two roof halves, walls and shadow into one object.
    public var buildingClosingMeters = 2.5
    /// Body (roof + walls) area limits for a building, m².
    public var buildingBodyArea: ClosedRange<Double> = 45...3000
    /// Longest building body, metres: longer objects are tracks, fields' edges, roads.
    public var buildingMaxLengthMeters = 75.0
    /// Least shadow beside a building body, m²: a foundation scar or a bright patch has none.
    public var buildingMinShadowArea = 4.0
    /// Body contrast of a weak candidate, which only confirms a clear building of the other date.
    public var weakBodyContrast: Float = 0.11
    public init() {}
}

public enum StructureAnalysis {
    /// Buildings in one date, searched within `region` (map polygon, e.g. the after compound grown by
    /// 100 m), from that image alone: no sun or view angles are needed — the shadow direction is
    /// estimated from the buildings' own shadows. Guard posts are found along the perimeter
    /// instead (`guardPosts(_:perimeter:)`).
    ///
    /// Method: the local ground colour is a masked box mean (shadows excluded, then bodies excluded
    /// in a second pass). Shadow pixels keep less than half the ground's brightness above the scene's
    /// darkest level; body pixels differ in colour from the ground. Buildings are connected objects
    /// of body and shadow (after an opening that removes lines and a closing that joins roof halves)
    /// with a large compact body and a shadow beside it.
    public static func detect(_ source: PixelSource, within region: MapPolygon,
                              parameters: StructureDetectionParameters = StructureDetectionParameters()) throws -> [DetectedStructure] {
        guard let geo = source.georeferencing else {
            throw ChangeAnalysisError(.notGeoreferenced, "structure detection needs a georeferenced image")
        }
        let t = geo.transform
        guard let window = pixelWindow(of: region, transform: t, size: source.layout.window), window.pixelCount > 0 else { return [] }
        let image = try StructureImage(source: source, window: window, region: region, transform: t)
        return StructureDetector(image: image, parameters: parameters).run()
    }

    /// Building candidates of one date: the clear ones `detect` finds, and weak ones — a compact body
    /// of lower contrast with or without a shadow — that may only confirm a clear building of the
    /// other date (hysteresis across dates, `match(before:after:...)`). A high sun leaves a building
    /// almost no shadow; a grey roof on bare ground has little contrast.
    public static func buildingCandidates(_ source: PixelSource, within region: MapPolygon,
                                          parameters: StructureDetectionParameters = StructureDetectionParameters()) throws -> [StructureCandidate] {
        let strong = try detect(source, within: region, parameters: parameters)
        var relaxed = parameters
        relaxed.buildingMinShadowArea = 0
        relaxed.bodyContrast = parameters.weakBodyContrast
        let weak = try detect(source, within: region, parameters: relaxed).filter { w in
            !strong.contains { distance($0.center, w.center) < 6 }
        }
        return strong.map { StructureCandidate(structure: $0, isStrong: true) } + weak.map { StructureCandidate(structure: $0, isStrong: false) }
    }

    /// The window of `size` covering the polygon's bounds, or nil if they do not overlap.
    static func pixelWindow(of region: MapPolygon, transform: GeoTransform, size: PixelWindow) -> PixelWindow? {
        guard !region.ring.isEmpty else { return nil }
        let pixels = region.ring.compactMap { transform.pixel($0) }
        guard pixels.count == region.ring.count else { return nil }
        let x0 = Int(pixels.map(\.x).min()!.rounded(.down)) - 1, x1 = Int(pixels.map(\.x).max()!.rounded(.up)) + 1
        let y0 = Int(pixels.map(\.y).min()!.rounded(.down)) - 1, y1 = Int(pixels.map(\.y).max()!.rounded(.up)) + 1
        return PixelWindow(x: x0, y: y0, width: max(0, x1 - x0), height: max(0, y1 - y0)).intersection(size)
    }
}

/// One date's window as Float planes: colour bands (at most three), brightness, and the region mask.
struct StructureImage {
    let window: PixelWindow
    let transform: GeoTransform
    let width: Int
    let height: Int
    let gsd: Double
    var colour: [[Float]]
    var brightness: [Float]
    var inRegion: [UInt8]

    init(source: PixelSource, window: PixelWindow, region: MapPolygon, transform: GeoTransform) throws {
        self.window = window
        self.transform = transform.window(window)
        width = window.width; height = window.height
        gsd = ((transform.pixelWidth * transform.pixelWidth + transform.columnRotation * transform.columnRotation).squareRoot()
               * (transform.pixelHeight * transform.pixelHeight + transform.rowRotation * transform.rowRotation).squareRoot()).squareRoot()
        let layout = source.layout
        let n = window.pixelCount
        var raw = [UInt8](repeating: 0, count: n * layout.bandCount * layout.pixelType.bytesPerSample)
        try raw.withUnsafeMutableBytes { try source.read(window: window, into: $0) }
        // Colour from the first three bands (RGB, or R, G, B of RGB + NIR); a single band is grey.
        let bands = min(3, layout.bandCount)
        colour = (0..<bands).map { band in
            raw.withUnsafeBytes { bytes -> [Float] in
                var out = [Float](repeating: 0, count: n)
                switch layout.pixelType {
                case .uint8: for i in 0..<n { out[i] = Float(bytes[band * n + i]) }
                case .uint16: for i in 0..<n { out[i] = Float(bytes.loadUnaligned(fromByteOffset: 2 * (band * n + i), as: UInt16.self)) }
                case .int16: for i in 0..<n { out[i] = Float(bytes.loadUnaligned(fromByteOffset: 2 * (band * n + i), as: Int16.self)) }
                case .float32: for i in 0..<n { out[i] = bytes.loadUnaligned(fromByteOffset: 4 * (band * n + i), as: Float.self) }
                case .float64: for i in 0..<n { out[i] = Float(bytes.loadUnaligned(fromByteOffset: 8 * (band * n + i), as: Double.self)) }
                }
                return out
            }
        }
        brightness = [Float](repeating: 0, count: n)
        for band in colour { for i in 0..<n { brightness[i] += band[i] } }
        let k = 1 / Float(bands)
        for i in 0..<n { brightness[i] *= k }
        // Region mask, row by row from the polygon's crossings at the pixel centres' y.
        inRegion = [UInt8](repeating: 0, count: n)
        let local = self.transform
        let nodata = source.nodata.map(Float.init)
        for y in 0..<height {
            for x in 0..<width {
                let m = local.map(PixelPoint(x: Double(x) + 0.5, y: Double(y) + 0.5))
                if region.contains(m) { inRegion[y * width + x] = 1 }
            }
        }
        if let nodata { for i in 0..<n where colour.allSatisfy({ $0[i] == nodata }) { inRegion[i] = 0 } }
    }

    func map(_ x: Double, _ y: Double) -> MapPoint { transform.map(PixelPoint(x: x, y: y)) }
}

/// A masked box mean: mean of `values` over the (2r+1)² window where `weights` is 1, separable,
/// accumulated in Double so long rows lose nothing to rounding.
func maskedBoxMean(_ values: [Float], weights: [Float], width: Int, height: Int, radius r: Int) -> [Float] {
    let n = width * height
    var sumV = [Float](repeating: 0, count: n), sumW = [Float](repeating: 0, count: n)
    // Horizontal pass.
    for y in 0..<height {
        let row = y * width
        var sv = 0.0, sw = 0.0
        for x in 0..<min(r, width) { sv += Double(values[row + x] * weights[row + x]); sw += Double(weights[row + x]) }
        for x in 0..<width {
            let add = x + r, drop = x - r - 1
            if add < width { sv += Double(values[row + add] * weights[row + add]); sw += Double(weights[row + add]) }
            if drop >= 0 { sv -= Double(values[row + drop] * weights[row + drop]); sw -= Double(weights[row + drop]) }
            sumV[row + x] = Float(sv); sumW[row + x] = Float(sw)
        }
    }
    // Vertical pass, a row of column sums at a time (cache friendly).
    var out = [Float](repeating: 0, count: n)
    var colV = [Double](repeating: 0, count: width), colW = [Double](repeating: 0, count: width)
    for y in 0..<min(r, height) { for x in 0..<width { colV[x] += Double(sumV[y * width + x]); colW[x] += Double(sumW[y * width + x]) } }
    for y in 0..<height {
        let add = y + r, drop = y - r - 1
        if add < height { for x in 0..<width { colV[x] += Double(sumV[add * width + x]); colW[x] += Double(sumW[add * width + x]) } }
        if drop >= 0 { for x in 0..<width { colV[x] -= Double(sumV[drop * width + x]); colW[x] -= Double(sumW[drop * width + x]) } }
        for x in 0..<width { out[y * width + x] = colW[x] > 0.5 ? Float(colV[x] / colW[x]) : .nan }
    }
    return out
}

/// Per-object sums over the pixels of a labelled object, split into body and shadow pixels.
struct ObjectMoments {
    var bodyCount = 0, shadowCount = 0
    var bodySumX = 0.0, bodySumY = 0.0, bodySumXX = 0.0, bodySumYY = 0.0, bodySumXY = 0.0
    var shadowSumX = 0.0, shadowSumY = 0.0
    var contrastSum = 0.0

    mutating func addBody(_ x: Double, _ y: Double, contrast: Float) {
        bodyCount += 1; bodySumX += x; bodySumY += y; bodySumXX += x * x; bodySumYY += y * y; bodySumXY += x * y
        contrastSum += Double(contrast)
    }
    mutating func addShadow(_ x: Double, _ y: Double) { shadowCount += 1; shadowSumX += x; shadowSumY += y }
    var bodyCentroid: PixelPoint { PixelPoint(x: bodySumX / Double(bodyCount), y: bodySumY / Double(bodyCount)) }
    var shadowCentroid: PixelPoint { PixelPoint(x: shadowSumX / Double(shadowCount), y: shadowSumY / Double(shadowCount)) }
}

/// The principal axes of a 2-D point cloud's covariance, without trigonometry.
struct PrincipalAxes {
    /// Unit vector of the major axis (pixel x, y).
    var major: (Double, Double)
    var majorVariance: Double
    var minorVariance: Double

    init(sxx: Double, syy: Double, sxy: Double) {
        let half = (sxx + syy) / 2
        let root = (((sxx - syy) / 2) * ((sxx - syy) / 2) + sxy * sxy).squareRoot()
        majorVariance = half + root
        minorVariance = max(0, half - root)
        // Eigenvector of the larger eigenvalue: (sxy, λ - sxx) or, when sxy = 0, the axis itself.
        var v = abs(sxy) > 1e-12 ? (sxy, majorVariance - sxx) : (sxx >= syy ? (1.0, 0.0) : (0.0, 1.0))
        let norm = (v.0 * v.0 + v.1 * v.1).squareRoot()
        v = (v.0 / norm, v.1 / norm)
        major = v
    }
}

struct StructureDetector {
    let image: StructureImage
    let parameters: StructureDetectionParameters

    /// An odd element side of about `meters`, at least 3 px.
    private func side(_ meters: Double) -> Int {
        let px = max(3, Int((meters / image.gsd).rounded()))
        return px | 1
    }

    func run() -> [DetectedStructure] {
        let w = image.width, h = image.height, n = w * h
        let L = image.brightness
        // The darkest level of the scene (path radiance plus the blackest shadows and water) and the
        // typical ground level, from a sample of the region.
        var sample: [Float] = []
        sample.reserveCapacity(n / 7 + 1)
        var i = 0
        while i < n { if image.inRegion[i] != 0 { sample.append(L[i]) }; i += 7 }
        guard sample.count > 100 else { return [] }
        sample.sort()
        let dark = sample[Int(Double(sample.count) * 0.002)]
        // Per band, the same low percentile: each band's path radiance (haze and offset differ by band),
        // removed before comparing hues.
        let bandDark: [Float] = image.colour.map { band in
            var values: [Float] = []
            values.reserveCapacity(n / 7 + 1)
            var i = 0
            while i < n { if image.inRegion[i] != 0 { values.append(band[i]) }; i += 7 }
            values.sort()
            return values[Int(Double(values.count) * 0.002)]
        }
        let median = sample[sample.count / 2]
        guard median > dark else { return [] }

        // Pass 1: ground brightness and colour from pixels that are neither obviously dark nor
        // outside the region; pass 2 also leaves out the bodies pass 1 found.
        let radius = max(2, Int((parameters.backgroundWindowMeters / image.gsd / 2).rounded()))
        var weights = [Float](repeating: 0, count: n)
        let roughDark = dark + 0.6 * (median - dark)
        for i in 0..<n where image.inRegion[i] != 0 && L[i] > roughDark { weights[i] = 1 }
        var ground = image.colour.map { maskedBoxMean($0, weights: weights, width: w, height: h, radius: radius) }
        var groundL = maskedBoxMean(L, weights: weights, width: w, height: h, radius: radius)
        var shadow = [UInt8](repeating: 0, count: n), body = [UInt8](repeating: 0, count: n)
        var contrast = [Float](repeating: 0, count: n)
        func classify() {
            for i in 0..<n {
                shadow[i] = 0; body[i] = 0
                guard image.inRegion[i] != 0, groundL[i].isFinite, groundL[i] > dark else { continue }
                if L[i] - dark < parameters.shadowRatio * (groundL[i] - dark) {
                    if image.colour.count >= 3 {
                        let excessGreen = (image.colour[1][i] - bandDark[1]) - 0.5 * (image.colour[0][i] - bandDark[0] + image.colour[2][i] - bandDark[2])
                        if excessGreen > parameters.vegetationExcessGreen * (groundL[i] - dark) { continue }
                    }
                    shadow[i] = 1; continue
                }
                var d2: Float = 0
                for b in 0..<image.colour.count { let d = image.colour[b][i] - ground[b][i]; d2 += d * d }
                let c = (d2 / Float(image.colour.count)).squareRoot() * (image.colour.count == 1 ? 1 : 1.7) / (groundL[i] - dark)
                contrast[i] = c
                if c > parameters.bodyContrast { body[i] = 1 }
            }
        }
        classify()
        for i in 0..<n where body[i] != 0 || shadow[i] != 0 { weights[i] = 0 }
        ground = image.colour.map { maskedBoxMean($0, weights: weights, width: w, height: h, radius: radius) }
        groundL = maskedBoxMean(L, weights: weights, width: w, height: h, radius: radius)
        classify()

        var scratch = [UInt8](repeating: 0, count: BinaryMorphology.scratchCount(width: w, height: h, element: .square(side(8))))
        func morph(_ op: BinaryMorphology.Operation, _ mask: [UInt8], _ side: Int) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: n)
            mask.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    scratch.withUnsafeMutableBufferPointer { s in
                        BinaryMorphology.apply(op, to: PlaneView(src, width: w, height: h), into: MutablePlaneView(dst, width: w, height: h),
                                               element: .square(side), scratch: s)
                    }
                }
            }
            return out
        }
        let px2 = image.gsd * image.gsd

        // MARK: Buildings: body ∪ shadow objects.
        let bodyOpen = morph(.open, body, side(parameters.buildingOpeningMeters))
        let shadowOpen = morph(.open, shadow, side(parameters.buildingOpeningMeters))
        var objects = [UInt8](repeating: 0, count: n)
        for i in 0..<n where bodyOpen[i] != 0 || shadowOpen[i] != 0 { objects[i] = 1 }
        objects = morph(.close, objects, side(parameters.buildingClosingMeters))
        var labels = [Int32](repeating: 0, count: n)
        let components = objects.withUnsafeBufferPointer { m in
            labels.withUnsafeMutableBufferPointer { l in
                ConnectedComponents.label(mask: m, width: w, height: h, connectivity: .eight, labels: l)
            }
        }
        var moments = [ObjectMoments](repeating: ObjectMoments(), count: components.count)
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                let label = Int(labels[i])
                guard label > 0 else { continue }
                if shadow[i] != 0 { moments[label - 1].addShadow(Double(x) + 0.5, Double(y) + 0.5) }
                else if bodyOpen[i] != 0 || body[i] != 0 { moments[label - 1].addBody(Double(x) + 0.5, Double(y) + 0.5, contrast: contrast[i]) }
            }
        }
        // Shadow beside an object is its shadow too: a high sun or a leaning view leaves a strip a
        // pixel or two wide along the wall, which the opening drops and the closing does not reach
        // (measured: at 0.8 m per pixel, four new buildings with no shadow left, so not found).
        let reach = side(parameters.buildingClosingMeters) / 2
        for y in 0..<h {
            for x in 0..<w where labels[y * w + x] == 0 && shadow[y * w + x] != 0 {
                var owner: Int32 = 0
                search: for dy in -reach...reach {
                    for dx in -reach...reach {
                        let nx = x + dx, ny = y + dy
                        guard nx >= 0, ny >= 0, nx < w, ny < h, bodyOpen[ny * w + nx] != 0, labels[ny * w + nx] > 0 else { continue }
                        owner = labels[ny * w + nx]; break search
                    }
                }
                if owner > 0 { moments[Int(owner) - 1].addShadow(Double(x) + 0.5, Double(y) + 0.5) }
            }
        }
        struct BuildingCandidate { var body: PixelPoint; var shadow: PixelPoint; var m: ObjectMoments }
        enum Verdict { case building, tooLong, other }
        func judge(_ m: ObjectMoments) -> Verdict {
            let bodyArea = Double(m.bodyCount) * px2
            guard m.bodyCount > 0, bodyArea >= parameters.buildingBodyArea.lowerBound else { return .other }
            let c = m.bodyCentroid
            let axes = PrincipalAxes(sxx: m.bodySumXX / Double(m.bodyCount) - c.x * c.x, syy: m.bodySumYY / Double(m.bodyCount) - c.y * c.y,
                                     sxy: m.bodySumXY / Double(m.bodyCount) - c.x * c.y)
            let length = (12 * axes.majorVariance).squareRoot() * image.gsd
            let breadth = (12 * axes.minorVariance).squareRoot() * image.gsd
            // Too long or too large for one building: possibly several, joined by their shadows.
            guard bodyArea <= parameters.buildingBodyArea.upperBound, length <= parameters.buildingMaxLengthMeters else { return .tooLong }
            // A compact body: not a track or a line of speckle (which fill little of their rectangle).
            guard breadth >= 4, bodyArea >= 0.55 * length * breadth else { return .other }
            return Double(m.shadowCount) * px2 >= parameters.buildingMinShadowArea ? .building : .other
        }
        var candidates: [BuildingCandidate] = []
        var joined = Set<Int32>()
        for (k, m) in moments.enumerated() {
            switch judge(m) {
            case .building: candidates.append(BuildingCandidate(body: m.bodyCentroid, shadow: m.shadowCentroid, m: m))
            case .tooLong: joined.insert(Int32(k + 1))
            case .other: break
            }
        }
        // Low sun: long shadows join neighbouring buildings into one long object. Such an object is
        // split into its bodies (each closed on its own), and each shadow pixel goes to the body it
        // reaches first within the object.
        if !joined.isEmpty {
            let bodies = morph(.close, bodyOpen, side(parameters.buildingClosingMeters))
            var bodyLabels = [Int32](repeating: 0, count: n)
            let bodyCount = bodies.withUnsafeBufferPointer { m in
                bodyLabels.withUnsafeMutableBufferPointer { l in
                    ConnectedComponents.label(mask: m, width: w, height: h, connectivity: .eight, labels: l)
                }
            }.count
            var owner = [Int32](repeating: 0, count: n)
            var front: [Int] = []
            for i in 0..<n where bodyLabels[i] > 0 && joined.contains(labels[i]) { owner[i] = bodyLabels[i]; front.append(i) }
            while !front.isEmpty {
                var next: [Int] = []
                for i in front {
                    let x = i % w, y = i / w
                    for j in [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, y > 0 ? i - w : -1, y < h - 1 ? i + w : -1]
                    where j >= 0 && owner[j] == 0 && labels[j] == labels[i] {
                        owner[j] = owner[i]; next.append(j)
                    }
                }
                front = next
            }
            var parts = [ObjectMoments](repeating: ObjectMoments(), count: bodyCount)
            for i in 0..<n where owner[i] > 0 {
                let x = Double(i % w) + 0.5, y = Double(i / w) + 0.5
                if shadow[i] != 0 { parts[Int(owner[i]) - 1].addShadow(x, y) }
                else if bodyOpen[i] != 0 || body[i] != 0 { parts[Int(owner[i]) - 1].addBody(x, y, contrast: contrast[i]) }
            }
            // (A part must be a building's size: a guard post's cabin and shadow on a fence line that
            // ran too long is no building.)
            for m in parts where judge(m) == .building && Double(m.bodyCount) * px2 >= 2 * parameters.buildingBodyArea.lowerBound {
                candidates.append(BuildingCandidate(body: m.bodyCentroid, shadow: m.shadowCentroid, m: m))
            }
        }

        // The shadow direction of the date, from the buildings: body centre -> shadow centre, the
        // component-wise median of unit vectors (robust to a few odd objects).
        var ux: [Double] = [], uy: [Double] = []
        for c in candidates {
            let dx = c.shadow.x - c.body.x, dy = c.shadow.y - c.body.y
            let d = (dx * dx + dy * dy).squareRoot()
            if d > 0.5 { ux.append(dx / d); uy.append(dy / d) }
        }
        var shadowDirection: (Double, Double)? = nil
        if ux.count >= 3 {
            ux.sort(); uy.sort()
            let mx = ux[ux.count / 2], my = uy[uy.count / 2]
            let d = (mx * mx + my * my).squareRoot()
            if d > 0.3 { shadowDirection = (mx / d, my / d) }
        }

        var found: [DetectedStructure] = []
        for c in candidates {
            let m = c.m
            // A building's shadow lies on its side away from the sun: with a known direction, drop
            // objects whose dark part lies towards the sun (a dark patch beside a bright one).
            var agreement = 1.0
            // (A shadow of a few pixels, as a weak candidate may have, says nothing of its direction;
            // nor does one under a twentieth of the body: the blurred rim along a wall, where a high
            // sun casts a shadow too thin to pass as one (measured: a 390 m² grey roof's 4 m² rim,
            // across the sun's direction, dropped an old building, which then counted as new).)
            if let (sx, sy) = shadowDirection, Double(m.shadowCount) * px2 >= max(4, 0.05 * Double(m.bodyCount) * px2) {
                let dx = c.shadow.x - c.body.x, dy = c.shadow.y - c.body.y
                let d = (dx * dx + dy * dy).squareRoot()
                if d > 0.5 { agreement = (dx * sx + dy * sy) / d }
                if agreement < -0.2 { continue }
            }
            let centre = c.body
            let axes = PrincipalAxes(sxx: m.bodySumXX / Double(m.bodyCount) - centre.x * centre.x,
                                     syy: m.bodySumYY / Double(m.bodyCount) - centre.y * centre.y,
                                     sxy: m.bodySumXY / Double(m.bodyCount) - centre.x * centre.y)
            let halfL = (3 * axes.majorVariance).squareRoot(), halfW = (3 * axes.minorVariance).squareRoot()
            let (ax, ay) = axes.major
            let corners = [(-1.0, -1.0), (1, -1), (1, 1), (-1, 1)].map { s -> MapPoint in
                image.map(centre.x + s.0 * halfL * ax - s.1 * halfW * ay, centre.y + s.0 * halfL * ay + s.1 * halfW * ax)
            }
            let area = 4 * halfL * halfW * px2
            let meanContrast = m.contrastSum / Double(m.bodyCount)
            let shadowFraction = Double(m.shadowCount) / Double(m.shadowCount + m.bodyCount)
            let confidence = min(1, max(0, 0.4 * min(1, meanContrast / 0.4) + 0.4 * min(1, shadowFraction / 0.15) + 0.2 * max(0, agreement)))
            found.append(DetectedStructure(kind: .building, center: image.map(centre.x, centre.y), footprint: MapPolygon(corners),
                                           areaSquareMeters: area, confidence: confidence,
                                           shadowAreaSquareMeters: Double(m.shadowCount) * px2))
        }

        return found
    }
}

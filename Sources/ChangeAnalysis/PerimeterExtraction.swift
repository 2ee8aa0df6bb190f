import GeoRaster
import RasterKernels

/// One date's perimeter from structure alone:
/// 1. read the area around the site strip by strip, box-averaged to ~1 m luminance;
/// 2. fence evidence: thin dark lines (black top-hat, closing minus image) with a bright strip
///    (the cleared ground) within a few metres;
/// 3. close small gaps by dilation, and take the smallest enclosure of the site that is not a
///    building (area threshold), with its holes filled;
/// 4. trace its boundary and simplify it to a polygon;
/// 5. refine each side on the image: along the side's normal find the fence profile (dark line,
///    brighter on both sides) station by station and fit a straight line robustly; corners are
///    where neighbouring lines meet. The lines' scatter gives the inner/outer contours.
struct PerimeterExtractor {
    let source: PixelSource
    let site: MapPoint
    let aoi: MapPolygon?
    let validity: PixelSource?
    let parameters: PerimeterParameters
    let debug: ((String, Int, Int, [Float]) -> Void)?

    // The working grid.
    var width = 0, height = 0
    var pixelMeters = 1.0
    var transform = GeoTransform(originX: 0, originY: 0, pixelWidth: 1, pixelHeight: -1)
    var luminance: [Float] = []
    var valid: [Bool] = []

    init(source: PixelSource, site: MapPoint, aoi: MapPolygon?, validity: PixelSource?,
         parameters: PerimeterParameters, debug: ((String, Int, Int, [Float]) -> Void)?) throws {
        self.source = source; self.site = site; self.aoi = aoi; self.validity = validity
        self.parameters = parameters; self.debug = debug
    }

    mutating func run() throws -> DatePerimeter {
        try readWorkingImage()
        let raw = luminance
        // Each normalisation in turn until a closed fence line encloses the site. An enclosure that
        // runs off the image is taken only when none closes (see `Enclosure.runsOffImage`).
        var runsOffImage: DatePerimeter?
        var failure: Error?
        for normalisation in Normalisation.allCases {
            luminance = normalised(raw, normalisation)
            do {
                let enclosed = try enclosure(fenceEvidence())
                let perimeter = try outline(enclosed)
                if !enclosed.runsOffImage { return perimeter }
                if runsOffImage == nil { runsOffImage = perimeter }
            } catch let error as PerimeterError where error.kind == .noClosedPerimeter || error.kind == .outlineCrossesItself {
                failure = error
            }
        }
        if let runsOffImage { return runsOffImage }
        throw failure ?? PerimeterError(.noClosedPerimeter, "no closed fence line encloses the site")
    }

    /// The enclosure's boundary, simplified and refined on the image.
    func outline(_ enclosed: Enclosure) throws -> DatePerimeter {
        let dilation = enclosed.dilationPixels
        let traced = traceBoundary(enclosed.region)
        // Shape vertices of a compound are tens of metres out of line; what is left of posts and
        // gaps is a few metres.
        let simplifyTolerance = max(parameters.simplifyMeters, 3 * pixelMeters, Double(dilation) * pixelMeters + 2)
        var rough = RingGeometry.simplify(ring: traced, tolerance: simplifyTolerance)
        rough = MapPolygon(rough).counterClockwise.ring
        let perimeter = refine(rough, dilationPixels: dilation)
        if let crossing = RingGeometry.selfCrossing(perimeter.polygon.ring) {
            throw PerimeterError(.outlineCrossesItself, "the fence lines fitted around the enclosure cross each other at (\(crossing.x.rounded()), \(crossing.y.rounded())): no compound outline")
        }
        return perimeter
    }

    // MARK: 1. Reading

    mutating func readWorkingImage() throws {
        guard let georeferencing = source.georeferencing else {
            throw PerimeterError(.notGeoreferenced, "the image is not georeferenced")
        }
        let t = georeferencing.transform
        let layout = source.layout
        let gsd = abs(t.pixelWidth * t.pixelHeight - t.rowRotation * t.columnRotation).squareRoot()
        guard let sitePixel = t.pixel(site), sitePixel.x >= 0, sitePixel.y >= 0,
              sitePixel.x < Double(layout.width), sitePixel.y < Double(layout.height) else {
            throw PerimeterError(.siteOutsideImage, "the site \(site) is outside the image")
        }
        let r = parameters.windowRadiusMeters / gsd
        var x0 = Int((sitePixel.x - r).rounded(.down)), x1 = Int((sitePixel.x + r).rounded(.up))
        var y0 = Int((sitePixel.y - r).rounded(.down)), y1 = Int((sitePixel.y + r).rounded(.up))
        if let aoi {
            let corners = aoi.ring.compactMap { t.pixel($0) }
            if !corners.isEmpty {
                x0 = max(x0, Int(corners.map(\.x).min()!.rounded(.down)) - 8)
                x1 = min(x1, Int(corners.map(\.x).max()!.rounded(.up)) + 8)
                y0 = max(y0, Int(corners.map(\.y).min()!.rounded(.down)) - 8)
                y1 = min(y1, Int(corners.map(\.y).max()!.rounded(.up)) + 8)
            }
        }
        x0 = max(0, x0); y0 = max(0, y0); x1 = min(layout.width, x1); y1 = min(layout.height, y1)
        let factor = max(1, Int((parameters.workingPixelMeters / gsd + 0.25).rounded(.down)))
        width = (x1 - x0) / factor; height = (y1 - y0) / factor
        guard width >= 16, height >= 16 else { throw PerimeterError(.siteOutsideImage, "too little image around the site") }
        pixelMeters = gsd * Double(factor)
        let origin = t.map(PixelPoint(x: Double(x0), y: Double(y0)))
        transform = GeoTransform(gdalOrder: [origin.x, t.pixelWidth * Double(factor), t.rowRotation * Double(factor),
                                             origin.y, t.columnRotation * Double(factor), t.pixelHeight * Double(factor)])

        luminance = [Float](repeating: 0, count: width * height)
        valid = [Bool](repeating: true, count: width * height)
        let bands = min(3, layout.bandCount)
        let nativeWidth = width * factor
        let stripHeight = factor * max(1, parameters.stripRows / factor)
        let bytesPerSample = layout.pixelType.bytesPerSample
        var buffer = [UInt8](repeating: 0, count: nativeWidth * stripHeight * layout.bandCount * bytesPerSample)
        var maskBuffer = [UInt8](repeating: 0, count: validity.map { nativeWidth * stripHeight * $0.layout.bandCount * $0.layout.pixelType.bytesPerSample } ?? 0)
        var values = [Float](repeating: 0, count: nativeWidth * stripHeight * layout.bandCount)
        let nodata = source.nodata.map { Float($0) }
        let scale = 1 / Float(bands * factor * factor)
        var row = 0
        while row < height * factor {
            let rows = min(stripHeight, height * factor - row)
            let window = PixelWindow(x: x0, y: y0 + row, width: nativeWidth, height: rows)
            let count = window.pixelCount
            try buffer.withUnsafeMutableBytes { try source.read(window: window, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<(count * layout.bandCount * bytesPerSample)])) }
            Self.convert(buffer, type: layout.pixelType, count: count * layout.bandCount, into: &values)
            var maskValid: [Bool]? = nil
            if let validity {
                let mb = validity.layout.pixelType.bytesPerSample * validity.layout.bandCount
                try maskBuffer.withUnsafeMutableBytes { try validity.read(window: window, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<(count * mb)])) }
                var m = [Float](repeating: 0, count: count * validity.layout.bandCount)
                Self.convert(maskBuffer, type: validity.layout.pixelType, count: count * validity.layout.bandCount, into: &m)
                maskValid = (0..<count).map { m[$0] != 0 }
            }
            for y in 0..<rows {
                let wy = (row + y) / factor
                for x in 0..<nativeWidth {
                    let i = y * nativeWidth + x
                    let w = wy * width + x / factor
                    var sum: Float = 0
                    var ok = maskValid?[i] ?? true
                    for band in 0..<layout.bandCount {
                        let v = values[band * count + i]
                        if let nodata, v == nodata { ok = false }
                        if band < bands { sum += v }
                    }
                    if !ok { valid[w] = false }
                    luminance[w] += sum * scale
                }
            }
            row += rows
        }
        // Outside the AOI counts as invalid (a barrier).
        if let aoi {
            for y in 0..<height {
                for x in 0..<width where !aoi.contains(transform.map(PixelPoint(x: Double(x) + 0.5, y: Double(y) + 0.5))) {
                    valid[y * width + x] = false
                }
            }
        }
    }

    /// How brightness is made relative, so that thresholds hold across gains, bit depths and haze.
    enum Normalisation: CaseIterable {
        /// The window's median: robust to clouds and dark patches in the window.
        case windowMedian
        /// The mean of the surroundings (`normalisationRadiusMeters`): does not depend on how much
        /// of the window the compound fills (against the median, a compound filling a third of a
        /// small window moved the thresholds enough to lose the whole fence).
        case surroundings
    }

    func normalised(_ raw: [Float], _ normalisation: Normalisation) -> [Float] {
        var out = raw
        switch normalisation {
        case .windowMedian:
            var sample: [Float] = []
            sample.reserveCapacity(raw.count / 7 + 1)
            for i in stride(from: 0, to: raw.count, by: 7) where valid[i] { sample.append(raw[i]) }
            sample.sort()
            let median = sample.isEmpty ? 1 : max(sample[sample.count / 2], 1e-6)
            for i in out.indices { out[i] = valid[i] ? raw[i] / median : 1 }
        case .surroundings:
            let radius = max(2, Int((parameters.normalisationRadiusMeters / pixelMeters).rounded()))
            let mean = maskedBoxMean(raw, weights: valid.map { $0 ? 1 : 0 }, width: width, height: height, radius: radius)
            for i in out.indices { out[i] = valid[i] && mean[i].isFinite && mean[i] > 1e-6 ? raw[i] / mean[i] : 1 }
        }
        debug?("luminance", width, height, out)
        return out
    }

    static func convert(_ bytes: [UInt8], type: PixelType, count: Int, into out: inout [Float]) {
        bytes.withUnsafeBytes { raw in
            switch type {
            case .uint8: for i in 0..<count { out[i] = Float(raw[i]) }
            case .uint16: let p = raw.bindMemory(to: UInt16.self); for i in 0..<count { out[i] = Float(p[i]) }
            case .int16: let p = raw.bindMemory(to: Int16.self); for i in 0..<count { out[i] = Float(p[i]) }
            case .float32: let p = raw.bindMemory(to: Float.self); for i in 0..<count { out[i] = p[i] }
            case .float64: let p = raw.bindMemory(to: Double.self); for i in 0..<count { out[i] = Float(p[i]) }
            }
        }
    }

    // MARK: 2. Fence evidence

    /// Separable square max (or min) filter of radius r, edges clamped.
    func rankFilter(_ input: [Float], radius r: Int, maximum: Bool) -> [Float] {
        var tmp = input, out = input
        for y in 0..<height {
            let base = y * width
            for x in 0..<width {
                var m = input[base + x]
                for k in max(0, x - r)...min(width - 1, x + r) {
                    let v = input[base + k]
                    m = maximum ? max(m, v) : min(m, v)
                }
                tmp[base + x] = m
            }
        }
        for y in 0..<height {
            for x in 0..<width {
                var m = tmp[y * width + x]
                for k in max(0, y - r)...min(height - 1, y + r) {
                    let v = tmp[k * width + x]
                    m = maximum ? max(m, v) : min(m, v)
                }
                out[y * width + x] = m
            }
        }
        return out
    }

    func boxMean3(_ input: [Float]) -> [Float] {
        var out = input
        for y in 1..<(height - 1) {
            for x in 1..<(width - 1) {
                var s: Float = 0
                for dy in -1...1 { for dx in -1...1 { s += input[(y + dy) * width + x + dx] } }
                out[y * width + x] = s / 9
            }
        }
        return out
    }

    /// 1 where a thin dark line runs beside bright ground, or where the image is invalid (a barrier:
    /// the enclosure must not leak through a cloud; the refinement reports the hidden length).
    func fenceEvidence() -> [UInt8] {
        let r = max(1, Int((parameters.lineHalfWidthMeters / pixelMeters).rounded()))
        let closing = rankFilter(rankFilter(luminance, radius: r, maximum: true), radius: r, maximum: false)
        let reach = max(2, Int((parameters.stripReachMeters / pixelMeters).rounded()))
        let bright = rankFilter(boxMean3(luminance), radius: reach, maximum: true)
        var mask = [UInt8](repeating: 0, count: width * height)
        var depth = [Float](repeating: 0, count: width * height)
        for i in mask.indices {
            let d = closing[i] - luminance[i]
            depth[i] = d
            if !valid[i] || (d >= parameters.lineContrast && bright[i] >= parameters.stripBrightness) { mask[i] = 1 }
        }
        debug?("depth", width, height, depth)
        debug?("bright", width, height, bright)
        debug?("evidence", width, height, mask.map { Float($0) })
        return mask
    }

    // MARK: 3. The enclosure

    /// Labels 4-connected components of pixels where `member` is true; returns labels (0 = none).
    func label(_ member: (Int) -> Bool) -> (labels: [Int32], sizes: [Int], touchesBorder: [Bool]) {
        var labels = [Int32](repeating: 0, count: width * height)
        var sizes = [0], border = [false]
        var stack: [Int] = []
        for start in labels.indices where labels[start] == 0 && member(start) {
            let id = Int32(sizes.count)
            sizes.append(0); border.append(false)
            labels[start] = id
            stack.append(start)
            while let i = stack.popLast() {
                sizes[Int(id)] += 1
                let x = i % width, y = i / width
                if x == 0 || y == 0 || x == width - 1 || y == height - 1 { border[Int(id)] = true }
                for j in [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, y > 0 ? i - width : -1, y < height - 1 ? i + width : -1]
                where j >= 0 && labels[j] == 0 && member(j) {
                    labels[j] = id
                    stack.append(j)
                }
            }
        }
        return (labels, sizes, border)
    }

    /// `region` with its holes filled: everything not reachable from the border outside it.
    func fillHoles(_ region: [Bool]) -> [Bool] {
        var outside = [Bool](repeating: false, count: width * height)
        var stack: [Int] = []
        for x in 0..<width { stack.append(x); stack.append((height - 1) * width + x) }
        for y in 0..<height { stack.append(y * width); stack.append(y * width + width - 1) }
        while let i = stack.popLast() {
            if outside[i] || region[i] { continue }
            outside[i] = true
            let x = i % width, y = i / width
            if x > 0 { stack.append(i - 1) }
            if x < width - 1 { stack.append(i + 1) }
            if y > 0 { stack.append(i - width) }
            if y < height - 1 { stack.append(i + width) }
        }
        return outside.map { !$0 }
    }

    struct Enclosure {
        /// The compound: the loop of fence evidence and everything inside it.
        var region: [Bool]
        /// The gap-closing dilation that closed it.
        var dilationPixels: Int
        /// The region reaches the image's edge. A compound cut by the image's edge does, but so does
        /// a leak through a gap in the fence evidence wider than the widest closing (h140: a 27 m
        /// stretch of fence beside a dull strip let the compound flood the fields south of it to
        /// the image's edge), so a closed loop found another way is taken before it.
        var runsOffImage: Bool
    }

    /// The smallest closed loop of fence evidence around the site that is larger than a building.
    func enclosure(_ evidence: [UInt8]) throws -> Enclosure {
        guard let sp = transform.pixel(site) else { throw PerimeterError(.siteOutsideImage, "the site is outside the image") }
        let sx = min(width - 1, max(0, Int(sp.x))), sy = min(height - 1, max(0, Int(sp.y)))
        let minimumPixels = Int(parameters.minimumAreaSquareMeters / (pixelMeters * pixelMeters))
        // A site under a cloud: the cloud is a barrier, and where it reaches past the fence it is
        // no hole of the compound either. The compound is then the cloud with the regions that
        // border it (the valid parts of the compound around it; the outside touches the image's
        // border and is left out), holes filled.
        var siteCloud: [Bool] = []
        if !valid[sy * width + sx] {
            let clouds = label { !valid[$0] }
            let cloud = clouds.labels[sy * width + sx]
            siteCloud = clouds.labels.map { $0 == cloud }
        }
        var dilated = [UInt8](repeating: 0, count: evidence.count)
        var tried: [Int] = []
        var runsOffImage: ([Bool], Int)?  // the first region that runs off the image
        for meters in parameters.gapClosingMeters {
            let k = max(0, Int((meters / pixelMeters).rounded()))
            if tried.contains(k) { continue }
            tried.append(k)
            let side = 2 * k + 1
            evidence.withUnsafeBufferPointer { src in
                dilated.withUnsafeMutableBufferPointer { dst in
                    if side == 1 { _ = dst.initialize(from: src); return }
                    var s = [UInt8](repeating: 0, count: BinaryMorphology.scratchCount(width: width, height: height, element: .square(side)))
                    s.withUnsafeMutableBufferPointer { sb in
                        BinaryMorphology.dilate(PlaneView(src, width: width, height: height),
                                                into: MutablePlaneView(dst, width: width, height: height),
                                                element: .square(side), scratch: sb)
                    }
                }
            }
            let comps = label { dilated[$0] == 0 }
            // A region may run off the image (the compound is cut by the image edge): accepted if it
            // holds under half the image, unlike a leak through a gap, which floods nearly all of it;
            // and only if no wider closing shuts a loop (`Enclosure.runsOffImage`). The stretch
            // along the edge is reported as occluded by the refinement.
            let validPixels = valid.reduce(0) { $0 + ($1 ? 1 : 0) }
            // Candidates: components crossed walking out from the site in eight directions, nearest
            // first (a building's or the inner complex's loops come before the outer fence).
            var order: [Int32] = []
            var bestDistance: [Int32: Int] = [:]
            for (dx, dy) in [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1)] {
                var x = sx, y = sy, step = 0
                while x >= 0, y >= 0, x < width, y < height {
                    let l = comps.labels[y * width + x]
                    if l != 0, !comps.touchesBorder[Int(l)] || comps.sizes[Int(l)] < validPixels / 2 {
                        if bestDistance[l].map({ step < $0 }) ?? true { bestDistance[l] = step }
                    }
                    x += dx; y += dy; step += 1
                }
            }
            order = bestDistance.keys.sorted { (bestDistance[$0]!, $0) < (bestDistance[$1]!, $1) }
            if !siteCloud.isEmpty {
                // The cloud grown past the band the closing added around it, and the regions it meets.
                var grown = siteCloud
                var front = siteCloud.indices.filter { siteCloud[$0] }
                for _ in 0...k {
                    var next: [Int] = []
                    for i in front {
                        let x = i % width, y = i / width
                        for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] where nx >= 0 && ny >= 0 && nx < width && ny < height {
                            let j = ny * width + nx
                            if !grown[j] { grown[j] = true; next.append(j) }
                        }
                    }
                    front = next
                }
                var bordering = Set<Int32>()
                for i in front {
                    let l = comps.labels[i]
                    if l != 0, !comps.touchesBorder[Int(l)] { bordering.insert(l) }
                }
                let filled = fillHoles(grown.indices.map { grown[$0] || bordering.contains(comps.labels[$0]) })
                let area = filled.reduce(0) { $0 + ($1 ? 1 : 0) }
                if !bordering.isEmpty, area >= minimumPixels, area < validPixels / 2 {
                    return smoothedEnclosure(filled, k, runsOffImage: false)
                }
                continue
            }
            for l in order.prefix(12) {
                // Holes filled: the loop plus everything inside it (buildings, inner walls).
                let filled = fillHoles(comps.labels.map { $0 == l })
                guard filled[sy * width + sx] else { continue }
                let area = filled.reduce(0) { $0 + ($1 ? 1 : 0) }
                guard area >= minimumPixels else { continue }
                if !comps.touchesBorder[Int(l)] { return smoothedEnclosure(filled, k, runsOffImage: false) }
                // A wider closing may yet shut the compound.
                if area < validPixels / 2, runsOffImage == nil { runsOffImage = (filled, k) }
            }
        }
        if let (filled, k) = runsOffImage { return smoothedEnclosure(filled, k, runsOffImage: true) }
        throw PerimeterError(.noClosedPerimeter, "no closed fence line encloses the site")
    }

    /// `filled` with the notches of posts closed, as an `Enclosure`.
    func smoothedEnclosure(_ filled: [Bool], _ dilation: Int, runsOffImage: Bool) -> Enclosure {
        let smoothed = closeNotches(filled)
        debug?("enclosure", width, height, smoothed.map { $0 ? 1 : 0 })
        return Enclosure(region: smoothed, dilationPixels: dilation, runsOffImage: runsOffImage)
    }

    /// Guard posts and their shadows stand on the fence line and cut notches of up to ~10 m into
    /// the enclosure; a closing wider than that removes them (the refinement puts the corners
    /// back where the fitted lines meet, so the rounding closing causes at corners does not matter).
    func closeNotches(_ region: [Bool]) -> [Bool] {
        let c = max(1, Int((parameters.notchWidthMeters / pixelMeters).rounded()))
        let element = StructuringElement.square(2 * c + 1)
        let source = region.map { UInt8($0 ? 1 : 0) }
        var out = [UInt8](repeating: 0, count: source.count)
        var scratch = [UInt8](repeating: 0, count: BinaryMorphology.scratchCount(width: width, height: height, element: element))
        source.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                scratch.withUnsafeMutableBufferPointer { sb in
                    BinaryMorphology.close(PlaneView(src, width: width, height: height),
                                           into: MutablePlaneView(dst, width: width, height: height), element: element, scratch: sb)
                }
            }
        }
        return out.map { $0 != 0 }
    }

    // MARK: 4. Boundary

    /// The outer boundary of a region as map points along pixel edges.
    func traceBoundary(_ region: [Bool]) -> [MapPoint] {
        // Directed boundary edges with the region on the left in pixel coordinates (x right, y down):
        // keyed by start vertex (x, y) packed as y * (width + 1) + x.
        var next: [Int: [Int]] = [:]
        let stride = width + 1
        func add(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int) { next[y0 * stride + x0, default: []].append(y1 * stride + x1) }
        func inside(_ x: Int, _ y: Int) -> Bool { x >= 0 && y >= 0 && x < width && y < height && region[y * width + x] }
        for y in 0..<height {
            for x in 0..<width where region[y * width + x] {
                if !inside(x, y - 1) { add(x + 1, y, x, y) }
                if !inside(x - 1, y) { add(x, y, x, y + 1) }
                if !inside(x, y + 1) { add(x, y + 1, x + 1, y + 1) }
                if !inside(x + 1, y) { add(x + 1, y + 1, x + 1, y) }
            }
        }
        var best: [Int] = []
        // The lowest vertex starts each loop: a dictionary's order differs from run to run, and the
        // simplified polygon (so every figure after it) depends on where its loop starts.
        while let start = next.filter({ !$0.value.isEmpty }).keys.min() {
            var loop: [Int] = [start]
            var v = start
            while true {
                guard var outs = next[v], !outs.isEmpty else { break }
                let w = outs.removeLast()
                next[v] = outs
                if w == start { break }
                loop.append(w)
                v = w
            }
            next = next.filter { !$0.value.isEmpty }
            if loop.count > best.count { best = loop }
        }
        return best.map { transform.map(PixelPoint(x: Double($0 % stride), y: Double($0 / stride))) }
    }

    // MARK: 5. Refinement

    @inline(__always) func sample(_ p: PixelPoint) -> (value: Float, valid: Bool) {
        let fx = p.x - 0.5, fy = p.y - 0.5
        let x = Int(fx.rounded(.down)), y = Int(fy.rounded(.down))
        guard x >= 0, y >= 0, x + 1 < width, y + 1 < height else { return (1, false) }
        let tx = Float(fx - Double(x)), ty = Float(fy - Double(y))
        let i = y * width + x
        let ok = valid[i] && valid[i + 1] && valid[i + width] && valid[i + width + 1]
        let top = luminance[i] * (1 - tx) + luminance[i + 1] * tx
        let bottom = luminance[i + width] * (1 - tx) + luminance[i + width + 1] * tx
        return (top * (1 - ty) + bottom * ty, ok)
    }

    func refine(_ rough: [MapPoint], dilationPixels: Int) -> DatePerimeter {
        let n = rough.count
        let step = 2 * pixelMeters
        // The traced boundary lies inside the fence by about the dilation plus half the line.
        let searchInner = 4.0, searchOuter = Double(dilationPixels + 2) * pixelMeters + 5
        let sampleStep = pixelMeters / 4
        let sideMeters = 1.5 * max(1, pixelMeters / 1.0)
        var lines: [FenceLine?] = []
        var hiddenSide: [Bool] = []
        var stations = 0, found = 0
        for i in 0..<n {
            let a = rough[i], b = rough[(i + 1) % n]
            let length = distance(a, b)
            let dir = MapPoint(x: (b.x - a.x) / max(length, 1e-9), y: (b.y - a.y) / max(length, 1e-9))
            let outward = MapPoint(x: dir.y, y: -dir.x)  // counter-clockwise ring: interior on the left
            let margin = min(length / 4, max(10, searchOuter))
            var points: [MapPoint] = []
            var hiddenHere = 0, stationsHere = 0
            var s = margin
            while s <= length - margin {
                stations += 1; stationsHere += 1
                let base = MapPoint(x: a.x + dir.x * s, y: a.y + dir.y * s)
                var bestScore: Float = -.infinity, bestOffset = 0.0
                var scores: [Float] = []
                var offsets: [Double] = []
                var hidden = false
                var o = -searchInner
                while o <= searchOuter {
                    func lum(_ d: Double) -> (Float, Bool) {
                        let m = MapPoint(x: base.x + outward.x * d, y: base.y + outward.y * d)
                        guard let px = transform.pixel(m) else { return (1, false) }
                        let v = sample(px)
                        return (v.value, v.valid)
                    }
                    let (centre, okC) = lum(o)
                    let (inner, okI) = lum(o - sideMeters)
                    var strip: Float = 0
                    var okS = true
                    for k in 1...4 {
                        let (v, ok) = lum(o + sideMeters + Double(k - 1) * 1.25)
                        strip += v / 4; okS = okS && ok
                    }
                    if !(okC && okI && okS) { hidden = true }
                    // A fence: darker than the ground inside and than the cleared strip outside.
                    let score = min(inner, strip) - centre
                    scores.append(score); offsets.append(o)
                    if score > bestScore { bestScore = score; bestOffset = o }
                    o += sampleStep
                }
                if hidden {
                    hiddenHere += 1
                } else if bestScore >= parameters.lineContrast * 0.6 {
                    // Sub-sample peak by a parabola through the neighbours.
                    if let k = offsets.firstIndex(of: bestOffset), k > 0, k < scores.count - 1 {
                        let l = Double(scores[k - 1]), c = Double(scores[k]), r = Double(scores[k + 1])
                        let den = l - 2 * c + r
                        if den < 0 { bestOffset += sampleStep * 0.5 * (l - r) / den }
                    }
                    points.append(MapPoint(x: base.x + outward.x * bestOffset, y: base.y + outward.y * bestOffset))
                    found += 1
                }
                s += step
            }
            lines.append(FenceLine.fit(points, outward: outward, rejectBeyond: max(0.75, pixelMeters)))
            hiddenSide.append(Double(hiddenHere) > 0.5 * Double(max(1, stationsHere)))
        }
        // Sides without a fit keep their traced position moved out by the typical offset.
        let typical = Double(dilationPixels) * pixelMeters + pixelMeters / 2
        for i in 0..<n where lines[i] == nil {
            let a = rough[i], b = rough[(i + 1) % n]
            let length = max(distance(a, b), 1e-9)
            let normal = MapPoint(x: (b.y - a.y) / length, y: -(b.x - a.x) / length)
            // A side hidden by nodata or the image edge stays where the enclosure stopped.
            let offset = hiddenSide[i] ? 0 : typical
            lines[i] = FenceLine(normal: normal, offset: normal.x * a.x + normal.y * a.y + offset, scatter: pixelMeters, inliers: 0)
        }
        // Sides mostly hidden (cloud, nodata, image edge) are dropped when their neighbours were
        // seen: the fence lines on either side are extended through the hidden stretch (a straight
        // guess, whose cost the occluded length carries into the uncertainty).
        // A side along the edge of the image stays: nothing beyond it says where the fence runs.
        func onFrame(_ i: Int) -> Bool {
            let a = rough[i], b = rough[(i + 1) % n]
            guard let p = transform.pixel(MapPoint(x: (a.x + b.x) / 2, y: (a.y + b.y) / 2)) else { return true }
            return p.x < 3 || p.y < 3 || p.x > Double(width - 3) || p.y > Double(height - 3)
        }
        let seen = (0..<n).filter { !hiddenSide[$0] || onFrame($0) }
        let keep = seen.count >= 3 ? seen : Array(0..<n)
        func corners(_ ls: [FenceLine]) -> [MapPoint] {
            var out: [MapPoint] = []
            for (k, i) in keep.enumerated() {
                let j = keep[(k + keep.count - 1) % keep.count]
                let previous = ls[j], current = ls[i]
                // How far a corner may lie from the traced one: near it, or within the hidden chain.
                var reach = 4 * searchOuter + 20
                var m = (j + 1) % n
                while m != i { reach += distance(rough[m], rough[(m + 1) % n]); m = (m + 1) % n }
                if let p = previous.intersection(current), distance(p, rough[i]) < reach { out.append(p); continue }
                if j != (i + n - 1) % n, abs(previous.normal.x * current.normal.x + previous.normal.y * current.normal.y) > 0.99,
                   abs(previous.offset - (current.normal.x * previous.normal.x + current.normal.y * previous.normal.y) * current.offset) < 3 {
                    continue  // one straight fence seen on both sides of a hidden stretch: no corner
                }
                // Nearly parallel neighbours: the traced corner moved onto both lines on average.
                let p1 = previous.project(rough[i]), p2 = current.project(rough[i])
                out.append(MapPoint(x: (p1.x + p2.x) / 2, y: (p1.y + p2.y) / 2))
            }
            return out
        }
        let fitted = lines.map { $0! }
        let polygon = MapPolygon(RingGeometry.clean(corners(fitted)))
        // Plausible contours: each line moved by twice its scatter plus half a pixel.
        let inner = MapPolygon(corners(fitted.map { $0.shifted(by: -(2 * $0.scatter + pixelMeters / 2)) }))
        let outer = MapPolygon(corners(fitted.map { $0.shifted(by: 2 * $0.scatter + pixelMeters / 2) }))
        let confidence = stations > 0 ? Double(found) / Double(stations) : 0
        // The hidden stretches, measured on the final line (the traced ring may run around a cloud
        // well inside the fence): where the fence, its cleared strip or the ground just inside it is
        // masked, the line there is a guess.
        let occluded = RingGeometry.runs(along: polygon.ring, step: step) { base, outward in
            stride(from: -searchInner - sideMeters, through: searchOuter, by: max(pixelMeters, 1)).contains { d in
                guard let px = transform.pixel(MapPoint(x: base.x + outward.x * d, y: base.y + outward.y * d)) else { return true }
                return !sample(px).valid
            }
        }
        return DatePerimeter(polygon: polygon, inner: inner, outer: outer, occludedStretches: occluded,
                             confidence: confidence, source: .extracted)
    }
}

extension PerimeterExtractor {
    /// The share of stations, every 2 m along `line`, where this image shows a fence within `reach`
    /// metres of it: a thin line darker than the ground on one side and than a bright strip on the
    /// other (either way round), as `refine` looks for it. Stations without data do not count.
    mutating func support(along line: MapPolyline, reach: Double) throws -> Double {
        try readWorkingImage()
        luminance = normalised(luminance, .windowMedian)
        let side = 1.5 * max(1, pixelMeters)
        var stations = 0, supported = 0
        for (a, b) in zip(line.points, line.points.dropFirst()) {
            let length = distance(a, b)
            guard length > 0 else { continue }
            let dir = MapPoint(x: (b.x - a.x) / length, y: (b.y - a.y) / length)
            let normal = MapPoint(x: -dir.y, y: dir.x)
            var s = 0.0
            while s < length {
                let base = MapPoint(x: a.x + dir.x * s, y: a.y + dir.y * s)
                s += 2
                func lum(_ d: Double) -> (Float, Bool) {
                    guard let p = transform.pixel(MapPoint(x: base.x + normal.x * d, y: base.y + normal.y * d)) else { return (1, false) }
                    return sample(p)
                }
                var best = -Float.infinity, seen = true
                var o = -reach
                while o <= reach {
                    let (centre, okC) = lum(o)
                    for way in [-1.0, 1.0] {
                        let (ground, okG) = lum(o - way * side)
                        var strip: Float = 0, okS = true
                        for k in 0..<4 { let (v, ok) = lum(o + way * (side + Double(k) * 1.25)); strip += v / 4; okS = okS && ok }
                        if !(okC && okG && okS) { seen = false }
                        best = max(best, min(ground, strip) - centre)
                    }
                    o += pixelMeters / 4
                }
                guard seen else { continue }
                stations += 1
                if best >= parameters.lineContrast * 0.6 { supported += 1 }
            }
        }
        return stations == 0 ? 0 : Double(supported) / Double(stations)
    }
}

extension PerimeterAnalysis {
    /// How much of `line` (map coordinates of `source`) shows a fence in that image, 0-1: checks a
    /// fence change against the other date. A stretch where the two dates' outlines differ is a new
    /// fence only if the before image shows no fence along it (and removed only if the after image
    /// shows none), not when one date's outline merely strays from a fence both dates show.
    public static func fenceSupport(_ source: PixelSource, along line: MapPolyline, reachMeters: Double = 3,
                                    parameters: PerimeterParameters = PerimeterParameters()) throws -> Double {
        guard line.points.count >= 2 else { return 0 }
        let box = MapRect(enclosing: line.points)
        let pad = reachMeters + 20
        let area = MapPolygon([MapPoint(x: box.minX - pad, y: box.minY - pad), MapPoint(x: box.maxX + pad, y: box.minY - pad),
                               MapPoint(x: box.maxX + pad, y: box.maxY + pad), MapPoint(x: box.minX - pad, y: box.maxY + pad)])
        let middle = line.point(atDistance: line.length / 2)
        var extractor = try PerimeterExtractor(source: source, site: middle, aoi: area, validity: nil, parameters: parameters, debug: nil)
        return try extractor.support(along: line, reach: reachMeters)
    }
}

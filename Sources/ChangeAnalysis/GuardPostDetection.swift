import GeoRaster

/// Tuning of the guard-post detector. Sizes are in metres so that they hold at any GSD.
public struct GuardPostParameters: Sendable, Hashable {
    /// Depth of the corridor searched inside the perimeter line. Posts stand on the fence or a few
    /// metres inside it; at low sun a cabin on 5 m legs casts its shadow 10-15 m away.
    public var insideMeters = 18.0
    /// Depth searched outside: the cleared strip. Beyond it lie fields and forest, whose texture
    /// the profile along the fence cannot model (measured: most false posts stood 10-15 m out).
    public var outsideMeters = 6.0
    /// Length of the background bins along the perimeter. The corridor's profile across the fence
    /// (fields, cleared strip, fence, patrol track) is the median of three neighbouring bins, 60 m
    /// of fence, in which one 4 m post is a small minority.
    public var binLengthMeters = 20.0
    /// A pixel is anomalous when some band departs from the corridor's profile by this many robust
    /// standard deviations (of that distance from the fence, along the whole perimeter).
    public var weakSigma: Float = 4
    /// Pixels this far out make a detection on their own; pixels past `weakSigma` only confirm a
    /// post the other date shows clearly (hysteresis across dates).
    public var strongSigma: Float = 8
    /// Least area of strong pixels for a detection, m². A 3-5 m roof is 9-25 m².
    public var minStrongAreaSquareMeters = 10.0
    /// Least area of weak pixels that confirms a post seen clearly at the other date, m².
    public var minWeakAreaSquareMeters = 1.0
    /// Roof and walls larger than this are a building by the fence, not a post, m².
    public var maxBodyAreaSquareMeters = 60.0
    /// Least area of clearly anomalous pixels that places a post as its roof, m² (a 3 m roof is
    /// 9 m², partly lost to the blur between roof and shadow).
    public var minRoofSquareMeters = 2.0
    /// The parts of one post (roof, walls, legs, detached shadow) lie within this distance of each
    /// other; posts stand 60 m or more apart.
    public var groupMeters = 15.0
    /// A shadow pixel keeps less than this fraction of the background's brightness above the
    /// scene's dark level.
    public var shadowFraction: Float = 0.65
    /// How far outside the perimeter line a post's roof may stand: on the fence, leaning out.
    public var maxOutsideMeters = 1.5
    /// An object thinner than this across the fence and longer along it is a stretch of fence or
    /// track the profile did not model (a bend, a gate), not a post.
    public var minPostBreadthMeters = 1.5
    /// How far inside the fence line a post's roof stands, at most, metres.
    public var maxPostDepthMeters = 8.0
    /// The longest side of a post's roof and walls, metres.
    public var maxPostSideMeters = 6.0
    public init() {}
}

extension StructureAnalysis {
    /// Guard-post candidates of one date, searched in a corridor along that date's perimeter.
    ///
    /// Posts stand on or just inside the fence, and the ground across the fence has the same profile
    /// all along it (cleared strip, fence line, patrol track). So each pixel of the corridor is
    /// placed by its position along the perimeter and its signed distance from it, the profile is
    /// the median of the pixels at that distance over the neighbouring 60 m of fence, and a post is
    /// what departs from it: its roof, its walls and its shadow, whatever the sun's elevation (a
    /// high sun leaves a post almost no shadow; a low one detaches it by 15 m). Nothing depends on
    /// the sun or view angles.
    public static func guardPosts(_ source: PixelSource, perimeter: MapPolygon,
                                  parameters: GuardPostParameters = GuardPostParameters()) throws -> [StructureCandidate] {
        guard let geo = source.georeferencing else {
            throw ChangeAnalysisError(.notGeoreferenced, "guard-post detection needs a georeferenced image")
        }
        let ring = RingGeometry.clean(perimeter.counterClockwise.ring)
        guard ring.count >= 3 else { return [] }
        let corridor = try CorridorSamples(source: source, transform: geo.transform, ring: ring,
                                           inside: parameters.insideMeters, outside: parameters.outsideMeters)
        guard corridor.count > 100 else { return [] }
        return corridor.posts(parameters)
    }
}

/// A pixel's key in a hash of pixels, from its global column and row.
@inline(__always) private func pixelKey(_ c: Int32, _ r: Int32) -> Int64 { Int64(r) << 32 | Int64(UInt32(bitPattern: c)) }

/// The pixels of a corridor along a closed perimeter, from `outside` metres outside to `inside`
/// metres inside, each placed by arc position `s` (metres from the ring's first vertex) and signed
/// distance `t` (positive inside), with its colour.
struct CorridorSamples {
    var s: [Float] = [], t: [Float] = []
    /// The side each pixel belongs to (its nearest) and the position along that side, metres.
    var edge: [Int32] = [], along: [Float] = []
    var mapX: [Double] = [], mapY: [Double] = []
    /// Three colour planes (a single band is repeated) and brightness.
    var colour: [[Float]] = [[], [], []]
    var brightness: [Float] = []
    /// Global pixel coordinates, for connectivity.
    var column: [Int32] = [], row: [Int32] = []
    let perimeterLength: Double
    let gsd: Double
    let inside: Double, outside: Double
    let ring: [MapPoint]
    var count: Int { s.count }

    init(source: PixelSource, transform: GeoTransform, ring: [MapPoint], inside: Double, outside: Double) throws {
        self.ring = ring
        self.inside = inside; self.outside = outside
        let halfWidth = max(inside, outside)
        let cumulative = RingGeometry.cumulativeLengths(ring)
        perimeterLength = cumulative.last!
        let polygon = MapPolygon(ring)
        let edges = ring.indices.map { (ring[$0], ring[($0 + 1) % ring.count]) }
        let reach = halfWidth + 1
        let boxes = edges.map { e in
            MapRect(minX: min(e.0.x, e.1.x) - reach, minY: min(e.0.y, e.1.y) - reach,
                    maxX: max(e.0.x, e.1.x) + reach, maxY: max(e.0.y, e.1.y) + reach)
        }
        var gsd = 0.0
        for (index, (a, b)) in edges.enumerated() {
            let length = distance(a, b)
            guard length > 0 else { continue }
            let ux = (b.x - a.x) / length, uy = (b.y - a.y) / length
            // Inside is to the left of each edge of a counter-clockwise ring.
            let nx = -uy, ny = ux
            let h = halfWidth
            let box = MapPolygon([MapPoint(x: a.x - ux * h - nx * h, y: a.y - uy * h - ny * h),
                                  MapPoint(x: b.x + ux * h - nx * h, y: b.y + uy * h - ny * h),
                                  MapPoint(x: b.x + ux * h + nx * h, y: b.y + uy * h + ny * h),
                                  MapPoint(x: a.x - ux * h + nx * h, y: a.y - uy * h + ny * h)])
            guard let window = StructureAnalysis.pixelWindow(of: box, transform: transform, size: source.layout.window) else { continue }
            let image = try StructureImage(source: source, window: window, region: box, transform: transform)
            gsd = image.gsd
            let bands = image.colour.count
            for y in 0..<image.height {
                for x in 0..<image.width where image.inRegion[y * image.width + x] != 0 {
                    let m = image.map(Double(x) + 0.5, Double(y) + 0.5)
                    let d = segmentDistance(m, a, b)
                    guard d <= halfWidth else { continue }
                    // Each pixel belongs to the edge nearest to it (ties to the lower index), so
                    // corners are neither missed nor counted twice.
                    var nearest = true
                    for (other, e) in edges.enumerated() where other != index {
                        let r = boxes[other]
                        guard m.x >= r.minX, m.x <= r.maxX, m.y >= r.minY, m.y <= r.maxY else { continue }
                        let o = segmentDistance(m, e.0, e.1)
                        if o < d || (o == d && other < index) { nearest = false; break }
                    }
                    guard nearest else { continue }
                    let along = (m.x - a.x) * ux + (m.y - a.y) * uy
                    let across = (m.x - a.x) * nx + (m.y - a.y) * ny
                    // Outside a convex corner every pixel is nearest to the vertex itself, and where
                    // the line is a metre off the fence the radial distances there mismatch the
                    // sides' profiles. Posts stand inside, so that fan is left out.
                    guard (along >= 0 && along <= length) || polygon.contains(m) else { continue }
                    let signed = along >= 0 && along <= length ? across : d
                    guard signed <= inside, signed >= -outside else { continue }
                    s.append(Float(cumulative[index] + min(length, max(0, along))))
                    self.edge.append(Int32(index)); self.along.append(Float(min(length, max(0, along))))
                    t.append(Float(signed))
                    mapX.append(m.x); mapY.append(m.y)
                    let i = y * image.width + x
                    for band in 0..<3 { colour[band].append(image.colour[min(band, bands - 1)][i]) }
                    brightness.append(image.brightness[i])
                    column.append(Int32(window.x + x)); row.append(Int32(window.y + y))
                }
            }
        }
        self.gsd = gsd
    }

    /// The corridor's profile: per band, the median at each distance from the fence over the three
    /// bins of `binLength` around each pixel's position; and per distance the robust spread of the
    /// residuals along the whole perimeter.
    func anomalies(_ p: GuardPostParameters) -> (z: [Float], shadow: [Bool]) {
        let n = count
        // Bins never straddle a corner: at a corner the two sides' profiles differ wherever the
        // perimeter line is off the fence by a metre (an analyst's polygon, a misregistered date).
        var firstBin: [Int] = [], binsOfEdge: [Int] = []
        for e in 0..<ring.count {
            firstBin.append(binsOfEdge.reduce(0, +))
            binsOfEdge.append(max(1, Int((distance(ring[e], ring[(e + 1) % ring.count]) / p.binLengthMeters).rounded(.up))))
        }
        let binCount = binsOfEdge.reduce(0, +)
        var edgeOfBin = [Int](repeating: 0, count: binCount)
        for e in 0..<ring.count { for b in 0..<binsOfEdge[e] { edgeOfBin[firstBin[e] + b] = e } }
        let tStep = max(0.1, gsd / 2)
        let tBins = Int(((inside + outside) / tStep).rounded(.up)) + 1
        @inline(__always) func sBin(_ i: Int) -> Int {
            let e = Int(edge[i])
            return firstBin[e] + min(binsOfEdge[e] - 1, Int(Double(along[i]) / p.binLengthMeters))
        }
        @inline(__always) func tBin(_ i: Int) -> Int { min(tBins - 1, max(0, Int((Double(t[i]) + outside) / tStep))) }
        // Pixels grouped by (s bin, t bin): a counting sort.
        var start = [Int](repeating: 0, count: binCount * tBins + 1)
        for i in 0..<n { start[sBin(i) * tBins + tBin(i) + 1] += 1 }
        for k in 0..<(binCount * tBins) { start[k + 1] += start[k] }
        var order = [Int](repeating: 0, count: n)
        var fill = start
        for i in 0..<n { let k = sBin(i) * tBins + tBin(i); order[fill[k]] = i; fill[k] += 1 }

        let planes = colour + [brightness]
        var profile = [[Float]](repeating: [Float](repeating: .nan, count: binCount * tBins), count: planes.count)
        var values: [Float] = []
        for sb in 0..<binCount {
            for tb in 0..<tBins {
                for (plane, data) in planes.enumerated() {
                    values.removeAll(keepingCapacity: true)
                    // The bin and its neighbours on the same side (the two nearest at a side's ends).
                    let e = edgeOfBin[sb], count = binsOfEdge[e], local = sb - firstBin[e]
                    let from = max(0, min(local - 1, count - 3)), to = min(count - 1, from + 2)
                    for lb in from...to {
                        let k = (firstBin[e] + lb) * tBins + tb
                        for o in start[k]..<start[k + 1] { values.append(data[order[o]]) }
                    }
                    guard !values.isEmpty else { continue }
                    profile[plane][sb * tBins + tb] = values.select(values.count / 2)
                }
            }
        }
        // The scene's dark level (shadows, water), for the shadow test.
        var sortedBrightness = brightness
        sortedBrightness.sort()
        let dark = sortedBrightness[Int(Double(n - 1) * 0.005)]
        let typical = sortedBrightness[n / 2]

        // Robust spread of the residuals per band and distance (MAD x madToStandardDeviation), floored at 1 % of the
        // ground's brightness so that a noiseless render does not make every rounding an anomaly.
        var residuals = [[Float]](repeating: [Float](repeating: 0, count: n), count: 3)
        for band in 0..<3 { for i in 0..<n { residuals[band][i] = colour[band][i] - profile[band][sBin(i) * tBins + tBin(i)] } }
        var tMembers = [[Int]](repeating: [], count: tBins)
        for i in 0..<n { tMembers[tBin(i)].append(i) }
        func spread(_ members: [Int], _ band: Int) -> Float {
            var a = members.map { abs(residuals[band][$0]) }
            return Float(madToStandardDeviation) * a.select(a.count / 2)
        }
        let floor = max(1e-6, 0.01 * (typical - dark))
        var sigma = [[Float]](repeating: [Float](repeating: floor, count: tBins), count: 3)
        for band in 0..<3 {
            for tb in 0..<tBins where tMembers[tb].count >= 8 { sigma[band][tb] = max(floor, spread(tMembers[tb], band)) }
        }
        // A side may render the fence less cleanly than the rest (a slanted side is a staircase of
        // pixels the profile blurs): there the spread is that side's own, where it is wider.
        var sideMembers = [[Int]](repeating: [], count: ring.count * tBins)
        for i in 0..<n { sideMembers[Int(edge[i]) * tBins + tBin(i)].append(i) }
        var sideSigma = [[Float]](repeating: [Float](repeating: 0, count: ring.count * tBins), count: 3)
        for band in 0..<3 {
            for k in sideMembers.indices where sideMembers[k].count >= 50 { sideSigma[band][k] = spread(sideMembers[k], band) }
        }
        var z = [Float](repeating: 0, count: n), shadow = [Bool](repeating: false, count: n)
        for i in 0..<n {
            let tb = tBin(i), k = sBin(i) * tBins + tb, side = Int(edge[i]) * tBins + tb
            var best: Float = 0
            for band in 0..<3 { best = max(best, abs(residuals[band][i]) / max(sigma[band][tb], sideSigma[band][side])) }
            z[i] = best.isFinite ? best : 0
            let ground = profile[3][k]
            shadow[i] = ground > dark && brightness[i] - dark < p.shadowFraction * (ground - dark)
        }
        return (z, shadow)
    }

    func posts(_ p: GuardPostParameters) -> [StructureCandidate] {
        let (z, shadow) = anomalies(p)
        // Connected anomalous pixels (8-neighbours in the source grid), by union-find over a hash of
        // the few anomalous pixels rather than a raster of the whole compound.
        // Outside the fence line only shadows count (a post's shadow may fall across the cleared
        // strip): a road through a gate or a field's corner there is no part of a post.
        let fenceSide = Float(-p.maxOutsideMeters)
        let weak = (0..<count).filter { z[$0] > p.weakSigma && (t[$0] >= fenceSide || shadow[$0]) }
        guard !weak.isEmpty else { return [] }
        var slot: [Int64: Int] = [:]
        slot.reserveCapacity(weak.count)
        for (k, i) in weak.enumerated() { slot[pixelKey(column[i], row[i])] = k }
        var parent = Array(weak.indices)
        func find(_ a: Int) -> Int {
            var a = a
            while parent[a] != a { parent[a] = parent[parent[a]]; a = parent[a] }
            return a
        }
        for (k, i) in weak.enumerated() {
            for (dc, dr) in [(-1, -1), (0, -1), (1, -1), (-1, 0)] {
                if let other = slot[pixelKey(column[i] + Int32(dc), row[i] + Int32(dr))] {
                    let ra = find(k), rb = find(other)
                    if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
                }
            }
        }
        var members: [Int: [Int]] = [:]
        for k in weak.indices { members[find(k), default: []].append(weak[k]) }

        // A detached shadow within `groupMeters` of a roof is part of its post. Two bright parts stay
        // apart: a roof and a patch of the compound's ground 15 m away are not one object.
        struct Part { var pixels: [Int]; var x: Double; var y: Double; var isShadow: Bool }
        var parts = members.keys.sorted().map { root -> Part in
            let pixels = members[root]!
            return Part(pixels: pixels, x: pixels.reduce(0) { $0 + mapX[$1] } / Double(pixels.count),
                        y: pixels.reduce(0) { $0 + mapY[$1] } / Double(pixels.count),
                        isShadow: pixels.filter { shadow[$0] }.count * 2 >= pixels.count)
        }
        // Single stray pixels cannot make or join a post, nor can a line along the fence: left in,
        // it joins a post's group and places it on the fence line, or makes a post of a few faint
        // pixels of track beside it (measured: posts 5-18 m off, and false posts).
        parts = parts.filter { Double($0.pixels.count) * gsd * gsd >= p.minWeakAreaSquareMeters && !isLineAlongFence($0.pixels, p) }
        var group = Array(parts.indices)
        func top(_ a: Int) -> Int { var a = a; while group[a] != a { a = group[a] }; return a }
        for i in parts.indices {
            for j in parts.indices where j > i && (parts[i].isShadow || parts[j].isShadow) {
                let dx = parts[i].x - parts[j].x, dy = parts[i].y - parts[j].y
                if dx * dx + dy * dy <= p.groupMeters * p.groupMeters {
                    let a = top(i), b = top(j)
                    if a != b { group[max(a, b)] = min(a, b) }
                }
            }
        }
        var groups: [Int: [Int]] = [:]
        for i in parts.indices { groups[top(i), default: []].append(i) }

        let px2 = gsd * gsd
        let polygon = MapPolygon(ring)
        var out: [StructureCandidate] = []
        for root in groups.keys.sorted() {
            let groupParts = groups[root]!.map { parts[$0] }
            let pixels = groupParts.flatMap(\.pixels)
            let body = pixels.filter { !shadow[$0] }
            // A line along the fence is fence, neither roof nor evidence of one.
            let lines = groupParts.map { lineAlongFence($0.pixels, p) }
            let strongArea = Double(zip(groupParts, lines).map { part, line in
                part.pixels.filter { z[$0] > p.strongSigma && !line.contains($0) }.count
            }.reduce(0, +)) * px2
            // Roof and walls are metres across. What is a pixel or two wide is the blurred rim of a
            // shadow (darker than the ground, not dark enough to pass as shadow) or a line of fence
            // the profile missed: neither is body (measured: a post with a shadow along the fence
            // came to 62 m² with its rim, 19 m² without).
            let bodyArea = Double(opened(body).count) * px2
            guard bodyArea <= p.maxBodyAreaSquareMeters else { continue }
            // Extent across the fence: a post is metres deep; an unmodelled stretch of fence is not.
            guard !isFenceLine(pixels, p) else { continue }
            // The roof places the post: the part with the most clearly anomalous pixels that are not
            // shadow (a detached shadow moves with the sun, 15 m between dates); first among parts
            // where such pixels touch a shadow, as an elevated roof's do (a fence corner, which the
            // profile does not model, can be as anomalous but casts no shadow of its own). A part with
            // a solid roof comes before one whose such pixels are all thin lines: the fence where the
            // outline cuts a corner can have more of them than the post beside it (measured: a post
            // placed 18 m off, on the corner). A roof of a few pixels is no roof: then the part with
            // the most non-shadow pixels places it, and a shadow alone places it roughly.
            let roofs = zip(groupParts, lines).map { part, line -> (pixels: [Int], solid: Bool, attached: Bool) in
                let pixels = part.pixels.filter { !shadow[$0] && z[$0] > p.strongSigma && !line.contains($0) }
                return (pixels, Double(opened(pixels).count) * px2 >= p.minRoofSquareMeters, part.pixels.contains { shadow[$0] })
            }.filter { Double($0.pixels.count) * px2 >= p.minRoofSquareMeters }
            let solid = roofs.filter(\.solid).isEmpty ? roofs : roofs.filter(\.solid)
            let attached = solid.filter(\.attached)
            let roof = (attached.isEmpty ? solid : attached).map(\.pixels).max { $0.count < $1.count } ?? []
            let widestBody = groupParts.map { $0.pixels.filter { !shadow[$0] } }.max { $0.count < $1.count } ?? []
            // Mostly shadow and no clear roof: a roof as dark as its shadow (a grey roof against
            // a pale strip) or none seen. The scattered faint pixels around it do not place it.
            let mostlyShadow = body.count * 3 <= pixels.count
            var centre: MapPoint
            if !roof.isEmpty || (!widestBody.isEmpty && !mostlyShadow) {
                // Posts stand on the fence or a few metres inside it: pixels deeper in are the rim of
                // a long shadow a low sun casts into the compound (measured: posts placed 10 m off).
                let candidates = roof.isEmpty ? widestBody : roof
                let near = candidates.filter { Double(t[$0]) <= p.maxPostDepthMeters }
                let placing = Double(near.count) * px2 >= p.minRoofSquareMeters ? near : candidates
                centre = MapPoint(x: placing.reduce(0) { $0 + mapX[$1] } / Double(placing.count),
                                  y: placing.reduce(0) { $0 + mapY[$1] } / Double(placing.count))
                // Posts stand on the fence or inside it; a bright object further out is the corner of a
                // cleared strip, a track or a field's edge (measured: most false posts stood 2-3 m
                // outside corners).
                guard polygon.contains(centre) || polygon.distanceToBoundary(centre) <= p.maxOutsideMeters else { continue }
            } else {
                // A shadow alone: it starts at the post, which stands on the fence or just inside,
                // so the post is at the end of its largest part nearest the fence line, whichever
                // way the sun cast it (out across the strip, or into the compound).
                let object = groupParts.max { $0.pixels.count < $1.pixels.count }!.pixels
                let nearest = object.map { abs(t[$0]) }.min()!
                let end = object.filter { abs(t[$0]) <= nearest + 2 }
                let inner = end.max { t[$0] < t[$1] }!
                // A post's shadow starts at the post; one lying wholly beyond the fence's reach is a
                // dark field or wood past the cleared strip (measured: false removed posts at 6-9 m out).
                guard Double(t[inner]) >= -p.maxOutsideMeters else { continue }
                centre = MapPoint(x: end.reduce(0) { $0 + mapX[$1] } / Double(end.count),
                                  y: end.reduce(0) { $0 + mapY[$1] } / Double(end.count))
                if t[inner] < 0 {
                    let (ux, uy) = direction(near: centre)
                    let depth = Double(-t[inner]) + 2  // on the inner side of the fence
                    centre = MapPoint(x: centre.x - uy * depth, y: centre.y + ux * depth)
                }
            }
            let cx = centre.x, cy = centre.y
            // A 4 m square along the perimeter's direction at the post.
            let (ux, uy) = direction(near: centre)
            let h = 2.0
            let footprint = MapPolygon([(-h, -h), (h, -h), (h, h), (-h, h)].map { (a, b) in
                MapPoint(x: cx + a * ux - b * uy, y: cy + a * uy + b * ux)
            })
            let structure = DetectedStructure(kind: .guardPost, center: centre, footprint: footprint, areaSquareMeters: 16,
                                              confidence: min(1, strongArea / 24),
                                              shadowAreaSquareMeters: Double(pixels.count - body.count) * px2)
            out.append(StructureCandidate(structure: structure, isStrong: strongArea >= p.minStrongAreaSquareMeters))
        }
        return out
    }

    /// Extent across the fence: a post is metres deep; an unmodelled stretch of fence is not.
    func isFenceLine(_ pixels: [Int], _ p: GuardPostParameters) -> Bool {
        breadth(pixels) < p.minPostBreadthMeters || isLineAlongFence(pixels, p)
    }

    /// Extent across the fence, metres, from the pixels' centres plus a pixel.
    func breadth(_ pixels: [Int]) -> Double {
        let ts = pixels.map { t[$0] }
        return Double(ts.max()! - ts.min()!) + gsd
    }

    /// What is this thin across the fence is a line of it, not part of a post.
    func isThinAcross(_ breadth: Double, _ p: GuardPostParameters) -> Bool { breadth < 2 * p.minPostBreadthMeters }

    /// Thin across and three times as long along one side: the fence line where the outline drifts
    /// off it by a pixel (the profile then misses it), not a square post.
    func isLineAlongFence(_ pixels: [Int], _ p: GuardPostParameters) -> Bool {
        let breadth = breadth(pixels)
        guard isThinAcross(breadth, p), Set(pixels.map { edge[$0] }).count == 1 else { return false }
        let along = pixels.map { self.along[$0] }
        return Double(along.max()! - along.min()!) + gsd >= 3 * breadth
    }

    /// The pixels that lie in some 3 x 3 square wholly within `pixels` (a morphological opening):
    /// what is more than two pixels wide.
    func opened(_ pixels: [Int]) -> [Int] {
        let present = Set(pixels.map { pixelKey(column[$0], row[$0]) })
        let square = [(-1, -1), (0, -1), (1, -1), (-1, 0), (0, 0), (1, 0), (-1, 1), (0, 1), (1, 1)].map { (Int32($0.0), Int32($0.1)) }
        let cores = Set(pixels.filter { i in square.allSatisfy { present.contains(pixelKey(column[i] + $0.0, row[i] + $0.1)) } }
            .map { pixelKey(column[$0], row[$0]) })
        return pixels.filter { i in square.contains { cores.contains(pixelKey(column[i] + $0.0, row[i] + $0.1)) } }
    }

    /// The pixels of an object where it is a line along the fence (`isLineAlongFence` is the whole
    /// object): sliced across the fence every metre (or pixel) along it, runs of slices thin across
    /// that are longer than a post's side. A post's shadow can join it to the fence line the outline
    /// cut off at a corner, whose pixels are as anomalous as a roof and would place the post along
    /// the fence (measured: 18 m off, towards the corner). A post at a corner is thin in the slices
    /// by the corner, where each side sees only its half, but not for longer than the post.
    func lineAlongFence(_ pixels: [Int], _ p: GuardPostParameters) -> Set<Int> {
        struct Slice: Hashable { var edge: Int32; var index: Int }
        let width = Float(max(1, gsd))
        func slice(_ i: Int) -> Slice { Slice(edge: edge[i], index: Int((along[i] / width).rounded(.down))) }
        var extent: [Slice: (Float, Float)] = [:]
        for i in pixels {
            let (lo, hi) = extent[slice(i)] ?? (t[i], t[i])
            extent[slice(i)] = (min(lo, t[i]), max(hi, t[i]))
        }
        let thin = Set(extent.filter { isThinAcross(Double($0.value.1 - $0.value.0) + gsd, p) }.keys)
        let longest = Int((p.maxPostSideMeters / Double(width)).rounded(.up))
        var line = Set<Slice>()
        for start in thin where !thin.contains(Slice(edge: start.edge, index: start.index - 1)) {
            var end = start.index
            while thin.contains(Slice(edge: start.edge, index: end + 1)) { end += 1 }
            if end - start.index + 1 > longest { line.formUnion((start.index...end).map { Slice(edge: start.edge, index: $0) }) }
        }
        return Set(pixels.filter { line.contains(slice($0)) })
    }

    /// Unit direction of the ring's edge nearest to `p`.
    func direction(near p: MapPoint) -> (Double, Double) {
        var best = Double.infinity, dir = (1.0, 0.0)
        for i in ring.indices {
            let a = ring[i], b = ring[(i + 1) % ring.count]
            let d = segmentDistance(p, a, b), l = distance(a, b)
            if d < best, l > 0 { best = d; dir = ((b.x - a.x) / l, (b.y - a.y) / l) }
        }
        return dir
    }
}

import Dispatch
import GeoRaster
import RasterKernels

/// The UInt16 coding of magnitudes: 0...65534 spans [0, maxValue], 65535 marks invalid pixels.
public struct ChangeMagnitudeCode: Sendable, Hashable {
    public static let invalid: UInt16 = 65535
    public let maxValue: Float
    @inline(__always) public func encode(_ m: Float) -> UInt16 { UInt16(min(65534, (m / maxValue * 65534).rounded())) }
    @inline(__always) public func decode(_ q: UInt16) -> Float { Float(q) * maxValue / 65534 }
}

/// A connected region of change, in the before grid and in map coordinates.
public struct ChangeRegion: Sendable, Hashable {
    /// Pixel measures in the before raster's pixel grid.
    public var component: Component
    public var center: MapPoint
    public var bounds: MapRect
    public var areaSquareMeters: Double
}

public struct ChangeResult: Sendable {
    public var registration: Registration
    public var normalisation: Normalisation
    /// The part of the before grid both dates cover.
    public var overlap: PixelWindow
    public var histogram: [UInt32]
    /// The histogram spans [0, histogramMax) in before-date sample units.
    public var histogramMax: Double
    public var threshold: Double
    public var validPixels: Int
    public var changedPixels: Int
    public var regions: [ChangeRegion]
    public var magnitudeCode: ChangeMagnitudeCode
    /// Seconds per stage.
    public var timings: [String: Double]
}

/// The change core: common grid, co-registration, normalisation, then two streamed passes over
/// strips of the overlap — (1) fused normalise + change-vector magnitude + histogram, kept in a
/// store; (2) threshold, open/close with halos, connected components merged across strips.
/// Memory is bounded by the strips in flight, not by the scene.
public struct ChangeDetector {
    public var parameters: ChangeParameters
    public init(parameters: ChangeParameters = ChangeParameters()) { self.parameters = parameters }

    /// - Parameters:
    ///   - openBefore, openAfter: open a fresh source of each date (one per thread).
    ///   - reproject: before-CRS to after-CRS map coordinates when the CRSs differ.
    ///   - store: where pass 1 leaves the magnitude; `nil` keeps it in memory.
    ///   - progress: called with (stage, done, total) as strips finish.
    public func run(openBefore: () throws -> PixelSource, openAfter: () throws -> PixelSource,
                    reproject: (@Sendable (MapPoint) -> MapPoint)? = nil,
                    store: ((PixelWindow) throws -> RowStore)? = nil,
                    progress: ((String, Int, Int) -> Void)? = nil) throws -> ChangeResult {
        var timings: [String: Double] = [:]
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        var mark = clock.now
        func lap(_ stage: String) { timings[stage] = seconds(clock.now - mark); mark = clock.now }

        let before = try openBefore(), after = try openAfter()
        guard let gb = before.georeferencing, let ga = after.georeferencing else {
            throw ChangeAnalysisError(.notGeoreferenced, "both dates must be georeferenced")
        }
        let mapping = GridMapping(before: gb.transform, after: ga.transform, reproject: reproject)
        let overlap = try mapping.overlap(beforeSize: before.layout.window, afterSize: after.layout.window)
        let reader = AlignedReader(before: before, after: after, mapping: mapping)
        guard reader.bandCount >= 1 else { throw ChangeAnalysisError(.incompatibleBands, "the dates share no band") }

        // Co-registration and normalisation on windows spread over the overlap.
        let registration = try Coregistration.estimate(reader, overlap: overlap, parameters: parameters)
        lap("registration")
        let shift = registration.appliedShift
        var sampleBefore = [[Float]](repeating: [], count: reader.bandCount), sampleAfter = sampleBefore
        for window in Coregistration.windows(in: overlap, size: parameters.registrationWindowSize,
                                             count: parameters.registrationWindowCount) {
            try reader.read(window, shift: shift)
            let n = window.pixelCount
            // About 8,000 samples per window (72,000 in all): plenty for a robust line, cheap to sort.
            let step = max(3, n / 8_000)
            for i in stride(from: 0, to: n, by: step) where reader.validity[i] != 0 {
                for band in 0..<reader.bandCount {
                    sampleBefore[band].append(reader.beforePlanes[band * n + i])
                    sampleAfter[band].append(reader.afterPlanes[band * n + i])
                }
            }
        }
        let normalisation = Normalisation.fit(before: sampleBefore, after: sampleAfter)
        // The histogram's range: well past the sampled magnitudes, so the change tail fits.
        var sampled: [Float] = (0..<(sampleBefore.first?.count ?? 0)).map { i in
            var sum: Float = 0
            for band in 0..<reader.bandCount {
                let d = Float(normalisation.gains[band]) * sampleAfter[band][i] + Float(normalisation.offsets[band]) - sampleBefore[band][i]
                sum += d * d
            }
            return sum.squareRoot()
        }
        sampled.sort()
        let p999 = sampled.isEmpty ? 1 : sampled[min(sampled.count - 1, Int(Double(sampled.count) * 0.999))]
        let maxValue = max(1e-3, p999 * 2)
        let code = ChangeMagnitudeCode(maxValue: maxValue)
        lap("normalisation")

        // Pass 1: magnitude and histogram, strips in parallel, each thread with its own sources.
        let magnitudes = try store?(overlap) ?? InMemoryRowStore(width: overlap.width, height: overlap.height, fill: ChangeMagnitudeCode.invalid)
        let rows = parameters.stripRows
        let strips = (overlap.height + rows - 1) / rows
        let threads = max(1, min(parameters.threads, strips))
        let bins = parameters.histogramBins
        let state = PassOneState(threads: threads, bins: bins)
        let openers = try (0..<threads).map { _ in try (openBefore(), openAfter()) }
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let reader = AlignedReader(before: openers[thread].0, after: openers[thread].1, mapping: mapping)
            var magnitude: [Float] = [], codes: [UInt16] = []
            var histogram = [UInt32](repeating: 0, count: bins)
            var strip = thread
            while strip < strips, state.error == nil {
                let window = PixelWindow(x: overlap.x, y: overlap.y + strip * rows, width: overlap.width,
                                         height: min(rows, overlap.height - strip * rows))
                do {
                    try reader.read(window, shift: shift)
                    let n = window.pixelCount
                    magnitude.resizeKeepingCapacity(n)
                    codes.resizeKeepingCapacity(n)
                    let counted = Self.magnitude(reader, normalisation: normalisation, into: &magnitude, histogram: &histogram, maxValue: maxValue)
                    for i in 0..<n { codes[i] = reader.validity[i] != 0 ? code.encode(magnitude[i]) : ChangeMagnitudeCode.invalid }
                    try codes.withUnsafeBufferPointer {
                        try magnitudes.write(rows: (strip * rows)..<(strip * rows + window.height), UnsafeBufferPointer(rebasing: $0[0..<n]))
                    }
                    state.finish(strip: strip, valid: counted, histogram: nil, progress: progress, total: strips)
                } catch {
                    state.fail(error)
                }
                strip += threads
            }
            state.finish(strip: -1, valid: 0, histogram: histogram, progress: nil, total: strips)
        }
        if let error = state.error { throw error }
        let histogram = state.histogram
        lap("magnitude")

        // A histogram threshold always splits something, even pure noise; so change must also
        // exceed a noise floor: 4x the median magnitude of the sample, which mostly did not change
        // (for a chi distribution of 1-4 bands that is past its 99.99th percentile).
        let noiseFloor = 4 * Double(sampled.isEmpty ? 0 : sampled[sampled.count / 2])
        let threshold: Double
        switch parameters.threshold {
        case .otsu:
            threshold = max(noiseFloor, Thresholds.otsu(histogram: histogram, maxValue: Double(maxValue))?.value ?? Double(maxValue))
        case .kittlerIllingworth:
            threshold = max(noiseFloor, Thresholds.kittlerIllingworth(histogram: histogram, maxValue: Double(maxValue))?.value ?? Double(maxValue))
        case .fixed(let value): threshold = value
        }

        // Pass 2: threshold, open and close with a halo of rows, label streaming across strips.
        let element = StructuringElement.square(parameters.morphologySize)
        let halo = 2 * (parameters.morphologySize / 2) + 1
        let labeler = ComponentLabeler(width: overlap.width, connectivity: parameters.connectivity)
        var regions: [ChangeRegion] = []
        var changed = 0
        var codes: [UInt16] = [], mask: [UInt8] = [], opened: [UInt8] = [], closed: [UInt8] = [], scratch: [UInt8] = []
        let thresholdCode = code.encode(Float(threshold))
        func collect(_ components: [Component]) {
            for c in components where c.area >= parameters.minimumComponentPixels {
                regions.append(Self.region(c, overlap: overlap, transform: gb.transform))
            }
        }
        for strip in 0..<strips {
            let core = (strip * rows)..<min(overlap.height, (strip + 1) * rows)
            let span = max(0, core.lowerBound - halo)..<min(overlap.height, core.upperBound + halo)
            let n = span.count * overlap.width
            codes.resizeKeepingCapacity(n); mask.resizeKeepingCapacity(n); opened.resizeKeepingCapacity(n); closed.resizeKeepingCapacity(n)
            scratch.resizeKeepingCapacity(BinaryMorphology.scratchCount(width: overlap.width, height: span.count, element: element))
            try codes.withUnsafeMutableBufferPointer { try magnitudes.read(rows: span, into: UnsafeMutableBufferPointer(rebasing: $0[0..<n])) }
            for i in 0..<n { mask[i] = codes[i] != ChangeMagnitudeCode.invalid && codes[i] > thresholdCode ? 1 : 0 }
            mask.withUnsafeBufferPointer { m in
                opened.withUnsafeMutableBufferPointer { o in
                    closed.withUnsafeMutableBufferPointer { c in
                        scratch.withUnsafeMutableBufferPointer { s in
                            let shape = (overlap.width, span.count)
                            BinaryMorphology.apply(.open, to: PlaneView(UnsafeBufferPointer(rebasing: m[0..<n]), width: shape.0, height: shape.1),
                                                   into: MutablePlaneView(UnsafeMutableBufferPointer(rebasing: o[0..<n]), width: shape.0, height: shape.1),
                                                   element: element, scratch: s)
                            BinaryMorphology.apply(.close, to: PlaneView(UnsafeBufferPointer(rebasing: o[0..<n]), width: shape.0, height: shape.1),
                                                   into: MutablePlaneView(UnsafeMutableBufferPointer(rebasing: c[0..<n]), width: shape.0, height: shape.1),
                                                   element: element, scratch: s)
                        }
                    }
                }
            }
            let start = (core.lowerBound - span.lowerBound) * overlap.width
            for i in start..<(start + core.count * overlap.width) where closed[i] != 0 { changed += 1 }
            closed.withUnsafeBufferPointer { c in
                labeler.feed(PlaneView(UnsafeBufferPointer(rebasing: c[start..<(start + core.count * overlap.width)]),
                                       width: overlap.width, height: core.count))
            }
            collect(labeler.drainFinished())
            progress?("components", strip + 1, strips)
        }
        collect(labeler.finish())
        regions.sort { $0.component.firstPixelIndex < $1.component.firstPixelIndex }
        lap("components")

        return ChangeResult(registration: registration, normalisation: normalisation, overlap: overlap, histogram: histogram,
                            histogramMax: Double(maxValue), threshold: threshold, validPixels: state.valid,
                            changedPixels: changed, regions: regions, magnitudeCode: code, timings: timings)
    }

    /// The fused kernel over the reader's current window.
    static func magnitude(_ reader: AlignedReader, normalisation: Normalisation, into magnitude: inout [Float],
                          histogram: inout [UInt32], maxValue: Float) -> Int {
        let w = reader.window
        let n = w.pixelCount
        return reader.beforePlanes.withUnsafeBufferPointer { b in
            reader.afterPlanes.withUnsafeBufferPointer { a in
                reader.validity.withUnsafeBufferPointer { v in
                    magnitude.withUnsafeMutableBufferPointer { m in
                        histogram.withUnsafeMutableBufferPointer { h in
                            let bands = reader.bandCount
                            let beforePlanes = (0..<bands).map { PlaneView(UnsafeBufferPointer(rebasing: b[$0 * n ..< ($0 + 1) * n]), width: w.width, height: w.height) }
                            let afterPlanes = (0..<bands).map { PlaneView(UnsafeBufferPointer(rebasing: a[$0 * n ..< ($0 + 1) * n]), width: w.width, height: w.height) }
                            return ChangeMagnitude.compute(before: beforePlanes, after: afterPlanes, afterScale: normalisation.scales,
                                                           validity: PlaneView(UnsafeBufferPointer(rebasing: v[0..<n]), width: w.width, height: w.height),
                                                           magnitude: MutablePlaneView(UnsafeMutableBufferPointer(rebasing: m[0..<n]), width: w.width, height: w.height),
                                                           histogram: h, maxValue: maxValue)
                        }
                    }
                }
            }
        }
    }

    /// A component of the overlap, placed in the before grid and on the map.
    static func region(_ c: Component, overlap: PixelWindow, transform: GeoTransform) -> ChangeRegion {
        var component = c
        component.boundingBox = c.boundingBox.offsetBy(dx: overlap.x, dy: overlap.y)
        component.centroid = PixelPoint(x: c.centroid.x + Double(overlap.x), y: c.centroid.y + Double(overlap.y))
        let box = component.boundingBox
        let corners = [PixelPoint(x: Double(box.x), y: Double(box.y)), PixelPoint(x: Double(box.maxX), y: Double(box.maxY)),
                       PixelPoint(x: Double(box.x), y: Double(box.maxY)), PixelPoint(x: Double(box.maxX), y: Double(box.y))]
        let pixelArea = abs(transform.pixelWidth * transform.pixelHeight - transform.rowRotation * transform.columnRotation)
        return ChangeRegion(component: component, center: transform.map(component.centroid),
                            bounds: MapRect(enclosing: corners.map(transform.map)), areaSquareMeters: Double(c.area) * pixelArea)
    }
}

/// Shared between pass-1 threads: the merged histogram, counts, progress and the first error.
private final class PassOneState: @unchecked Sendable {
    private let lock = SemaphoreLock()
    private(set) var histogram: [UInt32]
    private(set) var valid = 0
    private(set) var error: Error?
    private var done = 0

    init(threads: Int, bins: Int) { histogram = [UInt32](repeating: 0, count: bins) }

    func finish(strip: Int, valid: Int, histogram: [UInt32]?, progress: ((String, Int, Int) -> Void)?, total: Int) {
        lock.locked {
            self.valid += valid
            if let histogram { for i in histogram.indices { self.histogram[i] &+= histogram[i] } }
            if strip >= 0 { done += 1; progress?("magnitude", done, total) }
        }
    }

    func fail(_ error: Error) { lock.locked { if self.error == nil { self.error = error } } }
}

/// A mutex from Dispatch (the module imports no Foundation).
private final class SemaphoreLock: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 1)
    func locked<T>(_ body: () -> T) -> T {
        semaphore.wait()
        defer { semaphore.signal() }
        return body()
    }
}

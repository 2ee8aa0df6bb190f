import Dispatch
import GeoRaster
import RasterKernels

/// The UInt16 coding of magnitudes: 0...65534 spans [0, maxValue], 65535 marks invalid pixels.
/// `encode` is the fused kernel's expression (`ChangeMagnitude.code(of:codeScale:)`), so a
/// threshold encodes exactly as the pixels it is compared with.
public struct ChangeMagnitudeCode: Sendable, Hashable {
    public static let invalid: UInt16 = ChangeMagnitude.invalidCode
    public let maxValue: Float
    public init(maxValue: Float) { self.maxValue = maxValue }
    /// Codes per unit of magnitude.
    public var scale: Float { 65534 / maxValue }
    @inline(__always) public func encode(_ m: Float) -> UInt16 { ChangeMagnitude.code(of: m, codeScale: scale) }
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
    /// How `threshold` was chosen, as the report names it.
    public var thresholdMethod: String
    public var validPixels: Int
    public var changedPixels: Int
    public var regions: [ChangeRegion]
    public var magnitudeCode: ChangeMagnitudeCode
    /// Seconds per stage.
    public var timings: [String: Double]
}

/// The change core: common grid, co-registration, normalisation, then streamed passes over
/// strips of the overlap — (1) fused normalise + change-vector magnitude + histogram, kept in a
/// store; (1b) the magnitude averaged over about a metre, with its histogram; (2) threshold,
/// open/close with halos, connected components merged across strips.
/// Memory is bounded by the strips in flight, not by the scene.
public struct ChangeDetector {
    public var parameters: ChangeParameters
    public init(parameters: ChangeParameters = ChangeParameters()) { self.parameters = parameters }

    /// - Parameters:
    ///   - openBefore, openAfter: open a fresh source of each date (one per thread).
    ///   - reproject: before-CRS to after-CRS map coordinates when the CRSs differ.
    ///   - progress: called with (stage, done, total) as strips finish.
    ///   - mask: receives the final change mask (after thresholding, opening and closing) strip by
    ///     strip, in order: its rows of the overlap and their bits.
    ///   - pixelSizeMeters: the before grid's pixel size on the ground; nil takes the transform's
    ///     pixel width as metres.
    ///   - store: where the magnitudes are kept (`nil`: in memory); called once for pass 1's raw
    ///     magnitudes and, where they are averaged, once more for the averaged ones that are
    ///     thresholded (the last store is the one the mask follows).
    public func run(openBefore: () throws -> PixelSource, openAfter: () throws -> PixelSource,
                    reproject: (@Sendable (MapPoint) -> MapPoint)? = nil,
                    store: ((PixelWindow) throws -> RowStore)? = nil,
                    pixelSizeMeters: Double? = nil,
                    progress: ((String, Int, Int) -> Void)? = nil,
                    mask maskSink: ((Range<Int>, BitPlaneView) -> Void)? = nil) throws -> ChangeResult {
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
        // One reader per thread, each with its own sources (the first keeps the ones opened above),
        // for the co-registration and sampling windows and for pass 1's strips.
        let strips = (overlap.height + parameters.stripRows - 1) / parameters.stripRows
        let threads = max(1, min(parameters.threads, strips))
        let readers = [AlignedReader(before: before, after: after, mapping: mapping)]
            + (try (1..<threads).map { _ in AlignedReader(before: try openBefore(), after: try openAfter(), mapping: mapping) })
        for reader in readers { reader.afterReadMargin = parameters.maxShiftPixels + 1 }
        let bandCount = readers[0].bandCount
        guard bandCount >= 1 else { throw ChangeAnalysisError(.incompatibleBands, "the dates share no band") }

        // Co-registration and normalisation on windows spread over the overlap.
        let registration = try Coregistration.estimate(readers, overlap: overlap, parameters: parameters)
        lap("registration")
        let shift = registration.appliedShift
        let windows = Coregistration.windows(in: overlap, size: parameters.registrationWindowSize,
                                             count: parameters.registrationWindowCount)
        let samples = try Self.parallelMap(windows.count, readers) { reader, index -> (before: [[Float]], after: [[Float]]) in
            let window = windows[index]
            try reader.read(window, shift: shift)
            let n = window.pixelCount
            var b = [[Float]](repeating: [], count: bandCount), a = b
            // About 8,000 samples per window (72,000 in all): plenty for a robust line.
            let step = max(3, n / 8_000)
            for i in stride(from: 0, to: n, by: step) where reader.validity[i] != 0 {
                for band in 0..<bandCount {
                    b[band].append(reader.beforePlanes[band * n + i])
                    a[band].append(reader.afterPlanes[band * n + i])
                }
            }
            return (b, a)
        }
        let sampleBefore = (0..<bandCount).map { band in samples.flatMap { $0.before[band] } }
        let sampleAfter = (0..<bandCount).map { band in samples.flatMap { $0.after[band] } }
        let normalisation = Normalisation.fit(before: sampleBefore, after: sampleAfter, parameters: parameters.normalisation)
        // The histogram's range: well past the sampled magnitudes, so the change tail fits.
        var sampled: [Float] = (0..<(sampleBefore.first?.count ?? 0)).map { i in
            var sum: Float = 0
            for band in 0..<bandCount {
                let d = Float(normalisation.gains[band]) * sampleAfter[band][i] + Float(normalisation.offsets[band]) - sampleBefore[band][i]
                sum += d * d
            }
            return sum.squareRoot()
        }
        let p999 = sampled.isEmpty ? 1 : sampled.select(min(sampled.count - 1, Int(Double(sampled.count) * 0.999)))
        let maxValue = max(1e-3, p999 * 2)
        let code = ChangeMagnitudeCode(maxValue: maxValue)
        for reader in readers { reader.clearReadCache() }
        lap("normalisation")

        // Pass 1: decode, resample, magnitude codes and histogram, strips in parallel, each thread
        // with its own sources (thread 0 keeps the ones registration used). Threads claim runs of
        // consecutive strips, so a thread's sources carry decoded blocks from one strip into the
        // overlapping rows of the next.
        let newStore = { try store?(overlap) ?? InMemoryRowStore(width: overlap.width, height: overlap.height, fill: ChangeMagnitudeCode.invalid) }
        let magnitudes = try newStore()
        let rows = parameters.stripRows
        let bins = parameters.histogramBins
        let scales = normalisation.scales
        // Two runs per thread: a run's first strip decodes one block row its predecessor already
        // had (the after date's margin), so fewer runs decode less; two still balance the threads
        // when one core is busy elsewhere.
        let stripsPerRun = max(1, (strips + 2 * threads - 1) / (2 * threads))
        let state = PassState(bins: bins, strips: strips, run: stripsPerRun)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let reader = readers[thread]
            var codes = Buffer<UInt16>()
            defer { codes.free() }
            var histogram = [UInt32](repeating: 0, count: bins)
            while let run = state.claim() {
                for strip in run {
                    let window = PixelWindow(x: overlap.x, y: overlap.y + strip * rows, width: overlap.width,
                                             height: min(rows, overlap.height - strip * rows))
                    do {
                        codes.reserve(window.pixelCount)
                        var counted = 0
                        try histogram.withUnsafeMutableBufferPointer { h in
                            // Blocks of 8 rows: their Float rows (8 x width x 2 dates x bands) stay in L2.
                            try reader.stream(window, shift: shift, blockRows: 8) { block in
                                counted += ChangeMagnitude.compute(
                                    before: block.before, after: block.after, afterScale: scales, validity: block.validity,
                                    codes: MutablePlaneView(base: codes.pointer + block.firstRow * window.width, width: window.width, height: block.rows),
                                    codeScale: code.scale, histogram: h, maxValue: maxValue)
                            }
                        }
                        try magnitudes.write(rows: (strip * rows)..<(strip * rows + window.height),
                                             UnsafeBufferPointer(start: codes.pointer, count: window.pixelCount))
                        state.finish(valid: counted, progress: progress, stage: "magnitude")
                    } catch {
                        state.fail(error)
                    }
                }
            }
            state.add(histogram)
        }
        if let error = state.error { throw error }
        lap("magnitude")

        // Pass 1b: the magnitude averaged over a box of about a metre (BoxMean), and its histogram,
        // which the threshold is chosen on. Each strip is read with the box's halo of rows.
        let radius = Int((parameters.averagingRadiusMeters / (pixelSizeMeters ?? abs(gb.transform.pixelWidth))).rounded())
        let statistic: RowStore
        var histogram = state.histogram
        if radius >= 1 {
            let averaged = try newStore()
            let averageState = PassState(bins: bins, strips: strips, run: stripsPerRun)
            let width = overlap.width
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                var span = Buffer<UInt16>(), out = Buffer<UInt16>()
                defer { span.free(); out.free() }
                var local = [UInt32](repeating: 0, count: bins)
                while let run = averageState.claim() {
                    for strip in run {
                        let core = (strip * rows)..<min(overlap.height, (strip + 1) * rows)
                        let read = max(0, core.lowerBound - radius)..<min(overlap.height, core.upperBound + radius)
                        do {
                            span.reserve(read.count * width)
                            out.reserve(core.count * width)
                            try magnitudes.read(rows: read, into: UnsafeMutableBufferPointer(start: span.pointer, count: read.count * width))
                            BoxMean.smooth(PlaneView(base: span.pointer, width: width, height: read.count),
                                           rows: (core.lowerBound - read.lowerBound)..<(core.upperBound - read.lowerBound),
                                           radius: radius, invalid: ChangeMagnitudeCode.invalid,
                                           into: MutablePlaneView(base: out.pointer, width: width, height: core.count))
                            // The bin of each code's magnitude, as the fused kernel bins a magnitude;
                            // through a buffer pointer (the array in a closure paid a uniqueness check
                            // per pixel).
                            let counted = local.withUnsafeMutableBufferPointer { h in
                                var counted = 0
                                let codes = UnsafeBufferPointer(start: out.pointer, count: core.count * width)
                                for code in codes where code != ChangeMagnitudeCode.invalid {
                                    h[min(bins - 1, Int(code) &* bins / Int(ChangeMagnitude.maxCode))] &+= 1
                                    counted &+= 1
                                }
                                return counted
                            }
                            try averaged.write(rows: core, UnsafeBufferPointer(start: out.pointer, count: core.count * width))
                            averageState.finish(valid: counted, progress: progress, stage: "averaging")
                        } catch {
                            averageState.fail(error)
                        }
                    }
                }
                averageState.add(local)
            }
            if let error = averageState.error { throw error }
            histogram = averageState.histogram
            statistic = averaged
            lap("averaging")
        } else {
            statistic = magnitudes
        }

        let (threshold, thresholdMethod) = ChangeThreshold.choose(histogram: histogram, maxValue: Double(maxValue), parameters: parameters)

        // Pass 2: threshold into packed masks, open then close, label streaming across strips.
        // Each strip is read with a halo of rows: opening then closing by a radius-r element looks
        // 4r rows out, so the core rows come out as if the whole overlap had been processed.
        // Thresholding and morphology run on `threads` strips at a time; the labeller takes their
        // core rows in order.
        let element = StructuringElement.square(parameters.morphologySize)
        let halo = 4 * (parameters.morphologySize / 2)
        let width = overlap.width, words = BitPacking.words(width)
        let labeler = ComponentLabeler(width: width, connectivity: parameters.connectivity)
        let thresholdCode = code.encode(Float(threshold))
        var regions: [ChangeRegion] = []
        var changed = 0
        let spanRows = min(overlap.height, rows + 2 * halo)
        let workspaces = (0..<threads).map { _ in MaskWorkspace(codes: spanRows * width, words: spanRows * words,
                                                                scratch: BinaryMorphology.packedScratchCount(width: width, height: spanRows, element: element)) }
        defer { workspaces.forEach { $0.free() } }
        var batch = 0
        while batch < strips {
            let count = min(threads, strips - batch)
            let first = batch
            DispatchQueue.concurrentPerform(iterations: count) { slot in
                let strip = first + slot, work = workspaces[slot]
                let core = (strip * rows)..<min(overlap.height, (strip + 1) * rows)
                let span = max(0, core.lowerBound - halo)..<min(overlap.height, core.upperBound + halo)
                do {
                    try statistic.read(rows: span, into: UnsafeMutableBufferPointer(start: work.codes, count: span.count * width))
                } catch {
                    state.fail(error)
                    work.core = BitPlaneView(base: work.mask, width: width, height: 0)
                    return
                }
                let mask = MutableBitPlaneView(base: work.mask, width: width, height: span.count)
                BitPacking.threshold(PlaneView(base: work.codes, width: width, height: span.count), above: thresholdCode,
                                     excluding: ChangeMagnitudeCode.invalid, into: mask)
                let scratch = UnsafeMutableBufferPointer(start: work.scratch, count: work.scratchCount)
                BinaryMorphology.apply(.open, to: mask.readOnly, into: mask, element: element, scratch: scratch)
                BinaryMorphology.apply(.close, to: mask.readOnly, into: mask, element: element, scratch: scratch)
                work.core = BitPlaneView(base: work.mask + (core.lowerBound - span.lowerBound) * words, width: width, height: core.count)
                work.changed = BitPacking.population(work.core)
            }
            if let error = state.error { throw error }
            for slot in 0..<count {
                changed += workspaces[slot].changed
                let coreRows = ((first + slot) * rows)..<((first + slot) * rows + workspaces[slot].core.height)
                maskSink?(coreRows, workspaces[slot].core)
                labeler.feed(workspaces[slot].core)
                for c in labeler.drainFinished() where c.area >= parameters.minimumComponentPixels {
                    regions.append(Self.region(c, overlap: overlap, transform: gb.transform))
                }
                progress?("components", first + slot + 1, strips)
            }
            batch += count
        }
        for c in labeler.finish() where c.area >= parameters.minimumComponentPixels {
            regions.append(Self.region(c, overlap: overlap, transform: gb.transform))
        }
        regions.sort { $0.component.firstPixelIndex < $1.component.firstPixelIndex }
        lap("components")

        return ChangeResult(registration: registration, normalisation: normalisation, overlap: overlap, histogram: histogram,
                            histogramMax: Double(maxValue), threshold: threshold, thresholdMethod: thresholdMethod, validPixels: state.valid,
                            changedPixels: changed, regions: regions, magnitudeCode: code, timings: timings)
    }

    /// body(reader, i) for i in 0..<count, item i on reader i % readers.count, one thread per reader;
    /// results in item order, the first error rethrown.
    static func parallelMap<T>(_ count: Int, _ readers: [AlignedReader], _ body: (AlignedReader, Int) throws -> T) throws -> [T] {
        var results = [T?](repeating: nil, count: count)
        var firstError: Error?
        let lock = SemaphoreLock()
        results.withUnsafeMutableBufferPointer { slots in
            let threads = min(readers.count, count)
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                for i in stride(from: thread, to: count, by: threads) {
                    do { slots[i] = try body(readers[thread], i) } catch { lock.locked { if firstError == nil { firstError = error } } }
                }
            }
        }
        if let firstError { throw firstError }
        return results.map { $0! }
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

/// Shared between the passes' threads: the strips still to claim, the merged histogram, counts,
/// progress and the first error.
private final class PassState: @unchecked Sendable {
    private let lock = SemaphoreLock()
    private(set) var histogram: [UInt32]
    private(set) var valid = 0
    private(set) var error: Error?
    private var done = 0
    private var next = 0
    private let strips: Int
    private let run: Int

    init(bins: Int, strips: Int, run: Int) {
        histogram = [UInt32](repeating: 0, count: bins)
        self.strips = strips
        self.run = run
    }

    /// The next run of consecutive strips, or nil when all are claimed (or a thread failed).
    func claim() -> Range<Int>? {
        lock.locked {
            guard next < strips, error == nil else { return nil }
            defer { next = min(strips, next + run) }
            return next..<min(strips, next + run)
        }
    }

    func finish(valid: Int, progress: ((String, Int, Int) -> Void)?, stage: String) {
        lock.locked {
            self.valid += valid
            done += 1
            progress?(stage, done, strips)
        }
    }

    func add(_ histogram: [UInt32]) {
        lock.locked { for i in histogram.indices { self.histogram[i] &+= histogram[i] } }
    }

    func fail(_ error: Error) { lock.locked { if self.error == nil { self.error = error } } }
}

/// One pass-2 thread's buffers: a span of codes, its packed mask, morphology scratch; and what the
/// strip left for the labeller.
private final class MaskWorkspace: @unchecked Sendable {
    let codes: UnsafeMutablePointer<UInt16>
    let mask: UnsafeMutablePointer<UInt64>
    let scratch: UnsafeMutablePointer<UInt64>
    let scratchCount: Int
    var core: BitPlaneView
    var changed = 0

    init(codes: Int, words: Int, scratch: Int) {
        self.codes = .allocate(capacity: max(1, codes))
        mask = .allocate(capacity: max(1, words))
        self.scratch = .allocate(capacity: max(1, scratch))
        scratchCount = scratch
        core = BitPlaneView(base: mask, width: 0, height: 0)
    }

    func free() { codes.deallocate(); mask.deallocate(); scratch.deallocate() }
}

/// A mutex from Dispatch (the module imports no Foundation).
final class SemaphoreLock: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 1)
    func locked<T>(_ body: () -> T) -> T {
        semaphore.wait()
        defer { semaphore.signal() }
        return body()
    }
}

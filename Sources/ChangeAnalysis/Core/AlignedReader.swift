import GeoRaster
import RasterKernels

/// Reads a window of the before grid from both dates as Float32 rows: the before date as it is,
/// the after date resampled onto it (through the grid mapping and the co-registration shift),
/// plus validity (0 where either date has nodata or the after date does not reach).
///
/// `stream` hands the window out in blocks of a few rows, so the Float32 data of a strip never
/// exists whole: only the decoded samples of both dates (1-2 bytes a sample) are held for the
/// strip, and each block's Float rows stay in cache between resampling and the caller's kernel.
/// When the after date maps onto the before grid by a translation (same GSD, the usual case) and
/// has no nodata, each after source row is widened and filtered horizontally once, as the block
/// rows reach it, into a ring of `taps` lines per band (`Resampling.TranslationFilter`); any other
/// mapping resamples the whole window through `Resampling.resample` first.
///
/// Buffers grow to the largest window read and are reused; one reader per thread.
final class AlignedReader {
    let before: PixelSource
    let after: PixelSource
    let mapping: GridMapping
    /// Bands compared: those the two dates share (the first min(n, m)).
    let bandCount: Int
    var interpolation: Resampling.Interpolation = .cubic

    /// One block of rows of the window: planes of `width` x `rows` per band, and validity (nil
    /// when every pixel of the block is valid).
    struct Block {
        /// The block's first row, relative to the window.
        var firstRow: Int
        var rows: Int
        var before: [PlaneView<Float>]
        var after: [PlaneView<Float>]
        var validity: PlaneView<UInt8>?
    }

    // What `read` leaves: the whole window, band-sequential.
    private(set) var window = PixelWindow(x: 0, y: 0, width: 0, height: 0)
    var beforePlanes: UnsafeBufferPointer<Float> { UnsafeBufferPointer(blockBefore) }
    var afterPlanes: UnsafeBufferPointer<Float> { UnsafeBufferPointer(blockAfter) }
    var validity: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(blockValidity) }

    private var rawBefore = Buffer<UInt8>()
    private var rawAfter = Buffer<UInt8>()
    private var blockBefore = Buffer<Float>()
    private var blockAfter = Buffer<Float>()
    private var blockValidity = Buffer<UInt8>()
    // Translation path: a ring of filtered lines per band, and one widened source row.
    private var ring = Buffer<Float>()
    private var sourceRow = Buffer<Float>()
    // General path: the after window widened, resampled planes, nodata masks.
    private var sourcePlanes = Buffer<Float>()
    private var resampled = Buffer<Float>()
    private var resampledValidity = Buffer<UInt8>()
    private var sourceMask = Buffer<Float>()
    private var resampledMask = Buffer<Float>()

    init(before: PixelSource, after: PixelSource, mapping: GridMapping) {
        self.before = before
        self.after = after
        self.mapping = mapping
        bandCount = min(before.layout.bandCount, after.layout.bandCount, ChangeMagnitude.bandCountRange.upperBound)
    }

    deinit {
        clearReadCache()
        for buffer in [rawBefore, rawAfter, resampledValidity] { buffer.free() }
        for buffer in [blockBefore, blockAfter, ring, sourceRow, sourcePlanes, resampled, sourceMask, resampledMask] { buffer.free() }
        blockValidity.free()
    }

    /// Decoded windows `read` keeps, so that co-registration and sampling, which read the same
    /// windows at two shifts, decode them once: before windows as read, after windows with
    /// `afterReadMargin` extra pixels around what the first shift needs.
    private var beforeCache: [(window: PixelWindow, data: Buffer<UInt8>)] = []
    private var afterCache: [(window: PixelWindow, data: Buffer<UInt8>)] = []
    var afterReadMargin = 0

    /// Frees the windows `read` kept.
    func clearReadCache() {
        for entry in beforeCache + afterCache { entry.data.free() }
        beforeCache.removeAll(); afterCache.removeAll()
    }

    /// Reads `window` (before pixels) whole, the after date shifted by `shift` before pixels:
    /// `beforePlanes`, `afterPlanes` (band b at b * window.pixelCount) and `validity`.
    func read(_ window: PixelWindow, shift: PixelPoint) throws {
        try stream(window, shift: shift, blockRows: max(1, window.height), keep: true) { block in
            if block.validity == nil {
                for i in 0..<window.pixelCount { blockValidity[i] = 1 }
            }
        }
        self.window = window
    }

    /// Calls `body` with consecutive blocks of at most `blockRows` rows covering `window`. The
    /// block's planes live in the reader and are overwritten by the next block.
    func stream(_ window: PixelWindow, shift: PixelPoint, blockRows: Int, keep: Bool = false,
                _ body: (Block) throws -> Void) throws {
        let width = window.width, blockRows = max(1, min(blockRows, window.height))
        guard width > 0, window.height > 0 else { return }
        let blockCount = blockRows * width
        blockBefore.reserve(bandCount * blockCount)
        blockAfter.reserve(bandCount * blockCount)
        blockValidity.reserve(blockCount)
        let rawBefore: UnsafeMutablePointer<UInt8>
        if keep {
            if let kept = beforeCache.first(where: { $0.window == window }) {
                rawBefore = kept.data.pointer
            } else {
                var data = Buffer<UInt8>()
                try decode(before, window, into: &data)
                beforeCache.append((window, data))
                rawBefore = data.pointer
            }
        } else {
            try decode(before, window, into: &self.rawBefore)
            rawBefore = self.rawBefore.pointer
        }
        let beforeSampleBytes = before.layout.pixelType.bytesPerSample

        // The after date: the source window the strip needs (cubic convolution reaches 2 pixels out).
        var source = mapping.afterWindow(for: window, shift: shift, margin: 3, afterSize: after.layout.window)
        var rawAfter = self.rawAfter.pointer
        var filter: Resampling.TranslationFilter?
        var general = false
        if let needed = source, !needed.isEmpty {
            if keep {
                if let kept = afterCache.first(where: { $0.window.contains(needed) }) {
                    source = kept.window
                    rawAfter = kept.data.pointer
                } else {
                    let m = afterReadMargin
                    let wider = PixelWindow(x: needed.x - m, y: needed.y - m, width: needed.width + 2 * m, height: needed.height + 2 * m)
                        .intersection(after.layout.window) ?? needed
                    var data = Buffer<UInt8>()
                    try decode(after, wider, into: &data)
                    afterCache.append((wider, data))
                    source = wider
                    rawAfter = data.pointer
                }
            } else {
                try decode(after, needed, into: &self.rawAfter)
                rawAfter = self.rawAfter.pointer
            }
            let source = source!
            let map = mapping.affine(window: window, sourceOrigin: PixelPoint(x: Double(source.x), y: Double(source.y)), shift: shift)
            if let (dx, dy) = Self.translation(map, window), after.nodata == nil {
                filter = Resampling.TranslationFilter(dx: dx, dy: dy, interpolation: interpolation, sourceWidth: source.width,
                                                      sourceHeight: source.height, destinationWidth: width, destinationHeight: window.height)
                ring.reserve(bandCount * filter!.taps * width)
                sourceRow.reserve(source.width)
            } else {
                try resampleWhole(window, source, map, rawAfter)
                general = true
            }
        }
        var ringRows = [Int](repeating: -1, count: bandCount * (filter?.taps ?? 0))
        var lines = [UnsafePointer<Float>](repeating: UnsafePointer(bitPattern: 4)!, count: 4)

        var first = 0
        while first < window.height {
            let rows = min(blockRows, window.height - first)
            let n = rows * width
            // Before: widen the block's rows.
            for band in 0..<bandCount {
                for r in 0..<rows {
                    widen(rawBefore + ((band * window.height + first + r) * width) * beforeSampleBytes,
                          before.layout.pixelType, blockBefore.pointer + band * n + r * width, width)
                }
            }
            // Validity, only where some pixel of the block can be invalid.
            var valid = true
            let beforeNodata = before.nodata.map { Float($0) }
            if let filter {
                let inside = filter.columns == 0..<width && filter.rows.contains(first) && filter.rows.contains(first + rows - 1)
                if !inside || beforeNodata != nil {
                    valid = false
                    let columns = filter.columns
                    for r in 0..<rows {
                        let v = blockValidity.pointer + r * width
                        if filter.rows.contains(first + r) {
                            v.update(repeating: 0, count: columns.lowerBound)
                            (v + columns.lowerBound).update(repeating: 1, count: columns.count)
                            (v + columns.upperBound).update(repeating: 0, count: width - columns.upperBound)
                        } else {
                            v.update(repeating: 0, count: width)
                        }
                    }
                }
            } else if general {
                valid = false
                for i in 0..<n { blockValidity[i] = resampledValidity[first * width + i] }
            } else {
                // The after date does not reach this window at all.
                valid = false
                for i in 0..<n { blockValidity[i] = 0 }
            }
            if let beforeNodata {
                // A pixel whose every band is nodata.
                for i in 0..<n {
                    var all = true
                    for band in 0..<bandCount where blockBefore[band * n + i] != beforeNodata { all = false; break }
                    if all { blockValidity[i] = 0 }
                }
            }
            // After: combine filtered lines (translation), copy resampled rows, or zeros.
            if let filter {
                for r in 0..<rows {
                    let y = first + r
                    for band in 0..<bandCount {
                        let out = blockAfter.pointer + band * n + r * width
                        guard filter.rows.contains(y), !filter.columns.isEmpty else {
                            for x in 0..<width { out[x] = 0 }
                            continue
                        }
                        for k in 0..<filter.taps {
                            let sourceY = filter.sourceRow(y, tap: k)
                            let slot = sourceY % filter.taps
                            let line = ring.pointer + (band * filter.taps + slot) * width
                            if ringRows[band * filter.taps + slot] != sourceY {
                                widen(rawAfter + ((band * source!.height + sourceY) * source!.width) * after.layout.pixelType.bytesPerSample,
                                      after.layout.pixelType, sourceRow.pointer, source!.width)
                                filter.filterRow(UnsafePointer(sourceRow.pointer), into: line)
                                ringRows[band * filter.taps + slot] = sourceY
                            }
                            lines[k] = UnsafePointer(line)
                        }
                        lines.withUnsafeBufferPointer { filter.combine($0.baseAddress!, into: out, fill: 0) }
                    }
                }
            } else if general {
                for band in 0..<bandCount {
                    (blockAfter.pointer + band * n).update(from: resampled.pointer + band * window.pixelCount + first * width, count: n)
                }
            } else {
                for i in 0..<(bandCount * n) { blockAfter[i] = 0 }
            }
            let planes = { (base: UnsafeMutablePointer<Float>) in
                (0..<self.bandCount).map { PlaneView(base: UnsafePointer(base + $0 * n), width: width, height: rows) }
            }
            try body(Block(firstRow: first, rows: rows, before: planes(blockBefore.pointer), after: planes(blockAfter.pointer),
                           validity: valid ? nil : PlaneView(base: UnsafePointer(blockValidity.pointer), width: width, height: rows)))
            first += rows
        }
    }

    /// The translation a map is over the window, if it is one to within 1e-6 px at the window's
    /// far corner: geotransforms at UTM coordinates rarely give a scale of exactly 1.
    static func translation(_ map: PixelAffineMap, _ window: PixelWindow) -> (dx: Double, dy: Double)? {
        let c = map.coefficients
        let extent = Double(max(window.width, window.height))
        guard c[0].isFinite, c[3].isFinite, abs(c[0]) < 1e9, abs(c[3]) < 1e9,
              (abs(c[1] - 1) + abs(c[2]) + abs(c[4]) + abs(c[5] - 1)) * extent < 1e-6 else { return nil }
        // The position of the window's centre, held exactly.
        let cx = Double(window.width) / 2, cy = Double(window.height) / 2
        return (c[0] + (c[1] - 1) * cx + c[2] * cy, c[3] + c[4] * cx + (c[5] - 1) * cy)
    }

    /// The general path: the after window widened to Float and resampled band by band onto the
    /// whole window, with validity (inside the after raster, and no nodata contamination).
    private func resampleWhole(_ window: PixelWindow, _ source: PixelWindow, _ map: PixelAffineMap,
                               _ rawAfter: UnsafeMutablePointer<UInt8>) throws {
        let n = window.pixelCount, m = source.pixelCount
        sourcePlanes.reserve(bandCount * m)
        resampled.reserve(bandCount * n)
        resampledValidity.reserve(n)
        let sampleBytes = after.layout.pixelType.bytesPerSample
        for band in 0..<bandCount {
            widen(rawAfter + band * m * sampleBytes, after.layout.pixelType, sourcePlanes.pointer + band * m, m)
        }
        for band in 0..<bandCount {
            Resampling.resample(PlaneView(base: UnsafePointer(sourcePlanes.pointer + band * m), width: source.width, height: source.height),
                                into: MutablePlaneView(base: resampled.pointer + band * n, width: window.width, height: window.height),
                                map: map, interpolation: interpolation, fill: 0,
                                validity: band == 0 ? MutablePlaneView(base: resampledValidity.pointer, width: window.width, height: window.height) : nil)
        }
        if let nodata = after.nodata {
            // Resample a nodata mask bilinearly: any contamination by nodata invalidates the pixel.
            sourceMask.reserve(m)
            resampledMask.reserve(n)
            let value = Float(nodata)
            for i in 0..<m {
                var all = true
                for band in 0..<bandCount where sourcePlanes[band * m + i] != value { all = false; break }
                sourceMask[i] = all ? 1 : 0
            }
            Resampling.resample(PlaneView(base: UnsafePointer(sourceMask.pointer), width: source.width, height: source.height),
                                into: MutablePlaneView(base: resampledMask.pointer, width: window.width, height: window.height),
                                map: map, interpolation: .bilinear, fill: 1)
            for i in 0..<n where resampledMask[i] > 0.01 { resampledValidity[i] = 0 }
        }
    }

    /// Decodes a window of a source (all bands, its own sample type) into `raw`.
    private func decode(_ source: PixelSource, _ window: PixelWindow, into raw: inout Buffer<UInt8>) throws {
        let layout = source.layout
        let bytes = window.pixelCount * layout.bandCount * layout.pixelType.bytesPerSample
        raw.reserve(bytes)
        try source.read(window: window, into: UnsafeMutableRawBufferPointer(start: raw.pointer, count: bytes))
    }

    /// `count` samples of one row to Float32.
    private func widen(_ samples: UnsafeMutablePointer<UInt8>, _ type: PixelType, _ out: UnsafeMutablePointer<Float>, _ count: Int) {
        let target = UnsafeMutableBufferPointer(start: out, count: count)
        let raw = UnsafeRawPointer(samples)
        switch type {
        case .uint8:
            SampleConversion.widen(UnsafeBufferPointer(start: raw.assumingMemoryBound(to: UInt8.self), count: count), into: target)
        case .uint16:
            SampleConversion.widen(UnsafeBufferPointer(start: raw.assumingMemoryBound(to: UInt16.self), count: count), into: target)
        case .int16:
            SampleConversion.widen(UnsafeBufferPointer(start: raw.assumingMemoryBound(to: Int16.self), count: count), into: target)
        case .float32:
            out.update(from: raw.assumingMemoryBound(to: Float.self), count: count)
        case .float64:
            let d = raw.assumingMemoryBound(to: Double.self)
            for i in 0..<count { out[i] = Float(d[i]) }
        }
    }
}

/// A growable buffer that keeps its memory between uses: the change core's strips reuse one set of
/// buffers per thread (fresh pages cost a fault each on these machines, STYLE.md).
struct Buffer<Element> {
    private(set) var pointer = UnsafeMutablePointer<Element>(bitPattern: MemoryLayout<Element>.alignment)!
    private(set) var capacity = 0

    /// Makes room for `count` elements; the contents are undefined after a growth.
    mutating func reserve(_ count: Int) {
        guard count > capacity else { return }
        if capacity > 0 { pointer.deallocate() }
        // Aligned for 64-byte loads of any element type.
        pointer = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Element>.stride, alignment: 64)
            .bindMemory(to: Element.self, capacity: count)
        capacity = count
    }

    subscript(i: Int) -> Element {
        get { pointer[i] }
        nonmutating set { pointer[i] = newValue }
    }

    func free() { if capacity > 0 { pointer.deallocate() } }
}

extension UnsafeBufferPointer {
    init(_ buffer: Buffer<Element>) { self.init(start: UnsafePointer(buffer.pointer), count: buffer.capacity) }
}

extension Array {
    /// Grows (with zeros) or shrinks without giving capacity back, so buffers are reused.
    mutating func resizeKeepingCapacity(_ count: Int) where Element: ExpressibleByIntegerLiteral {
        if self.count < count { append(contentsOf: repeatElement(0, count: count - self.count)) }
        else if self.count > count { removeLast(self.count - count) }
    }
}

import CRasterShims
import Foundation
import GeoRaster

/// TIFF tag numbers used here (TIFF 6.0, GeoTIFF 1.1, GDAL).
enum TIFFTag {
    static let subfileType: UInt32 = 254
    static let imageWidth: UInt32 = 256
    static let imageLength: UInt32 = 257
    static let bitsPerSample: UInt32 = 258
    static let compression: UInt32 = 259
    static let photometric: UInt32 = 262
    static let dateTime: UInt32 = 306
    static let samplesPerPixel: UInt32 = 277
    static let rowsPerStrip: UInt32 = 278
    static let planarConfig: UInt32 = 284
    static let predictor: UInt32 = 317
    static let tileWidth: UInt32 = 322
    static let tileLength: UInt32 = 323
    static let sampleFormat: UInt32 = 339
    static let modelPixelScale: UInt32 = 33550
    static let modelTiepoint: UInt32 = 33922
    static let modelTransformation: UInt32 = 34264
    static let geoKeyDirectory: UInt32 = 34735
    static let geoDoubleParams: UInt32 = 34736
    static let geoAsciiParams: UInt32 = 34737
    static let gdalNodata: UInt32 = 42113
}

/// TIFF compression codes and the names GDAL reports for them.
enum TIFFCompression {
    static let none: UInt16 = 1
    static let lzw: UInt16 = 5
    static let oldJPEG: UInt16 = 6
    static let jpeg: UInt16 = 7
    static let adobeDeflate: UInt16 = 8
    static let packBits: UInt16 = 32773
    static let deflate: UInt16 = 32946

    static func name(_ code: UInt16, photometric: UInt16) -> String? {
        switch code {
        case none: return nil
        case lzw: return "LZW"
        case jpeg: return photometric == 6 ? "YCbCr JPEG" : "JPEG"
        case adobeDeflate, deflate: return "DEFLATE"
        case packBits: return "PACKBITS"
        case oldJPEG: return "OJPEG"
        case 34887: return "LERC"
        case 34925: return "LZMA"
        case 50000: return "ZSTD"
        case 50001: return "WEBP"
        case 34712: return "JP2000"
        default: return "compression \(code)"
        }
    }
}

/// A GeoTIFF opened for reading. Reads decode only the blocks a window touches. Decoded blocks
/// are kept in a small cache — two per block column, up to 32 MiB — so that windows read top to
/// bottom with overlapping margins (the change core's after date, co-registration windows) decode
/// each block once: without it, a strip reader with a few rows of margin decoded every block of
/// the after date three times (measured). Not thread-safe: open one per thread.
public final class GeoTIFFFile: RasterSource {
    public let info: RasterInfo
    private let handle: OpaquePointer
    private let limits: DecodeLimits
    private let isTiled: Bool
    private let samplesPerPixel: Int
    private let isPlanar: Bool
    private let blockBytes: Int
    /// Predictor 2 on 8-bit samples is undone here rather than by libtiff, and cached blocks then
    /// hold band planes (band b, row r at (b * blockHeight + r) * blockWidth) instead of
    /// interleaved samples: see sw_predicted_u8_to_planes.
    private let planarBlocks: Bool
    private let cacheCapacity: Int
    private var cache: [CachedBlock] = []
    private var useClock = 0

    /// A decoded block: `bytes` valid bytes of `buffer` hold block `index` (-1: the slot is empty).
    private struct CachedBlock {
        var index: Int
        var buffer: UnsafeMutableRawBufferPointer
        var bytes: Int
        var lastUse: Int
    }

    public init(path: String, limits: DecodeLimits = .default) throws {
        try FileChecks.requireReadableFile(path)
        let handle = try Self.open(path, limits)
        self.handle = handle
        self.limits = limits
        do {
            let header = try TIFFHeader(handle: handle, path: path, limits: limits)
            isTiled = header.isTiled
            samplesPerPixel = header.layout.bandCount
            isPlanar = header.isPlanar
            blockBytes = header.blockBytes
            info = header.info
        } catch {
            _ = sw_tiff_close(handle, nil)
            throw error
        }
        // After the header: reading the overview directories reloads the first one's tags.
        planarBlocks = sw_tiff_take_over_predictor(handle) == 1
        cacheCapacity = Self.cacheCapacity(info, isPlanar: isPlanar, blockBytes: blockBytes)
    }

    /// Reopens a file whose header was read before (a mosaic's tile): only the tags a read needs
    /// are read again, not the georeferencing, GeoKeys or overviews (measured: half the cost of
    /// opening a tile, which a mosaic read does once per tile and thread).
    init(path: String, limits: DecodeLimits, known: RasterInfo) throws {
        let handle = try Self.open(path, limits)
        func u16(_ tag: UInt32) -> UInt16 { var v: UInt16 = 0; _ = sw_tiff_get_u16_defaulted(handle, tag, &v); return v }
        isTiled = sw_tiff_is_tiled(handle) != 0
        isPlanar = u16(TIFFTag.planarConfig) == 2
        samplesPerPixel = known.layout.bandCount
        if u16(TIFFTag.photometric) == 6 && u16(TIFFTag.compression) == TIFFCompression.jpeg {
            _ = sw_tiff_request_jpeg_rgb(handle)
        }
        blockBytes = Int(isTiled ? sw_tiff_tile_size(handle) : sw_tiff_strip_size(handle))
        var width: UInt32 = 0, height: UInt32 = 0
        _ = sw_tiff_get_u32(handle, TIFFTag.imageWidth, &width)
        _ = sw_tiff_get_u32(handle, TIFFTag.imageLength, &height)
        guard Int(width) == known.layout.width, Int(height) == known.layout.height, blockBytes > 0,
              blockBytes <= limits.maxBlockBytes, Int(u16(TIFFTag.samplesPerPixel)) == known.layout.bandCount else {
            _ = sw_tiff_close(handle, nil)
            throw RasterIOError(.malformed, path: path, "file changed while open (its header no longer matches)")
        }
        self.handle = handle
        self.limits = limits
        info = known
        planarBlocks = sw_tiff_take_over_predictor(handle) == 1
        cacheCapacity = Self.cacheCapacity(info, isPlanar: isPlanar, blockBytes: blockBytes)
    }

    private static func open(_ path: String, _ limits: DecodeLimits) throws -> OpaquePointer {
        var message = ShimMessage()
        // "m": read, not memory-map. A mapped file's touched pages count in the process's RSS until
        // the handle closes: one 16384² LZW file kept 1.2 GB resident through a change run, read()
        // into the raw-block buffer keeps none, at the same speed (measured on the 8192² pair).
        guard let handle = message.withBuffer({ sw_tiff_open(path, "rm", Int64(limits.maxBlockBytes), $0) }) else {
            throw RasterIOError(.malformed, path: path, "not a readable TIFF file", cause: message.text)
        }
        return handle
    }

    private static func cacheCapacity(_ info: RasterInfo, isPlanar: Bool, blockBytes: Int) -> Int {
        let blocksAcross = (info.layout.width + info.blockWidth - 1) / info.blockWidth
        return max(1, min(2 * blocksAcross * (isPlanar ? info.layout.bandCount : 1), (32 << 20) / max(blockBytes, 1)))
    }

    deinit {
        for block in cache { BlockBuffers.give(block.buffer) }
        _ = sw_tiff_close(handle, nil)
    }

    public func read(window: PixelWindow, into destination: UnsafeMutableRawBufferPointer) throws {
        let layout = info.layout
        precondition(layout.window.contains(window), "window \(window) outside the raster \(layout.window)")
        let sampleBytes = layout.pixelType.bytesPerSample
        precondition(destination.count >= window.pixelCount * layout.bandCount * sampleBytes,
                     "destination holds \(destination.count) bytes, window needs \(window.pixelCount * layout.bandCount * sampleBytes)")
        guard !window.isEmpty else { return }
        try read(window: window, into: destination.baseAddress!, rowBytes: window.width * sampleBytes,
                 bandBytes: window.pixelCount * sampleBytes)
    }

    /// Strided form (a tile of a mosaic writes straight into the mosaic's window): row r of band b
    /// of `window` goes to `base + b * bandBytes + r * rowBytes`.
    func read(window: PixelWindow, into base: UnsafeMutableRawPointer, rowBytes: Int, bandBytes: Int) throws {
        let layout = info.layout
        precondition(layout.window.contains(window), "window \(window) outside the raster \(layout.window)")
        guard !window.isEmpty else { return }
        let sampleBytes = layout.pixelType.bytesPerSample
        let blockWidth = info.blockWidth, blockHeight = info.blockHeight
        let blocksAcross = (layout.width + blockWidth - 1) / blockWidth
        let blocksDown = (layout.height + blockHeight - 1) / blockHeight
        let planes = isPlanar ? layout.bandCount : 1
        let bandsPerBlock = isPlanar ? 1 : layout.bandCount
        // Within a decoded block, rows are blockWidth samples wide (tiles are padded; strips are
        // the image width).
        let blockRowBytes = blockWidth * bandsPerBlock * sampleBytes

        for blockRow in (window.y / blockHeight)...((window.maxY - 1) / blockHeight) {
            for blockColumn in (window.x / blockWidth)...((window.maxX - 1) / blockWidth) {
                let blockRect = PixelWindow(x: blockColumn * blockWidth, y: blockRow * blockHeight,
                                            width: blockWidth, height: blockHeight)
                guard let overlap = blockRect.intersection(window) else { continue }
                for plane in 0..<planes {
                    let index = (plane * blocksDown + blockRow) * blocksAcross + blockColumn
                    let (block, decoded) = try decodedBlock(index)
                    let rowsDecoded = decoded / blockRowBytes
                    guard overlap.maxY - blockRect.y <= rowsDecoded else {
                        throw RasterIOError(.malformed, path: info.path,
                                            "block \(index) decodes to \(decoded) bytes, fewer than its \(overlap.maxY - blockRect.y) rows need")
                    }
                    if planarBlocks {
                        for band in 0..<bandsPerBlock {
                            for row in overlap.y..<overlap.maxY {
                                let source = block + ((band * blockHeight + row - blockRect.y) * blockWidth + overlap.x - blockRect.x)
                                let target = base + (plane + band) * bandBytes + (row - window.y) * rowBytes + (overlap.x - window.x)
                                target.copyMemory(from: source, byteCount: overlap.width)
                            }
                        }
                        continue
                    }
                    for row in overlap.y..<overlap.maxY {
                        let source = block + (row - blockRect.y) * blockRowBytes
                            + (overlap.x - blockRect.x) * bandsPerBlock * sampleBytes
                        let target = base + (row - window.y) * rowBytes + (overlap.x - window.x) * sampleBytes
                        if bandsPerBlock == 1 {
                            (target + plane * bandBytes).copyMemory(from: source, byteCount: overlap.width * sampleBytes)
                        } else {
                            Deinterleave.copy(from: source, bands: bandsPerBlock, sampleBytes: sampleBytes,
                                              count: overlap.width, to: target, bandStride: bandBytes)
                        }
                    }
                }
            }
        }
    }

    /// Block `index` decoded, from the cache or libtiff; the least recently used slot is reused.
    private func decodedBlock(_ index: Int) throws -> (UnsafeRawPointer, Int) {
        useClock += 1
        if let hit = cache.firstIndex(where: { $0.index == index }) {
            cache[hit].lastUse = useClock
            return (UnsafeRawPointer(cache[hit].buffer.baseAddress!), cache[hit].bytes)
        }
        let slot: Int
        if cache.count < cacheCapacity {
            // Room past the block: the LZW decoder copies strings 16 bytes at a time.
            cache.append(CachedBlock(index: -1, buffer: BlockBuffers.take(blockBytes + Int(SW_BLOCK_SLACK)), bytes: 0, lastUse: 0))
            slot = cache.count - 1
        } else {
            slot = cache.indices.min { cache[$0].lastUse < cache[$1].lastUse }!
        }
        cache[slot].index = -1
        sw_tiff_clear_error(handle)
        // Predicted blocks decode into a pooled buffer, then become band planes in the cache slot.
        let predicted = planarBlocks ? BlockBuffers.take(blockBytes + Int(SW_BLOCK_SLACK)) : cache[slot].buffer
        defer { if planarBlocks { BlockBuffers.give(predicted) } }
        let target = predicted
        let n = sw_tiff_read_block(handle, UInt32(index), target.baseAddress, Int64(target.count))
        guard n >= 0 else {
            throw RasterIOError(.malformed, path: info.path, "cannot decode \(isTiled ? "tile" : "strip") \(index)",
                                cause: String(cString: sw_tiff_error(handle)))
        }
        if planarBlocks {
            let bands = isPlanar ? 1 : samplesPerPixel
            let rows = Int(n) / (info.blockWidth * bands)
            sw_predicted_u8_to_planes(predicted.baseAddress!.assumingMemoryBound(to: UInt8.self), rows, info.blockWidth, Int32(bands),
                                      info.blockHeight, cache[slot].buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        cache[slot] = CachedBlock(index: index, buffer: cache[slot].buffer, bytes: Int(n), lastUse: useClock)
        return (UnsafeRawPointer(cache[slot].buffer.baseAddress!), Int(n))
    }
}

/// Copies pixel-interleaved samples into band-sequential planes.
enum Deinterleave {
    static func copy(from source: UnsafeRawPointer, bands: Int, sampleBytes: Int, count: Int,
                     to target: UnsafeMutableRawPointer, bandStride: Int) {
        switch sampleBytes {
        // Bytes (RGB above all) in C, with byte shuffles where the CPU has them.
        case 1:
            sw_deinterleave_u8(source.assumingMemoryBound(to: UInt8.self), Int32(bands), count,
                               target.assumingMemoryBound(to: UInt8.self), bandStride)
        case 2: copy(source, bands, count, target, bandStride, as: UInt16.self)
        case 4: copy(source, bands, count, target, bandStride, as: UInt32.self)
        default: copy(source, bands, count, target, bandStride, as: UInt64.self)
        }
    }

    @inline(__always)
    private static func copy<T>(_ source: UnsafeRawPointer, _ bands: Int, _ count: Int,
                                _ target: UnsafeMutableRawPointer, _ bandStride: Int, as: T.Type) {
        for band in 0..<bands {
            let out = target + band * bandStride
            for i in 0..<count {
                let value = source.loadUnaligned(fromByteOffset: (i * bands + band) * MemoryLayout<T>.size, as: T.self)
                out.storeBytes(of: value, toByteOffset: i * MemoryLayout<T>.size, as: T.self)
            }
        }
    }
}

/// Everything read from the first IFD's tags.
private struct TIFFHeader {
    var info: RasterInfo
    var layout: RasterLayout
    var isTiled: Bool
    var isPlanar: Bool
    var blockBytes: Int

    init(handle: OpaquePointer, path: String, limits: DecodeLimits) throws {
        func u16(_ tag: UInt32) -> UInt16 { var v: UInt16 = 0; _ = sw_tiff_get_u16_defaulted(handle, tag, &v); return v }
        func u32(_ tag: UInt32) -> UInt32? { var v: UInt32 = 0; return sw_tiff_get_u32(handle, tag, &v) == 1 ? v : nil }
        func doubles(_ tag: UInt32) -> [Double]? {
            var count: UInt32 = 0
            var values: UnsafePointer<Double>?
            guard sw_tiff_get_double_array(handle, tag, &count, &values) == 1, let values else { return nil }
            return Array(UnsafeBufferPointer(start: values, count: Int(count)))
        }
        func ascii(_ tag: UInt32) -> String? {
            var value: UnsafePointer<CChar>?
            guard sw_tiff_get_ascii(handle, tag, &value) == 1, let value else { return nil }
            return String(cString: value)
        }
        func unsupported(_ what: String) -> RasterIOError {
            RasterIOError(.unsupported, path: path, "unsupported TIFF feature: \(what)")
        }

        let overviewSizes = Self.overviewSizes(handle)
        guard let width = u32(TIFFTag.imageWidth), let height = u32(TIFFTag.imageLength) else {
            throw RasterIOError(.malformed, path: path, "TIFF has no ImageWidth/ImageLength")
        }
        let bands = Int(u16(TIFFTag.samplesPerPixel))
        let bits = u16(TIFFTag.bitsPerSample)
        let format = u16(TIFFTag.sampleFormat)
        let compression = u16(TIFFTag.compression)
        let photometric = u16(TIFFTag.photometric)
        isPlanar = u16(TIFFTag.planarConfig) == 2
        isTiled = sw_tiff_is_tiled(handle) != 0

        let pixelType: PixelType
        switch (format, bits) {
        case (1, 8): pixelType = .uint8
        case (2, 16): pixelType = .int16
        case (1, 16): pixelType = .uint16
        case (3, 32): pixelType = .float32
        case (3, 64): pixelType = .float64
        default:
            let kind = [1: "unsigned integer", 2: "signed integer", 3: "floating point"][Int(format)] ?? "sample format \(format)"
            throw unsupported("\(bits)-bit \(kind) samples (SiteWatch reads uint8, int16, uint16, float32, float64)")
        }
        guard bands >= 1 else { throw RasterIOError(.malformed, path: path, "SamplesPerPixel is 0") }
        guard sw_tiff_codec_available(compression) != 0, compression != TIFFCompression.oldJPEG else {
            throw unsupported("\(TIFFCompression.name(compression, photometric: photometric) ?? "compression \(compression)") compression")
        }
        if photometric == 6 {  // YCbCr
            if compression == TIFFCompression.jpeg {
                // Let the JPEG codec upsample and convert to RGB, as GDAL does.
                _ = sw_tiff_request_jpeg_rgb(handle)
            } else {
                throw unsupported("YCbCr samples without JPEG compression")
            }
        }
        layout = RasterLayout(width: Int(width), height: Int(height), bandCount: bands, pixelType: pixelType)

        let blockWidth: Int, blockHeight: Int
        if isTiled {
            blockWidth = Int(u32(TIFFTag.tileWidth) ?? 0)
            blockHeight = Int(u32(TIFFTag.tileLength) ?? 0)
            blockBytes = Int(sw_tiff_tile_size(handle))
        } else {
            var rows: UInt32 = 0
            _ = sw_tiff_get_u32_defaulted(handle, TIFFTag.rowsPerStrip, &rows)
            blockWidth = Int(width)
            blockHeight = Int(min(rows == 0 ? height : rows, max(height, 1)))
            blockBytes = Int(sw_tiff_strip_size(handle))
        }
        guard blockWidth > 0, blockHeight > 0, blockBytes > 0 else {
            throw RasterIOError(.malformed, path: path, "invalid block layout \(blockWidth) x \(blockHeight)",
                                cause: String(cString: sw_tiff_error(handle)))
        }
        // The block buffer is the reader's only allocation sized by the header.
        let declared = blockWidth * blockHeight * (isPlanar ? 1 : bands) * pixelType.bytesPerSample
        guard declared <= limits.maxBlockBytes, blockBytes <= limits.maxBlockBytes else {
            throw RasterIOError(.limitsExceeded, path: path,
                                "a \(blockWidth) x \(blockHeight) block needs \(max(declared, blockBytes)) bytes, over the \(limits.maxBlockBytes)-byte block limit")
        }
        // Blocks whose decoded size is smaller than the samples they must hold (e.g. a subsampled
        // YCbCr layout the codec does not convert) would give wrong pixels: refuse them.
        guard blockBytes >= declared else {
            throw unsupported("blocks decode to \(blockBytes) bytes, not the \(declared) their samples need (photometric \(photometric))")
        }

        // Georeferencing, following GDAL: pixel scale + tiepoint first, then the transformation
        // matrix; several tiepoints without a scale are ground control points, not a transform.
        var keys: GeoKeys?
        var directoryCount: UInt32 = 0
        var directory: UnsafePointer<UInt16>?
        if sw_tiff_get_u16_array(handle, TIFFTag.geoKeyDirectory, &directoryCount, &directory) == 1, let directory {
            do {
                keys = try GeoKeys(directory: Array(UnsafeBufferPointer(start: directory, count: Int(directoryCount))),
                                   doubles: doubles(TIFFTag.geoDoubleParams) ?? [],
                                   ascii: ascii(TIFFTag.geoAsciiParams) ?? "")
            } catch GeoKeysError.malformed(let why) {
                throw RasterIOError(.malformed, path: path, why)
            }
        }
        let sampling = keys?.sampling
        var transform: GeoTransform?
        var hasGCPs = false
        let tiepoints = doubles(TIFFTag.modelTiepoint) ?? []
        if let scale = doubles(TIFFTag.modelPixelScale), scale.count >= 2, scale[0] != 0, scale[1] != 0,
           tiepoints.count >= 6 {
            transform = GeoTransform(gdalOrder: [tiepoints[3] - tiepoints[0] * scale[0], scale[0], 0,
                                                 tiepoints[4] + tiepoints[1] * scale[1], 0, -scale[1]])
        } else if let m = doubles(TIFFTag.modelTransformation), m.count == 16 {
            transform = GeoTransform(gdalOrder: [m[3], m[0], m[1], m[7], m[4], m[5]])
        } else if tiepoints.count > 6 {
            hasGCPs = true
        }
        if var t = transform, sampling == .point {
            // PixelIsPoint: the tiepoint is the centre of the pixel; SiteWatch's transforms are
            // corner-based (GeoTIFF 1.1 section 2.5.2.2; GDAL's default GTIFF_POINT_GEO_IGNORE=NO).
            t.originX -= 0.5 * t.pixelWidth + 0.5 * t.rowRotation
            t.originY -= 0.5 * t.columnRotation + 0.5 * t.pixelHeight
            transform = t
        }
        let crs = hasGCPs ? nil : keys?.crs(identify: IdentifiedCRS.epsg)
        let georeferencing = transform.map { Georeferencing(transform: $0, crs: crs) }

        let nodata = ascii(TIFFTag.gdalNodata).flatMap(Self.parseNodata)
        info = RasterInfo(path: path, format: "GTiff", layout: layout, georeferencing: georeferencing,
                          nodata: nodata, sampling: sampling,
                          compression: TIFFCompression.name(compression, photometric: photometric),
                          interleave: (isPlanar || bands == 1) ? .band : .pixel,
                          blockWidth: blockWidth, blockHeight: blockHeight, overviewSizes: overviewSizes,
                          hasGroundControlPoints: hasGCPs, isBigTIFF: sw_tiff_is_bigtiff(handle) != 0,
                          acquisitionDate: ascii(TIFFTag.dateTime).flatMap(GeoTIFFFile.isoDate))
    }

    /// GDAL writes nodata as text ("0", "-9999", "nan", "-3.4e+38").
    static func parseNodata(_ text: String) -> Double? {
        let trimmed = text.trimmed(" \t\n\0")
        if trimmed.lowercased() == "nan" { return .nan }
        return Double(trimmed)
    }

    /// Reduced-resolution IFDs after the first (SubfileType bit 0), leaving the first IFD current.
    static func overviewSizes(_ handle: OpaquePointer) -> [[Int]] {
        let count = sw_tiff_directory_count(handle)
        guard count > 1 else { return [] }
        var sizes: [[Int]] = []
        for index in 1..<count where sw_tiff_set_directory(handle, index) == 1 {
            var kind: UInt32 = 0, w: UInt32 = 0, h: UInt32 = 0
            _ = sw_tiff_get_u32(handle, TIFFTag.subfileType, &kind)
            _ = sw_tiff_get_u32(handle, TIFFTag.imageWidth, &w)
            _ = sw_tiff_get_u32(handle, TIFFTag.imageLength, &h)
            if kind & 1 == 1, kind & 4 == 0 { sizes.append([Int(w), Int(h)]) }
        }
        _ = sw_tiff_set_directory(handle, 0)
        sw_tiff_clear_error(handle)
        return sizes
    }
}

extension String {
    func trimmed(_ set: String) -> String {
        let drop = Set(set)
        var s = Substring(self)
        while let c = s.first, drop.contains(c) { s.removeFirst() }
        while let c = s.last, drop.contains(c) { s.removeLast() }
        return String(s)
    }
}

/// A fixed C buffer for the shim's error messages.
struct ShimMessage {
    private var storage = [CChar](repeating: 0, count: Int(SW_MESSAGE_CAPACITY))
    mutating func withBuffer<R>(_ body: (UnsafeMutablePointer<CChar>) -> R) -> R {
        storage.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
    var text: String { storage.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } }
}

/// CRSCatalog.identifyEPSG, remembered per definition for the process: every tile of a mosaic
/// spells the same GeoKeys, and each PROJ identification is a database query (measured: 8 % of a
/// whole change run went to SQLite for 1,536 identical tile headers).
enum IdentifiedCRS {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var known: [String: Int?] = [:]

    static func epsg(_ definition: String) -> Int? {
        if let code = lock.withLock({ known[definition] }) { return code }
        let code = CRSCatalog.identifyEPSG(definition)
        lock.withLock { known[definition] = code }
        return code
    }
}

/// Block buffers recycled between GeoTIFF handles. A mosaic's tiles open and close as reads move
/// down the image, and each fresh buffer costs a page fault per 4 KB (fresh memory runs at a sixth
/// of warm memory's speed here, STYLE.md): recycled, an 8192² pair's 400 MB of block buffers come
/// from a few dozen. At most 16 MiB stays pooled (a row of 512² tiles' blocks turns over at once).
enum BlockBuffers {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var pooled: [Int: [UnsafeMutableRawBufferPointer]] = [:]
    nonisolated(unsafe) private static var pooledBytes = 0
    private static let maxPooledBytes = 16 << 20

    static func take(_ bytes: Int) -> UnsafeMutableRawBufferPointer {
        let reused: UnsafeMutableRawBufferPointer? = lock.withLock {
            guard let buffer = pooled[bytes]?.popLast() else { return nil }
            pooledBytes -= bytes
            return buffer
        }
        return reused ?? .allocate(byteCount: bytes, alignment: 64)
    }

    static func give(_ buffer: UnsafeMutableRawBufferPointer) {
        guard buffer.count > 0 else { return }
        let kept = lock.withLock {
            guard pooledBytes + buffer.count <= maxPooledBytes else { return false }
            pooled[buffer.count, default: []].append(buffer)
            pooledBytes += buffer.count
            return true
        }
        if !kept { buffer.deallocate() }
    }
}

extension GeoTIFFFile {
    /// TIFF 6.0's DateTime, "YYYY:MM:DD HH:MM:SS", as an ISO date; nil for anything else.
    static func isoDate(_ dateTime: String) -> String? {
        let parts = dateTime.prefix(10).split(separator: ":")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isNumber) }) else { return nil }
        return parts.joined(separator: "-")
    }
}

import Foundation
import GeoRaster

/// Opens whatever a user names: a GeoTIFF, a PNG with a world file, or a folder of tiles.
public enum RasterDataset {
    public static let tileExtensions: Set<String> = ["tif", "tiff", "png", "jpg", "jpeg"]

    public static func open(_ path: String, crs: CRS? = nil, limits: DecodeLimits = .default) throws -> RasterSource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RasterIOError(.io, path: path, "no such file or folder")
        }
        if isDirectory.boolValue { return try TileMosaic(folder: path, crs: crs, limits: limits) }
        return try openFile(path, crs: crs, limits: limits)
    }

    /// Opens one file by its content, not its name: TIFF and PNG signatures.
    public static func openFile(_ path: String, crs: CRS? = nil, limits: DecodeLimits = .default) throws -> RasterSource {
        try FileChecks.requireReadableFile(path)
        guard let handle = FileHandle(forReadingAtPath: path) else { throw RasterIOError(.io, path: path, "cannot open file") }
        let magic = [UInt8](handle.readData(ofLength: 8))
        try? handle.close()
        if magic.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return try PNGFile(path: path, crs: crs, limits: limits) }
        if magic.starts(with: [0xFF, 0xD8, 0xFF]) { return try JPEGFile(path: path, crs: crs, limits: limits) }
        if magic.starts(with: [0x49, 0x49]) || magic.starts(with: [0x4D, 0x4D]) {
            let file = try GeoTIFFFile(path: path, limits: limits)
            if let crs, var info = file.info.georeferencing, info.crs == nil {
                info.crs = crs
                return OverriddenCRS(file, georeferencing: info)
            }
            return file
        }
        if magic.isEmpty { throw RasterIOError(.malformed, path: path, "file is empty, expected a GeoTIFF, PNG or JPEG") }
        throw RasterIOError(.unsupported, path: path, "not a TIFF, PNG or JPEG file (unknown signature)")
    }
}

/// A source whose CRS was supplied by the user because the file has none.
private final class OverriddenCRS: RasterSource {
    let base: RasterSource
    let info: RasterInfo
    init(_ base: RasterSource, georeferencing: Georeferencing) {
        self.base = base
        var info = base.info
        info.georeferencing = georeferencing
        self.info = info
    }
    func read(window: PixelWindow, into destination: UnsafeMutableRawBufferPointer) throws {
        try base.read(window: window, into: destination)
    }
}

/// A folder of GeoTIFF and/or PNG tiles read as one georeferenced raster.
///
/// The index comes from headers only. File names mean nothing: each tile's place comes from its
/// georeferencing, so every tile must share the CRS, pixel size and band layout and sit on one
/// pixel grid. Pixels no tile covers read as nodata. Where tiles overlap, the tile later in
/// path order wins (as in `gdalbuildvrt`), so reads are deterministic.
public final class TileMosaic: RasterSource {
    public struct Tile: Sendable {
        /// Path relative to the mosaic folder.
        public var relativePath: String
        public var path: String
        /// Where the tile sits in the mosaic's pixel grid.
        public var window: PixelWindow
        public var info: RasterInfo
    }

    public let info: RasterInfo
    public let tiles: [Tile]
    /// Pixels of the mosaic's extent that no tile covers.
    public let uncoveredPixelCount: Int
    /// Separate uncovered regions (4-connected) of the extent.
    public let gapCount: Int
    private let crs: CRS?
    private let limits: DecodeLimits
    private var openTiles: [Int: RasterSource] = [:]
    /// Open tiles, least recently used first.
    private var openOrder: [Int] = []
    /// Open tile handles kept for reuse: at least 8, and every tile the latest read touched, so a
    /// full-width strip read does not reopen each tile for the next strip (each GeoTIFF handle also
    /// keeps its decoded blocks for the next strip's overlapping rows).
    private let minimumOpenTiles = 8
    /// No two tiles overlap: a window whose tiles cover it needs no nodata fill first.
    private let tilesAreDisjoint: Bool
    private var scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    public init(folder: String, crs: CRS? = nil, limits: DecodeLimits = .default) throws {
        // Paths stay as the user gave them, so errors name files the way the user knows them.
        var root = folder
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        let paths = try Self.tilePaths(in: root)
        guard !paths.isEmpty else {
            throw RasterIOError(.io, path: folder, "folder holds no GeoTIFF or PNG tiles (.tif, .tiff, .png)")
        }
        // Headers on every core (256 of them took 50 ms on one, at the start of every change run);
        // the first failure in path order is the one reported, as when read one by one.
        var results = [Result<RasterInfo, Error>?](repeating: nil, count: paths.count)
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, paths.count)
        results.withUnsafeMutableBufferPointer { slots in
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for i in stride(from: worker, to: paths.count, by: workers) {
                    slots[i] = Result { try TileHeaders.info(paths[i], crs: crs, limits: limits) }
                }
            }
        }
        var headers: [(String, RasterInfo)] = []
        for (path, result) in zip(paths, results) { headers.append((path, try result!.get())) }

        // Every tile must agree with the first on everything that makes them one raster.
        let (firstPath, first) = headers[0]
        guard let firstGeo = first.georeferencing else {
            throw RasterIOError(.notGeoreferenced, path: firstPath, "tile has no georeferencing (no GeoTIFF transform or world file)")
        }
        let t0 = firstGeo.transform
        for (path, tile) in headers {
            func differ(_ what: String) -> RasterIOError {
                RasterIOError(.incompatibleInputs, path: path, "tile differs from \(Self.relative(firstPath, root)) in \(what)")
            }
            guard let geo = tile.georeferencing else {
                throw RasterIOError(.notGeoreferenced, path: path, "tile has no georeferencing (no GeoTIFF transform or world file)")
            }
            guard geo.transform.isNorthUp else {
                throw RasterIOError(.unsupported, path: path, "rotated tiles cannot form a mosaic (row/column rotation is not 0)")
            }
            if geo.crs != firstGeo.crs { throw differ("CRS: \(geo.crs?.description ?? "none") vs \(firstGeo.crs?.description ?? "none")") }
            if !Self.close(geo.transform.pixelWidth, t0.pixelWidth) || !Self.close(geo.transform.pixelHeight, t0.pixelHeight) {
                throw differ("pixel size: \(geo.transform.pixelWidth) x \(geo.transform.pixelHeight) vs \(t0.pixelWidth) x \(t0.pixelHeight)")
            }
            if tile.layout.bandCount != first.layout.bandCount || tile.layout.pixelType != first.layout.pixelType {
                throw differ("bands: \(tile.layout.bandCount) x \(tile.layout.pixelType) vs \(first.layout.bandCount) x \(first.layout.pixelType)")
            }
            if tile.nodata != first.nodata && !(tile.nodata?.isNaN == true && first.nodata?.isNaN == true) {
                throw differ("nodata: \(tile.nodata.map { "\($0)" } ?? "none") vs \(first.nodata.map { "\($0)" } ?? "none")")
            }
        }

        // Place the tiles on the grid of the first one.
        let originX = headers.map { $0.1.georeferencing!.transform.originX }.min()!
        let originY = t0.pixelHeight < 0 ? headers.map { $0.1.georeferencing!.transform.originY }.max()!
                                          : headers.map { $0.1.georeferencing!.transform.originY }.min()!
        var placed: [Tile] = []
        for (path, tile) in headers {
            let t = tile.georeferencing!.transform
            let column = (t.originX - originX) / t0.pixelWidth
            let row = (t.originY - originY) / t0.pixelHeight
            guard abs(column - column.rounded()) < 1e-3, abs(row - row.rounded()) < 1e-3 else {
                throw RasterIOError(.incompatibleInputs, path: path,
                                    "tile is not on the mosaic's pixel grid (offset \(column) x \(row) pixels is not whole)")
            }
            placed.append(Tile(relativePath: Self.relative(path, root), path: path,
                               window: PixelWindow(x: Int(column.rounded()), y: Int(row.rounded()),
                                                   width: tile.layout.width, height: tile.layout.height),
                               info: tile))
        }
        let width = placed.map(\.window.maxX).max()!
        let height = placed.map(\.window.maxY).max()!
        let (uncovered, gaps) = Self.coverage(of: placed.map(\.window), width: width, height: height)

        self.tiles = placed
        // Tiles cover (extent - uncovered) pixels; summing to exactly that, none overlaps another.
        tilesAreDisjoint = placed.reduce(0) { $0 + $1.window.pixelCount } == width * height - uncovered
        self.uncoveredPixelCount = uncovered
        self.gapCount = gaps
        self.crs = crs
        self.limits = limits
        let transform = GeoTransform(originX: originX, originY: originY, pixelWidth: t0.pixelWidth, pixelHeight: t0.pixelHeight)
        // Gaps need a value: the tiles' nodata, else 0 declared as nodata.
        let nodata = first.nodata ?? (uncovered > 0 ? 0 : nil)
        info = RasterInfo(path: root, format: "mosaic",
                          layout: RasterLayout(width: width, height: height, bandCount: first.layout.bandCount,
                                               pixelType: first.layout.pixelType),
                          georeferencing: Georeferencing(transform: transform, crs: firstGeo.crs),
                          nodata: nodata, sampling: .area, compression: first.compression,
                          interleave: first.interleave, blockWidth: first.layout.width, blockHeight: first.layout.height,
                          acquisitionDate: Set(placed.map(\.info.acquisitionDate)).count == 1 ? first.acquisitionDate : nil)
    }

    deinit { scratch.deallocate() }

    public func read(window: PixelWindow, into destination: UnsafeMutableRawBufferPointer) throws {
        let layout = info.layout
        precondition(layout.window.contains(window), "window \(window) outside the mosaic \(layout.window)")
        let sampleBytes = layout.pixelType.bytesPerSample
        let bandBytes = window.pixelCount * sampleBytes
        precondition(destination.count >= bandBytes * layout.bandCount,
                     "destination holds \(destination.count) bytes, window needs \(bandBytes * layout.bandCount)")
        let touched = tiles.indices.filter { tiles[$0].window.intersection(window) != nil }
        let covered = touched.reduce(0) { $0 + tiles[$1].window.intersection(window)!.pixelCount }
        if !(tilesAreDisjoint && covered == window.pixelCount) {
            layout.pixelType.fill(destination, with: info.nodata ?? 0, count: window.pixelCount * layout.bandCount)
        }
        for index in touched {
            let tile = tiles[index]
            let overlap = tile.window.intersection(window)!
            let local = overlap.offsetBy(dx: -tile.window.x, dy: -tile.window.y)
            let source = try openTile(index, keeping: touched.count)
            let target = destination.baseAddress! + ((overlap.y - window.y) * window.width + (overlap.x - window.x)) * sampleBytes
            if let file = source as? GeoTIFFFile {
                // Straight into the window: no intermediate copy.
                try file.read(window: local, into: target, rowBytes: window.width * sampleBytes, bandBytes: bandBytes)
                continue
            }
            let bytes = overlap.pixelCount * layout.bandCount * sampleBytes
            if scratch.count < bytes {
                scratch.deallocate()
                scratch = .allocate(byteCount: bytes, alignment: 64)
            }
            try source.read(window: local, into: scratch)
            let overlapBandBytes = overlap.pixelCount * sampleBytes
            for band in 0..<layout.bandCount {
                for row in 0..<overlap.height {
                    let from = scratch.baseAddress! + band * overlapBandBytes + row * overlap.width * sampleBytes
                    (target + band * bandBytes + row * window.width * sampleBytes)
                        .copyMemory(from: from, byteCount: overlap.width * sampleBytes)
                }
            }
        }
    }

    private func openTile(_ index: Int, keeping count: Int) throws -> RasterSource {
        if let open = openTiles[index] {
            if let position = openOrder.lastIndex(of: index) { openOrder.remove(at: position) }
            openOrder.append(index)
            return open
        }
        let tile = tiles[index]
        let source: RasterSource = tile.info.format == "GTiff"
            ? try GeoTIFFFile(path: tile.path, limits: limits, known: tile.info)
            : try RasterDataset.openFile(tile.path, crs: crs, limits: limits)
        openTiles[index] = source
        openOrder.append(index)
        while openOrder.count > max(minimumOpenTiles, count) { openTiles[openOrder.removeFirst()] = nil }
        return source
    }

    static func tilePaths(in root: String) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else {
            throw RasterIOError(.io, path: root, "cannot list folder")
        }
        var paths: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let ext = (relative as NSString).pathExtension.lowercased()
            let name = (relative as NSString).lastPathComponent
            guard RasterDataset.tileExtensions.contains(ext), !name.hasPrefix(".") else { continue }
            paths.append(root + "/" + relative)
        }
        return paths.sorted()
    }

    private static func relative(_ path: String, _ root: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    private static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(abs(a), abs(b)) }

    /// Uncovered pixels and 4-connected gap regions, on the grid the tile edges cut the extent into
    /// (a few hundred cells even for thousands of tiles), so no per-pixel pass is needed.
    static func coverage(of windows: [PixelWindow], width: Int, height: Int) -> (uncovered: Int, gaps: Int) {
        let xs = Array(Set(windows.flatMap { [$0.x, $0.maxX] } + [0, width])).sorted()
        let ys = Array(Set(windows.flatMap { [$0.y, $0.maxY] } + [0, height])).sorted()
        let columns = xs.count - 1, rows = ys.count - 1
        var empty = [Bool](repeating: false, count: columns * rows)
        var uncovered = 0
        for r in 0..<rows {
            for c in 0..<columns {
                let cell = PixelWindow(x: xs[c], y: ys[r], width: xs[c + 1] - xs[c], height: ys[r + 1] - ys[r])
                if !windows.contains(where: { $0.contains(cell) }) {
                    empty[r * columns + c] = true
                    uncovered += cell.pixelCount
                }
            }
        }
        var gaps = 0
        var seen = [Bool](repeating: false, count: empty.count)
        for start in empty.indices where empty[start] && !seen[start] {
            gaps += 1
            var stack = [start]
            seen[start] = true
            while let i = stack.popLast() {
                let r = i / columns, c = i % columns
                for (nr, nc) in [(r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)]
                where nr >= 0 && nr < rows && nc >= 0 && nc < columns {
                    let j = nr * columns + nc
                    if empty[j] && !seen[j] { seen[j] = true; stack.append(j) }
                }
            }
        }
        return (uncovered, gaps)
    }
}

/// Tile headers read before in this process, by path, while the file's size and modification time
/// are unchanged: every thread of the change core opens its own mosaic of each date, and reading
/// 256 tile headers a mosaic (an 8192² folder) was 3 % of a whole run.
enum TileHeaders {
    private struct Key: Equatable {
        var crs: CRS?
        var limits: DecodeLimits
        var size: Int64
        var modified: Int64
        var modifiedNanoseconds: Int
    }
    private static let lock = NSLock()
    nonisolated(unsafe) private static var known: [String: (key: Key, info: RasterInfo)] = [:]

    static func info(_ path: String, crs: CRS?, limits: DecodeLimits) throws -> RasterInfo {
        var status = stat()
        let found = stat(path, &status) == 0
        #if canImport(Darwin)
        let modified = status.st_mtimespec
        #else
        let modified = status.st_mtim
        #endif
        let key = found
            ? Key(crs: crs, limits: limits, size: Int64(status.st_size), modified: Int64(modified.tv_sec),
                  modifiedNanoseconds: Int(modified.tv_nsec))
            : nil
        if let key, let hit = lock.withLock({ known[path] }), hit.key == key { return hit.info }
        let info = try RasterDataset.openFile(path, crs: crs, limits: limits).info
        if let key {
            lock.withLock {
                if known.count >= 100_000 { known.removeAll() }  // a bound for long batch runs
                known[path] = (key, info)
            }
        }
        return info
    }
}

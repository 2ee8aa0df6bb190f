import ChangeAnalysis
import ChangeReport
import Foundation
import GeoRaster
import RasterIO

/// A progress bar on stderr when it is a terminal: stage, strips done, estimated time left.
/// Nothing at all when stderr is a file or a pipe, or with --quiet.
final class Progress: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var stageName = ""
    private var stageStart = Date()
    private var drew = false

    init(enabled: Bool) { self.enabled = enabled && isatty(STDERR_FILENO) == 1 }

    func stage(_ name: String) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        stageName = name
        stageStart = Date()
        draw("\(name)…")
    }

    func update(_ stage: String, _ done: Int, _ total: Int) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        if stage != stageName { stageName = stage; stageStart = Date() }
        let fraction = Double(done) / Double(max(total, 1))
        let elapsed = Date().timeIntervalSince(stageStart)
        let left = fraction > 0 ? elapsed / fraction - elapsed : 0
        let width = 30, filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        draw(String(format: "%@ [%@] %d/%d strips, ~%.0f s left", stage, bar, done, total, left))
    }

    func finish() {
        guard enabled, drew else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }

    private func draw(_ text: String) {
        drew = true
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
    }
}

/// Before, after and change pictures of the analysed window, downsampled to about 1000 px.
struct Pictures {
    struct Image { var png: [UInt8]; var width: Int; var height: Int }
    let before: Image
    let after: Image
    let change: Image
    private let beforeTransform: GeoTransform
    private let afterTransform: GeoTransform
    private let reproject: (@Sendable (MapPoint) -> MapPoint)?

    /// Picture pixel of a before-CRS map point, in the before and after pictures.
    func beforePixel(_ m: MapPoint) -> PixelPoint { beforeTransform.pixel(m) ?? PixelPoint(x: 0, y: 0) }
    func afterPixel(_ m: MapPoint) -> PixelPoint { afterTransform.pixel(reproject?(m) ?? m) ?? PixelPoint(x: 0, y: 0) }

    /// - Parameters:
    ///   - window: the analysed window of the before date, where the change store's overlap lies;
    ///   - focus: the part of the analysed window the pictures show (the compound and its
    ///     surroundings when there is one), in the before date's pixels.
    init(beforeSource: RasterSource, afterSource: RasterSource, window analysed: PixelWindow, focus: PixelWindow,
         result: ChangeResult, store: RowStore, reproject: (@Sendable (MapPoint) -> MapPoint)?) throws {
        self.reproject = reproject
        let window = focus
        let factor = max(1, Int((Double(max(window.width, window.height)) / 1000).rounded(.up)))
        let bt = beforeSource.info.georeferencing!.transform
        beforeTransform = bt.window(window).scaled(by: Double(factor))
        let beforeRaster = try beforeSource.readRaster(window: window)
        before = try Self.encode(Self.display(beforeRaster, factor: factor))

        // The same ground in the after date's own grid.
        let at = afterSource.info.georeferencing!.transform
        let corners = [PixelPoint(x: 0, y: 0), PixelPoint(x: Double(window.width), y: 0), PixelPoint(x: 0, y: Double(window.height)),
                       PixelPoint(x: Double(window.width), y: Double(window.height))]
            .map { bt.window(window).map($0) }.map { reproject?($0) ?? $0 }.compactMap(at.pixel)
        let ax0 = Int(corners.map(\.x).min()!.rounded(.down)), ay0 = Int(corners.map(\.y).min()!.rounded(.down))
        let ax1 = Int(corners.map(\.x).max()!.rounded(.up)), ay1 = Int(corners.map(\.y).max()!.rounded(.up))
        let afterWindow = PixelWindow(x: ax0, y: ay0, width: ax1 - ax0, height: ay1 - ay0).intersection(afterSource.info.layout.window)
            ?? PixelWindow(x: 0, y: 0, width: 1, height: 1)
        let afterFactor = max(1, Int((Double(max(afterWindow.width, afterWindow.height)) / 1000).rounded(.up)))
        afterTransform = at.window(afterWindow).scaled(by: Double(afterFactor))
        after = try Self.encode(Self.display(try afterSource.readRaster(window: afterWindow), factor: afterFactor))

        // Change: the before picture in grey, magnitude in red (the block's maximum, so small
        // changes stay visible when downsampled).
        let overlap = result.overlap
        let grey = Self.display(beforeRaster, factor: factor)
        var change = grey
        let threshold = Float(result.threshold), code = result.magnitudeCode
        var row = [UInt16](repeating: 0, count: overlap.width)
        var strongest = [Float](repeating: 0, count: grey.width * grey.height)
        // Overlap coordinates are relative to the analysed window; the picture shows the focus.
        let dx = analysed.x - focus.x, dy = analysed.y - focus.y
        for y in 0..<overlap.height {
            let fy = overlap.y + y + dy
            guard fy >= 0, fy / factor < grey.height else { continue }
            try row.withUnsafeMutableBufferPointer { try store.read(rows: y..<(y + 1), into: $0) }
            let py = fy / factor
            for x in 0..<overlap.width where row[x] != ChangeMagnitudeCode.invalid {
                let fx = overlap.x + x + dx
                guard fx >= 0 else { continue }
                let px = fx / factor
                guard px < grey.width else { continue }
                strongest[py * grey.width + px] = max(strongest[py * grey.width + px], code.decode(row[x]))
            }
        }
        let n = grey.width * grey.height
        change.samples.withUnsafeMutableBytes { out in
            for i in 0..<n {
                let g = (Float(out[i]) * 0.3 + Float(out[n + i]) * 0.59 + Float(out[2 * n + i]) * 0.11) * 0.45
                let t = min(1, strongest[i] / max(threshold * 2, 1e-6))
                let hot = strongest[i] > threshold
                out[i] = UInt8(min(255, g + (hot ? 255 - g : 200 * t)))
                out[n + i] = UInt8(min(255, g * (hot ? 0.3 : 1)))
                out[2 * n + i] = UInt8(min(255, g * (hot ? 0.3 : 1)))
            }
        }
        self.change = try Self.encode(change)
    }

    /// RGB (or grey repeated) at 8 bits: box-downsampled and stretched between the 2nd and 98th
    /// percentiles of all three bands together (one stretch keeps the colour balance), so 11-bit
    /// and 8-bit imagery look alike.
    static func display(_ raster: Raster, factor: Int) -> Raster {
        let width = max(1, raster.width / factor), height = max(1, raster.height / factor)
        var values = [Double](repeating: 0, count: 3 * width * height)
        for band in 0..<3 {
            let source = min(band, raster.bandCount - 1)
            for y in 0..<height {
                for x in 0..<width {
                    var sum = 0.0
                    for sy in 0..<factor { for sx in 0..<factor { sum += raster.value(x: x * factor + sx, y: y * factor + sy, band: source) } }
                    values[(band * height + y) * width + x] = sum / Double(factor * factor)
                }
            }
        }
        let sorted = values.sorted()
        let lo = sorted[Int(Double(sorted.count - 1) * 0.02)], hi = max(sorted[Int(Double(sorted.count - 1) * 0.98)], lo + 1e-9)
        var out = Raster(layout: RasterLayout(width: width, height: height, bandCount: 3, pixelType: .uint8))
        out.samples.withUnsafeMutableBytes { target in
            for i in values.indices { target[i] = UInt8(max(0, min(255, (values[i] - lo) / (hi - lo) * 255))) }
        }
        return out
    }

    static func encode(_ raster: Raster) throws -> Image {
        let path = NSTemporaryDirectory() + "sitewatch-picture-\(UUID().uuidString).png"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var plain = raster
        plain.georeferencing = nil
        try PNGFile.write(plain, to: path)
        guard let data = FileManager.default.contents(atPath: path) else { throw RasterIOError(.io, path: path, "cannot read back picture") }
        return Image(png: [UInt8](data), width: raster.width, height: raster.height)
    }
}

/// change.tif: band 1 the change magnitude (Float32, NaN where either date has no data), band 2
/// the change mask (1 where the magnitude passes the threshold), tiled, DEFLATE, with overviews.
enum ChangeRaster {
    static func write(store: RowStore, code: ChangeMagnitudeCode, threshold: Double, overlap: PixelWindow, transform: GeoTransform,
                      crs: CRS?, to path: String) throws {
        // Without a CRS (the image frame of --gsd) the raster carries no georeferencing at all.
        var raster = Raster(layout: RasterLayout(width: overlap.width, height: overlap.height, bandCount: 2, pixelType: .float32),
                            nodata: .nan, georeferencing: crs.map { Georeferencing(transform: transform.window(overlap), crs: $0) })
        var row = [UInt16](repeating: 0, count: overlap.width)
        let n = overlap.pixelCount
        raster.samples.withUnsafeMutableBytes { raw in
            let out = raw.bindMemory(to: Float.self)
            for y in 0..<overlap.height {
                row.withUnsafeMutableBufferPointer { try? store.read(rows: y..<(y + 1), into: $0) }
                for x in 0..<overlap.width {
                    let q = row[x]
                    let i = y * overlap.width + x
                    if q == ChangeMagnitudeCode.invalid {
                        out[i] = .nan; out[n + i] = .nan
                    } else {
                        let m = code.decode(q)
                        out[i] = m
                        out[n + i] = Double(m) > threshold ? 1 : 0
                    }
                }
            }
        }
        var factors: [Int] = []
        var f = 2
        while overlap.width / f >= 128 || overlap.height / f >= 128 { factors.append(f); f *= 2 }
        try GeoTIFFWriter.write(raster, to: path, options: .init(compression: .deflate, blocks: .tiles(256), overviewFactors: factors))
    }
}

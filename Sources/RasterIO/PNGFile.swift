import CRasterShims
import Foundation
import GeoRaster

/// A PNG with its georeferencing from sidecar files: a world file (`.pgw`, `.pngw` or `.wld`) for
/// the transform and a `.prj` (WKT) for the CRS, unless the CRS is given explicitly.
/// Palette, low bit depths and tRNS are expanded: 1-4 bands of uint8 or uint16.
public final class PNGFile: RasterSource {
    public let info: RasterInfo
    private let limits: DecodeLimits
    private let interlaced: Bool

    /// - Parameter crs: the CRS to use instead of a `.prj` sidecar.
    public init(path: String, crs explicitCRS: CRS? = nil, limits: DecodeLimits = .default) throws {
        try FileChecks.requireReadableFile(path)
        var header = sw_png_header()
        var message = ShimMessage()
        guard message.withBuffer({ sw_png_read_header(path, &header, $0) }) == 1 else {
            throw RasterIOError(.malformed, path: path, "not a readable PNG file", cause: message.text)
        }
        let layout = RasterLayout(width: Int(header.width), height: Int(header.height),
                                  bandCount: Int(header.output_channels),
                                  pixelType: header.output_bytes_per_sample == 2 ? .uint16 : .uint8)
        let georeferencing = try Sidecar.georeferencing(for: path, worldFileExtensions: ["pgw", "pngw", "wld"], crs: explicitCRS)
        self.limits = limits
        self.interlaced = header.interlaced != 0
        info = RasterInfo(path: path, format: "PNG", layout: layout, georeferencing: georeferencing,
                          sampling: georeferencing == nil ? nil : .area, compression: "DEFLATE",
                          interleave: .pixel, blockWidth: layout.width, blockHeight: 1)
    }

    public func read(window: PixelWindow, into destination: UnsafeMutableRawBufferPointer) throws {
        // An interlaced file needs the whole image once, as scratch beside the window's rows.
        let rowBytes = info.layout.width * info.layout.bandCount * info.layout.pixelType.bytesPerSample
        let scratchBytes = interlaced ? rowBytes * info.layout.height : 0
        try TopDownRows.read(window, of: info, limits: limits, scratchBytes: scratchBytes, into: destination) { rows, rowBytes, message in
            let scratch = interlaced ? UnsafeMutableRawPointer.allocate(byteCount: scratchBytes, alignment: 16) : nil
            defer { scratch?.deallocate() }
            return sw_png_read_rows(info.path, UInt32(window.y), UInt32(window.height), rows, rowBytes, scratch, scratchBytes, message)
        }
    }

    /// Writes a raster of 1-4 uint8 or uint16 bands as PNG (gray, gray+alpha, RGB, RGBA), plus a
    /// world file (`.pgw`) and a `.prj` when it is georeferenced. Written atomically.
    public static func write(_ raster: Raster, to path: String) throws {
        guard raster.pixelType == .uint8 || raster.pixelType == .uint16, (1...4).contains(raster.bandCount) else {
            throw RasterIOError(.unsupported, path: path,
                                "PNG holds 1-4 bands of uint8 or uint16, not \(raster.bandCount) bands of \(raster.pixelType)")
        }
        let sampleBytes = raster.pixelType.bytesPerSample
        let rowBytes = raster.width * raster.bandCount * sampleBytes
        var interleaved = [UInt8](repeating: 0, count: rowBytes * raster.height)
        let bandBytes = raster.layout.bytesPerBand
        raster.samples.withUnsafeBytes { planar in
            interleaved.withUnsafeMutableBytes { out in
                for band in 0..<raster.bandCount {
                    for i in 0..<(raster.width * raster.height) {
                        for b in 0..<sampleBytes {
                            out[(i * raster.bandCount + band) * sampleBytes + b] = planar[band * bandBytes + i * sampleBytes + b]
                        }
                    }
                }
            }
        }
        try FileChecks.writeAtomically(to: path) { temporary in
            var message = ShimMessage()
            let ok = interleaved.withUnsafeBytes { bytes in
                message.withBuffer {
                    sw_png_write(temporary, UInt32(raster.width), UInt32(raster.height), Int32(raster.bandCount),
                                 Int32(sampleBytes * 8), bytes.baseAddress, rowBytes, $0)
                }
            }
            guard ok == 1 else { throw RasterIOError(.io, path: path, "cannot write PNG", cause: message.text) }
        }
        if let georeferencing = raster.georeferencing {
            let base = (path as NSString).deletingPathExtension
            try WorldFile.write(georeferencing.transform, to: base + ".pgw")
            if let crs = georeferencing.crs { try PRJFile.write(crs, to: base + ".prj") }
        }
    }
}

/// Sidecar files named after an image: `name.pgw` beside `name.png`, in either case.
enum Sidecar {
    /// The transform from a world file with one of `worldFileExtensions` and the CRS from `crs` or a
    /// `.prj`; nil without a world file.
    static func georeferencing(for path: String, worldFileExtensions: [String], crs explicitCRS: CRS?) throws -> Georeferencing? {
        guard let worldFile = find(for: path, extensions: worldFileExtensions) else { return nil }
        let transform = try WorldFile.read(worldFile)
        var crs = explicitCRS
        if crs == nil, let prj = find(for: path, extensions: ["prj"]) { crs = try PRJFile.read(prj) }
        return Georeferencing(transform: transform, crs: crs)
    }

    static func find(for path: String, extensions: [String]) -> String? {
        let base = (path as NSString).deletingPathExtension
        for ext in extensions {
            for candidate in [base + "." + ext, base + "." + ext.uppercased(), path + "." + ext]
            where FileManager.default.fileExists(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }
}

/// ESRI world files: six numbers, one per line — A, D, B, E, C, F — where (C, F) is the centre of
/// the top-left pixel.
public enum WorldFile {
    public static func read(_ path: String) throws -> GeoTransform {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw RasterIOError(.io, path: path, "cannot read world file")
        }
        let numbers = text.split(whereSeparator: { $0.isWhitespace }).map { Double($0) }
        guard numbers.count == 6, numbers.allSatisfy({ $0 != nil && $0!.isFinite }) else {
            throw RasterIOError(.malformed, path: path, "a world file holds exactly 6 numbers (A D B E C F), found \(numbers.count) values")
        }
        let transform = GeoTransform(worldFile: numbers.map { $0! })
        guard transform.pixel(MapPoint(x: 0, y: 0)) != nil else {
            throw RasterIOError(.malformed, path: path, "world file describes a degenerate transform (zero pixel size)")
        }
        return transform
    }

    public static func write(_ transform: GeoTransform, to path: String) throws {
        let text = transform.worldFileOrder.map { String(format: "%.12g", $0) }.joined(separator: "\n") + "\n"
        try FileChecks.writeAtomically(Array(text.utf8), to: path)
    }
}

/// `.prj` sidecars: the CRS as WKT (often ESRI's dialect), resolved through PROJ.
public enum PRJFile {
    public static func read(_ path: String) throws -> CRS {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw RasterIOError(.io, path: path, "cannot read .prj file")
        }
        let wkt = text.trimmed(" \t\r\n")
        guard !wkt.isEmpty else { throw RasterIOError(.malformed, path: path, ".prj file is empty, expected WKT") }
        if let code = CRSCatalog.identifyEPSG(wkt) { return CRS(epsg: code) }
        guard CRSCatalog.isValidDefinition(wkt) else {
            throw RasterIOError(.malformed, path: path, ".prj file is not WKT that PROJ understands")
        }
        return CRS(epsg: nil, definition: wkt)
    }

    public static func write(_ crs: CRS, to path: String) throws {
        guard let wkt = crs.epsg.flatMap(CRSCatalog.wkt(epsg:)) ?? crs.definition else {
            throw RasterIOError(.unsupported, path: path, "no WKT for \(crs)")
        }
        try FileChecks.writeAtomically(Array(wkt.utf8), to: path)
    }
}

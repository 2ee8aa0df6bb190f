import CRasterShims
import Foundation
import GeoRaster

/// Writes tiled, compressed, georeferenced GeoTIFFs that GDAL reads back with the same transform
/// and CRS.
public enum GeoTIFFWriter {
    public enum Compression: String, Sendable, CaseIterable {
        case none, lzw, deflate
        var code: UInt16 {
            switch self {
            case .none: return TIFFCompression.none
            case .lzw: return TIFFCompression.lzw
            case .deflate: return TIFFCompression.adobeDeflate
            }
        }
    }

    /// How overview pixels are made from the full-resolution ones.
    public enum OverviewResampling: String, Sendable {
        /// The mean of each factor x factor block: imagery and magnitudes.
        case average
        /// The top-left sample of each block: masks and classes.
        case nearest
    }

    public struct Options: Sendable {
        public var compression: Compression
        /// Tile edge in pixels; a multiple of 16 (TIFF 6.0 section 15).
        public var tileSize: Int
        /// Reduction factors of the overviews to add, e.g. [2, 4, 8]; empty for none.
        public var overviewFactors: [Int]
        public var overviewResampling: OverviewResampling

        public init(compression: Compression = .deflate, tileSize: Int = 256, overviewFactors: [Int] = [],
                    overviewResampling: OverviewResampling = .average) {
            precondition(tileSize > 0 && tileSize % 16 == 0, "TIFF tile size must be a positive multiple of 16, got \(tileSize)")
            precondition(overviewFactors.allSatisfy { $0 >= 2 }, "overview factors must be >= 2: \(overviewFactors)")
            self.compression = compression
            self.tileSize = tileSize
            self.overviewFactors = overviewFactors
            self.overviewResampling = overviewResampling
        }
    }

    /// Writes the raster atomically: under a temporary name, renamed into place when complete.
    public static func write(_ raster: Raster, to path: String, options: Options = Options()) throws {
        let geoTags = try GeoTIFFTags(raster.georeferencing, path: path)
        try FileChecks.writeAtomically(to: path) { temporary in
            // BigTIFF only when a classic TIFF's 4 GiB offsets could overflow.
            let mode = raster.layout.byteCount > 3_500_000_000 ? "w8" : "w"
            var message = ShimMessage()
            guard let handle = message.withBuffer({ sw_tiff_open(temporary, mode, 0, $0) }) else {
                throw RasterIOError(.io, path: path, "cannot create TIFF", cause: message.text)
            }
            var closed = false
            defer { if !closed { _ = sw_tiff_close(handle, nil) } }
            try writeImage(raster, handle: handle, path: path, options: options, geoTags: geoTags, subfileType: 0)
            var level = raster
            for factor in options.overviewFactors {
                level = Overview.reduce(raster, by: factor, resampling: options.overviewResampling)
                guard level.width >= 1, level.height >= 1 else { break }
                try writeImage(level, handle: handle, path: path, options: options, geoTags: nil, subfileType: 1)
            }
            closed = true
            guard message.withBuffer({ sw_tiff_close(handle, $0) }) == 1 else {
                throw RasterIOError(.io, path: path, "cannot finish writing TIFF", cause: message.text)
            }
        }
    }

    private static func writeImage(_ raster: Raster, handle: OpaquePointer, path: String, options: Options,
                                   geoTags: GeoTIFFTags?, subfileType: UInt32) throws {
        func check(_ ok: Int32, _ what: String) throws {
            guard ok == 1 else {
                throw RasterIOError(.io, path: path, "cannot set \(what)", cause: String(cString: sw_tiff_error(handle)))
            }
        }
        let layout = raster.layout
        let type = layout.pixelType
        if subfileType != 0 { try check(sw_tiff_set_u32(handle, TIFFTag.subfileType, subfileType), "SubfileType") }
        try check(sw_tiff_set_u32(handle, TIFFTag.imageWidth, UInt32(layout.width)), "ImageWidth")
        try check(sw_tiff_set_u32(handle, TIFFTag.imageLength, UInt32(layout.height)), "ImageLength")
        try check(sw_tiff_set_u16(handle, TIFFTag.bitsPerSample, UInt16(type.bytesPerSample * 8)), "BitsPerSample")
        try check(sw_tiff_set_u16(handle, TIFFTag.samplesPerPixel, UInt16(layout.bandCount)), "SamplesPerPixel")
        let format: UInt16 = type.isFloatingPoint ? 3 : (type == .int16 ? 2 : 1)
        try check(sw_tiff_set_u16(handle, TIFFTag.sampleFormat, format), "SampleFormat")
        try check(sw_tiff_set_u16(handle, TIFFTag.planarConfig, 1), "PlanarConfiguration")
        let rgb = layout.bandCount == 3 && type == .uint8
        try check(sw_tiff_set_u16(handle, TIFFTag.photometric, rgb ? 2 : 1), "Photometric")
        if !rgb && layout.bandCount > 1 {
            try check(sw_tiff_set_extra_samples(handle, UInt16(layout.bandCount - 1)), "ExtraSamples")
        }
        try check(sw_tiff_set_u16(handle, TIFFTag.compression, options.compression.code), "Compression")
        if options.compression != .none {
            // Horizontal differencing (2) for integers, floating-point prediction (3) for floats.
            try check(sw_tiff_set_u16(handle, TIFFTag.predictor, type.isFloatingPoint ? 3 : 2), "Predictor")
        }
        try check(sw_tiff_set_u32(handle, TIFFTag.tileWidth, UInt32(options.tileSize)), "TileWidth")
        try check(sw_tiff_set_u32(handle, TIFFTag.tileLength, UInt32(options.tileSize)), "TileLength")
        if let geoTags { try geoTags.apply(handle, check: check) }
        if let nodata = raster.nodata {
            try check(sw_tiff_set_ascii(handle, TIFFTag.gdalNodata, GeoTIFFTags.nodataText(nodata)), "GDAL_NODATA")
        }

        let tile = options.tileSize
        let sampleBytes = type.bytesPerSample
        let bands = layout.bandCount
        let tileBytes = tile * tile * bands * sampleBytes
        var buffer = [UInt8](repeating: 0, count: tileBytes)
        let across = (layout.width + tile - 1) / tile, down = (layout.height + tile - 1) / tile
        let bandBytes = layout.bytesPerBand
        try raster.samples.withUnsafeBytes { planar in
            for tileRow in 0..<down {
                for tileColumn in 0..<across {
                    let window = PixelWindow(x: tileColumn * tile, y: tileRow * tile, width: tile, height: tile)
                        .intersection(layout.window)!
                    buffer.withUnsafeMutableBytes { out in
                        out.initializeMemory(as: UInt8.self, repeating: 0)
                        // Planar rows -> one pixel-interleaved tile, padded with zeros.
                        for row in 0..<window.height {
                            for band in 0..<bands {
                                let source = planar.baseAddress! + band * bandBytes
                                    + ((window.y + row) * layout.width + window.x) * sampleBytes
                                for i in 0..<window.width {
                                    (out.baseAddress! + ((row * tile + i) * bands + band) * sampleBytes)
                                        .copyMemory(from: source + i * sampleBytes, byteCount: sampleBytes)
                                }
                            }
                        }
                    }
                    let written = buffer.withUnsafeMutableBytes {
                        sw_tiff_write_tile(handle, UInt32(tileRow * across + tileColumn), $0.baseAddress, Int64(tileBytes))
                    }
                    guard written == tileBytes else {
                        throw RasterIOError(.io, path: path, "cannot write tile \(tileRow * across + tileColumn)",
                                            cause: String(cString: sw_tiff_error(handle)))
                    }
                }
            }
        }
        try check(sw_tiff_write_directory(handle), "directory")
    }
}

/// The GeoTIFF tags that place a raster: ModelPixelScale + ModelTiepoint for north-up rasters,
/// ModelTransformation otherwise, and GeoKeys naming the EPSG code.
struct GeoTIFFTags {
    var pixelScale: [Double]?
    var tiepoint: [Double]?
    var transformation: [Double]?
    var keyDirectory: [UInt16]

    init?(_ georeferencing: Georeferencing?, path: String) throws {
        guard let georeferencing else { return nil }
        let t = georeferencing.transform
        if t.isNorthUp {
            pixelScale = [t.pixelWidth, -t.pixelHeight, 0]
            tiepoint = [0, 0, 0, t.originX, t.originY, 0]
        } else {
            transformation = [t.pixelWidth, t.rowRotation, 0, t.originX,
                              t.columnRotation, t.pixelHeight, 0, t.originY,
                              0, 0, 0, 0,
                              0, 0, 0, 1]
        }
        var keys: [(UInt16, UInt16)] = [(GeoKeys.rasterType, 1)]  // PixelIsArea
        if let crs = georeferencing.crs {
            guard let code = crs.epsg, code > 0, code < 32767, let kind = CRSCatalog.describe(epsg: code)?.kind,
                  kind != .other else {
                throw RasterIOError(.unsupported, path: path, "can only write a projected or geographic CRS with an EPSG code, not \(crs)")
            }
            keys.append((GeoKeys.modelType, kind == .projected ? 1 : 2))
            keys.append((kind == .projected ? GeoKeys.projectedCSType : GeoKeys.geographicType, UInt16(code)))
        }
        keys.sort { $0.0 < $1.0 }
        keyDirectory = [1, 1, 0, UInt16(keys.count)] + keys.flatMap { [$0.0, 0, 1, $0.1] }
    }

    func apply(_ handle: OpaquePointer, check: (Int32, String) throws -> Void) throws {
        if let pixelScale { try check(sw_tiff_set_double_array(handle, TIFFTag.modelPixelScale, 3, pixelScale), "ModelPixelScale") }
        if let tiepoint { try check(sw_tiff_set_double_array(handle, TIFFTag.modelTiepoint, 6, tiepoint), "ModelTiepoint") }
        if let transformation {
            try check(sw_tiff_set_double_array(handle, TIFFTag.modelTransformation, 16, transformation), "ModelTransformation")
        }
        try check(sw_tiff_set_u16_array(handle, TIFFTag.geoKeyDirectory, UInt32(keyDirectory.count), keyDirectory), "GeoKeyDirectory")
    }

    /// GDAL's GDAL_NODATA text: integers without a decimal point, "nan" for NaN.
    static func nodataText(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(format: "%.17g", value)
    }
}

/// Reduced-resolution copies of a raster.
enum Overview {
    static func reduce(_ raster: Raster, by factor: Int, resampling: GeoTIFFWriter.OverviewResampling) -> Raster {
        let width = (raster.width + factor - 1) / factor, height = (raster.height + factor - 1) / factor
        let layout = RasterLayout(width: width, height: height, bandCount: raster.bandCount, pixelType: raster.pixelType)
        var out = Raster(layout: layout, nodata: raster.nodata,
                         georeferencing: raster.georeferencing.map {
                             Georeferencing(transform: $0.transform.scaled(by: Double(factor)), crs: $0.crs) })
        for band in 0..<raster.bandCount {
            var values = [Double](repeating: 0, count: width * height)
            for y in 0..<height {
                for x in 0..<width {
                    if resampling == .nearest {
                        values[y * width + x] = raster.value(x: x * factor, y: y * factor, band: band)
                        continue
                    }
                    var sum = 0.0, n = 0
                    for sy in (y * factor)..<min((y + 1) * factor, raster.height) {
                        for sx in (x * factor)..<min((x + 1) * factor, raster.width) {
                            let v = raster.value(x: sx, y: sy, band: band)
                            if let nodata = raster.nodata, v == nodata || (v.isNaN && nodata.isNaN) { continue }
                            sum += v; n += 1
                        }
                    }
                    values[y * width + x] = n > 0 ? sum / Double(n) : (raster.nodata ?? 0)
                }
            }
            out.setBand(band, from: values)
        }
        return out
    }
}

extension Raster {
    /// Stores Double values into a band, rounding and clamping to integer types.
    mutating func setBand(_ band: Int, from values: [Double]) {
        switch pixelType {
        case .uint8: withMutableBand(band, as: UInt8.self) { b in for i in b.indices { b[i] = UInt8(clamping: Int(values[i].isFinite ? values[i].rounded() : 0)) } }
        case .int16: withMutableBand(band, as: Int16.self) { b in for i in b.indices { b[i] = Int16(clamping: Int(values[i].isFinite ? values[i].rounded() : 0)) } }
        case .uint16: withMutableBand(band, as: UInt16.self) { b in for i in b.indices { b[i] = UInt16(clamping: Int(values[i].isFinite ? values[i].rounded() : 0)) } }
        case .float32: withMutableBand(band, as: Float.self) { b in for i in b.indices { b[i] = Float(values[i]) } }
        case .float64: withMutableBand(band, as: Double.self) { b in for i in b.indices { b[i] = values[i] } }
        }
    }
}

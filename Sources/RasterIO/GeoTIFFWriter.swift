import CRasterShims
import Foundation
import GeoRaster

/// Writes tiled, compressed, georeferenced GeoTIFFs that GDAL reads back with the same transform
/// and CRS.
public enum GeoTIFFWriter {
    public enum Compression: String, Sendable, CaseIterable {
        /// `jpeg`: lossy YCbCr JPEG (quality 90, 2 x 2 chroma subsampling), for 8-bit RGB only, as
        /// much delivered satellite imagery is: a tenth of DEFLATE's size on noisy imagery.
        case none, lzw, deflate, jpeg
        var code: UInt16 {
            switch self {
            case .none: return TIFFCompression.none
            case .lzw: return TIFFCompression.lzw
            case .deflate: return TIFFCompression.adobeDeflate
            case .jpeg: return TIFFCompression.jpeg
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

    /// How the image is cut into independently compressed blocks.
    public enum Blocks: Sendable, Hashable {
        /// Square tiles with this edge in pixels, a multiple of 16 (TIFF 6.0 section 15).
        case tiles(Int)
        /// Full-width strips of this many rows.
        case strips(Int)
    }

    public struct Options: Sendable {
        public var compression: Compression
        public var blocks: Blocks
        /// `.pixel` (RGBRGB..., the default) or `.band` (PlanarConfiguration 2).
        public var interleave: Interleave
        /// `.point` writes a PixelIsPoint file: its tiepoint names the centre of the top-left pixel.
        public var sampling: RasterSampling
        /// Reduction factors of the overviews to add, e.g. [2, 4, 8]; empty for none.
        public var overviewFactors: [Int]
        public var overviewResampling: OverviewResampling
        /// Acquisition date "YYYY-MM-DD", written as TIFF DateTime (noon), which the reader reports
        /// as the image's acquisition date.
        public var acquisitionDate: String? = nil

        public init(compression: Compression = .deflate, blocks: Blocks = .tiles(256), interleave: Interleave = .pixel,
                    sampling: RasterSampling = .area, overviewFactors: [Int] = [],
                    overviewResampling: OverviewResampling = .average) {
            switch blocks {
            case .tiles(let size):
                precondition(size > 0 && size % 16 == 0, "TIFF tile size must be a positive multiple of 16, got \(size)")
            case .strips(let rows):
                precondition(rows > 0, "rows per strip must be positive, got \(rows)")
            }
            precondition(overviewFactors.allSatisfy { $0 >= 2 }, "overview factors must be >= 2: \(overviewFactors)")
            self.compression = compression
            self.blocks = blocks
            self.interleave = interleave
            self.sampling = sampling
            self.overviewFactors = overviewFactors
            self.overviewResampling = overviewResampling
        }
    }

    /// Writes the raster atomically: under a temporary name, renamed into place when complete.
    public static func write(_ raster: Raster, to path: String, options: Options = Options()) throws {
        let geoTags = try GeoTIFFTags(raster.georeferencing, sampling: options.sampling, path: path)
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
        let planar = options.interleave == .band && layout.bandCount > 1
        try check(sw_tiff_set_u16(handle, TIFFTag.planarConfig, planar ? 2 : 1), "PlanarConfiguration")
        let rgb = layout.bandCount == 3 && type == .uint8
        let jpeg = options.compression == .jpeg
        if jpeg && !(rgb && !planar) {
            throw RasterIOError(.unsupported, path: path, "JPEG compression is written for pixel-interleaved 8-bit RGB only, not \(layout.bandCount) bands of \(type)")
        }
        if !rgb && layout.bandCount > 1 {
            try check(sw_tiff_set_extra_samples(handle, UInt16(layout.bandCount - 1)), "ExtraSamples")
        }
        try check(sw_tiff_set_u16(handle, TIFFTag.compression, options.compression.code), "Compression")
        if jpeg {
            // YCbCr with libtiff converting from RGB (JPEGCOLORMODE_RGB), as GDAL writes it.
            try check(sw_tiff_set_u16(handle, TIFFTag.photometric, 6), "Photometric")
            try check(sw_tiff_set_u32(handle, TIFFTag.jpegQuality, 90), "JPEGQuality")
            try check(sw_tiff_set_u32(handle, TIFFTag.jpegColorMode, 1), "JPEGColorMode")
        } else {
            try check(sw_tiff_set_u16(handle, TIFFTag.photometric, rgb ? 2 : 1), "Photometric")
        }
        if options.compression != .none && !jpeg {
            // Horizontal differencing (2) for integers, floating-point prediction (3) for floats.
            try check(sw_tiff_set_u16(handle, TIFFTag.predictor, type.isFloatingPoint ? 3 : 2), "Predictor")
        }
        let blockWidth: Int, blockHeight: Int
        let isStrips: Bool
        if case .strips = options.blocks { isStrips = true } else { isStrips = false }
        switch options.blocks {
        case .tiles(let size):
            (blockWidth, blockHeight) = (size, size)
            try check(sw_tiff_set_u32(handle, TIFFTag.tileWidth, UInt32(size)), "TileWidth")
            try check(sw_tiff_set_u32(handle, TIFFTag.tileLength, UInt32(size)), "TileLength")
        case .strips(let rows):
            (blockWidth, blockHeight) = (layout.width, min(rows, layout.height))
            try check(sw_tiff_set_u32(handle, TIFFTag.rowsPerStrip, UInt32(blockHeight)), "RowsPerStrip")
        }
        if let geoTags { try geoTags.apply(handle, check: check) }
        if let date = options.acquisitionDate, subfileType == 0 {
            try check(sw_tiff_set_ascii(handle, TIFFTag.dateTime, date.replacingOccurrences(of: "-", with: ":") + " 12:00:00"), "DateTime")
        }
        if let nodata = raster.nodata {
            try check(sw_tiff_set_ascii(handle, TIFFTag.gdalNodata, GeoTIFFTags.nodataText(nodata)), "GDAL_NODATA")
        }

        let sampleBytes = type.bytesPerSample
        let samplesPerBlockPixel = planar ? 1 : layout.bandCount
        let across = (layout.width + blockWidth - 1) / blockWidth, down = (layout.height + blockHeight - 1) / blockHeight
        let bandBytes = layout.bytesPerBand
        var buffer = [UInt8](repeating: 0, count: blockWidth * blockHeight * samplesPerBlockPixel * sampleBytes)
        try raster.samples.withUnsafeBytes { planarSamples in
            for plane in 0..<(planar ? layout.bandCount : 1) {
                for blockRow in 0..<down {
                    for blockColumn in 0..<across {
                        let window = PixelWindow(x: blockColumn * blockWidth, y: blockRow * blockHeight,
                                                 width: blockWidth, height: blockHeight).intersection(layout.window)!
                        // A strip holds only its rows; a tile is always full size, padded with zeros.
                        let rows = isStrips ? window.height : blockHeight
                        let blockBytes = blockWidth * rows * samplesPerBlockPixel * sampleBytes
                        buffer.withUnsafeMutableBytes { out in
                            out.initializeMemory(as: UInt8.self, repeating: 0)
                            for row in 0..<window.height {
                                for band in (planar ? plane..<plane + 1 : 0..<layout.bandCount) {
                                    let source = planarSamples.baseAddress! + band * bandBytes
                                        + ((window.y + row) * layout.width + window.x) * sampleBytes
                                    let slot = planar ? 0 : band
                                    for i in 0..<window.width {
                                        (out.baseAddress! + ((row * blockWidth + i) * samplesPerBlockPixel + slot) * sampleBytes)
                                            .copyMemory(from: source + i * sampleBytes, byteCount: sampleBytes)
                                    }
                                }
                            }
                        }
                        let index = (plane * down + blockRow) * across + blockColumn
                        let written = buffer.withUnsafeMutableBytes {
                            sw_tiff_write_block(handle, UInt32(index), $0.baseAddress, Int64(blockBytes))
                        }
                        guard written == blockBytes else {
                            throw RasterIOError(.io, path: path, "cannot write block \(index)",
                                                cause: String(cString: sw_tiff_error(handle)))
                        }
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

    init?(_ georeferencing: Georeferencing?, sampling: RasterSampling, path: String) throws {
        guard let georeferencing else { return nil }
        var t = georeferencing.transform
        if sampling == .point {
            // PixelIsPoint files name the centre of the top-left pixel (GeoTIFF 1.1 section 2.5.2.2).
            let centre = t.map(PixelPoint(x: 0.5, y: 0.5))
            (t.originX, t.originY) = (centre.x, centre.y)
        }
        if t.isNorthUp {
            pixelScale = [t.pixelWidth, -t.pixelHeight, 0]
            tiepoint = [0, 0, 0, t.originX, t.originY, 0]
        } else {
            transformation = [t.pixelWidth, t.rowRotation, 0, t.originX,
                              t.columnRotation, t.pixelHeight, 0, t.originY,
                              0, 0, 0, 0,
                              0, 0, 0, 1]
        }
        var keys: [(UInt16, UInt16)] = [(GeoKeys.rasterType, sampling == .point ? 2 : 1)]
        if let crs = georeferencing.crs {
            guard let code = crs.epsg, code > 0, code < 32767, crs.definition == nil,
                  let kind = CRSCatalog.describe(epsg: code)?.kind, kind != .other else {
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

/// libtiff's JPEG codec pseudo-tags (tiff.h): not in the file, they steer the encoder.
private extension TIFFTag {
    static let jpegQuality: UInt32 = 65537
    static let jpegColorMode: UInt32 = 65538
}

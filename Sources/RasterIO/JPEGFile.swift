import CRasterShims
import Foundation
import GeoRaster

/// A plain JPEG file (JFIF/Exif: screenshots from desktop globe software, benchmark chips), gray or
/// RGB 8-bit, with its georeferencing from sidecar files as for PNG: a world file (`.jgw`, `.jpgw`
/// or `.wld`) and a `.prj`, unless the CRS is given. Windows decode from the top: rows above the
/// window are skipped by libjpeg without colour conversion.
public final class JPEGFile: RasterSource {
    public let info: RasterInfo
    private let limits: DecodeLimits

    public init(path: String, crs explicitCRS: CRS? = nil, limits: DecodeLimits = .default) throws {
        try FileChecks.requireReadableFile(path)
        var header = sw_jpeg_header()
        var message = ShimMessage()
        guard message.withBuffer({ sw_jpeg_read_header(path, &header, $0) }) == 1 else {
            let text = message.text
            let unsupported = text.hasPrefix("CMYK")
            throw RasterIOError(unsupported ? .unsupported : .malformed, path: path,
                                unsupported ? text : "not a readable JPEG file", cause: unsupported ? nil : text)
        }
        let layout = RasterLayout(width: Int(header.width), height: Int(header.height), bandCount: Int(header.output_channels), pixelType: .uint8)
        let georeferencing = try Sidecar.georeferencing(for: path, worldFileExtensions: ["jgw", "jpgw", "wld"], crs: explicitCRS)
        self.limits = limits
        info = RasterInfo(path: path, format: "JPEG", layout: layout, georeferencing: georeferencing,
                          sampling: georeferencing == nil ? nil : .area, compression: "JPEG",
                          interleave: .pixel, blockWidth: layout.width, blockHeight: 1)
    }

    public func read(window: PixelWindow, into destination: UnsafeMutableRawBufferPointer) throws {
        try TopDownRows.read(window, of: info, limits: limits, into: destination) { rows, rowBytes, message in
            sw_jpeg_read_rows(info.path, UInt32(window.y), UInt32(window.height), rows, rowBytes, message)
        }
    }
}

import GeoRaster

/// How a file lays out its samples.
public enum Interleave: String, Sendable, Codable {
    /// All bands of a pixel together (RGBRGB...).
    case pixel
    /// One band after another.
    case band
}

/// Whether a pixel's georeferenced position is its corner area (GeoTIFF PixelIsArea) or a point
/// sample at its centre (PixelIsPoint). The transform SiteWatch reports is always corner-based.
public enum RasterSampling: String, Sendable, Codable {
    case area = "Area"
    case point = "Point"
}

/// What a raster source is, read from headers only.
public struct RasterInfo: Sendable {
    public var path: String
    /// "GTiff", "PNG" or "mosaic".
    public var format: String
    public var layout: RasterLayout
    public var georeferencing: Georeferencing?
    public var nodata: Double?
    public var sampling: RasterSampling?
    public var compression: String?
    public var interleave: Interleave
    public var blockWidth: Int
    public var blockHeight: Int
    /// Sizes of reduced-resolution images stored in the file (GeoTIFF overviews).
    public var overviewSizes: [[Int]]
    /// The file has ground control points instead of a transform (not used for georeferencing).
    public var hasGroundControlPoints: Bool
    public var isBigTIFF: Bool
    /// When the image was taken, "YYYY-MM-DD", where the file says (TIFF DateTime); a mosaic's when
    /// all its tiles agree.
    public var acquisitionDate: String?

    public init(path: String, format: String, layout: RasterLayout, georeferencing: Georeferencing? = nil,
                nodata: Double? = nil, sampling: RasterSampling? = nil, compression: String? = nil,
                interleave: Interleave = .pixel, blockWidth: Int, blockHeight: Int,
                overviewSizes: [[Int]] = [], hasGroundControlPoints: Bool = false, isBigTIFF: Bool = false,
                acquisitionDate: String? = nil) {
        self.path = path; self.format = format; self.layout = layout; self.georeferencing = georeferencing
        self.nodata = nodata; self.sampling = sampling; self.compression = compression
        self.interleave = interleave; self.blockWidth = blockWidth; self.blockHeight = blockHeight
        self.overviewSizes = overviewSizes; self.hasGroundControlPoints = hasGroundControlPoints
        self.isBigTIFF = isBigTIFF
        self.acquisitionDate = acquisitionDate
    }
}

/// How much memory a decoder may use. A header can declare any size; nothing is allocated past
/// these bounds, and exceeding them is a `limitsExceeded` error rather than a crash.
public struct DecodeLimits: Sendable, Hashable {
    /// The largest single block (tile or strip) a file may declare.
    public var maxBlockBytes: Int
    /// The largest window a single read may return.
    public var maxWindowBytes: Int

    public init(maxBlockBytes: Int = 256 << 20, maxWindowBytes: Int = 4 << 30) {
        self.maxBlockBytes = maxBlockBytes
        self.maxWindowBytes = maxWindowBytes
    }

    public static let `default` = DecodeLimits()
}

/// Something pixels can be read from, window by window: a file or a mosaic of tiles.
/// Instances are not thread-safe; open one per thread.
public protocol RasterSource: PixelSource {
    var info: RasterInfo { get }
}

extension RasterSource {
    public var layout: RasterLayout { info.layout }
    public var georeferencing: Georeferencing? { info.georeferencing }
    public var nodata: Double? { info.nodata }

    /// Reads a window into a new raster (georeferenced to the window).
    public func readRaster(window: PixelWindow? = nil, limits: DecodeLimits = .default) throws -> Raster {
        let window = window ?? info.layout.window
        precondition(info.layout.window.contains(window), "window \(window) outside the raster \(info.layout.window)")
        guard let bytes = RasterLayout.byteCount(window: window, bandCount: info.layout.bandCount,
                                                 pixelType: info.layout.pixelType),
              bytes <= limits.maxWindowBytes else {
            throw RasterIOError(.limitsExceeded, path: info.path,
                                "reading \(window.width) x \(window.height) x \(info.layout.bandCount) \(info.layout.pixelType) samples would exceed the \(limits.maxWindowBytes)-byte window limit")
        }
        let layout = RasterLayout(width: window.width, height: window.height, bandCount: info.layout.bandCount,
                                  pixelType: info.layout.pixelType)
        var raster = Raster(layout: layout, nodata: info.nodata,
                            georeferencing: info.georeferencing.map {
                                Georeferencing(transform: $0.transform.window(window), crs: $0.crs) })
        try raster.samples.withUnsafeMutableBytes { try read(window: window, into: $0) }
        return raster
    }
}

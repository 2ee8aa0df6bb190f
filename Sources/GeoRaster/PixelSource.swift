/// Anything whose pixels can be read window by window: a file, a mosaic of tiles, a raster in
/// memory. Algorithms take sources, never files, so they stream however large the input is.
/// Instances need not be thread-safe: open one per thread.
public protocol PixelSource: AnyObject {
    var layout: RasterLayout { get }
    var georeferencing: Georeferencing? { get }
    /// The value marking missing samples, for every band.
    var nodata: Double? { get }
    /// Decodes `window` (inside the raster) into `destination`, band-sequential, host order:
    /// exactly `window.width * window.height * bandCount * bytesPerSample` bytes.
    func read(window: PixelWindow, into destination: UnsafeMutableRawBufferPointer) throws
}

/// A raster in memory as a source (tests, small inputs).
public final class InMemorySource: PixelSource {
    public let raster: Raster
    public init(_ raster: Raster) { self.raster = raster }
    public var layout: RasterLayout { raster.layout }
    public var georeferencing: Georeferencing? { raster.georeferencing }
    public var nodata: Double? { raster.nodata }

    public func read(window: PixelWindow, into destination: UnsafeMutableRawBufferPointer) throws {
        precondition(layout.window.contains(window), "window \(window) outside the raster \(layout.window)")
        let sampleBytes = layout.pixelType.bytesPerSample
        raster.samples.withUnsafeBytes { source in
            for band in 0..<layout.bandCount {
                for row in 0..<window.height {
                    let from = ((band * layout.height + window.y + row) * layout.width + window.x) * sampleBytes
                    let to = ((band * window.height + row) * window.width) * sampleBytes
                    (destination.baseAddress! + to).copyMemory(from: source.baseAddress! + from, byteCount: window.width * sampleBytes)
                }
            }
        }
    }
}

/// A window of another source, georeferenced to the window: restricts an analysis to the area
/// around a site without copying pixels.
public final class CroppedSource: PixelSource {
    public let base: PixelSource
    public let window: PixelWindow

    public init(_ base: PixelSource, window: PixelWindow) {
        precondition(base.layout.window.contains(window), "crop \(window) outside the source \(base.layout.window)")
        self.base = base
        self.window = window
    }

    public var layout: RasterLayout {
        RasterLayout(width: window.width, height: window.height, bandCount: base.layout.bandCount, pixelType: base.layout.pixelType)
    }
    public var georeferencing: Georeferencing? {
        base.georeferencing.map { Georeferencing(transform: $0.transform.window(window), crs: $0.crs) }
    }
    public var nodata: Double? { base.nodata }

    public func read(window w: PixelWindow, into destination: UnsafeMutableRawBufferPointer) throws {
        try base.read(window: w.offsetBy(dx: window.x, dy: window.y), into: destination)
    }
}

import GeoRaster

/// An image without georeferencing (a screenshot from desktop globe software, a benchmark chip)
/// placed in `CRS.imageFrame` by its ground sample distance: metres from the bottom-left corner,
/// x right, y up. Two such images of the same size share the frame, so they compare pixel for
/// pixel and areas come out in m²; nothing in the frame has a longitude or latitude.
public final class LocalFrameSource: RasterSource {
    public let base: RasterSource
    public let gsdMeters: Double
    public let info: RasterInfo

    /// Throws `usage` when `base` is georeferenced: its own placement would be silently overridden.
    public init(_ base: RasterSource, gsdMeters: Double) throws {
        precondition(gsdMeters.isFinite && gsdMeters > 0, "ground sample distance \(gsdMeters) m")
        guard base.info.georeferencing == nil else {
            throw RasterIOError(.incompatibleInputs, path: base.info.path,
                                "is georeferenced (\(base.info.georeferencing!.crs?.description ?? "no CRS")); --gsd is for images without georeferencing")
        }
        self.base = base
        self.gsdMeters = gsdMeters
        var info = base.info
        info.georeferencing = Georeferencing(
            transform: GeoTransform(originX: 0, originY: Double(info.layout.height) * gsdMeters, pixelWidth: gsdMeters, pixelHeight: -gsdMeters),
            crs: .imageFrame)
        info.sampling = .area
        self.info = info
    }

    public func read(window: PixelWindow, into destination: UnsafeMutableRawBufferPointer) throws {
        try base.read(window: window, into: destination)
    }
}

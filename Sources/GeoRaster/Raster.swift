/// The shape of raster data: size, band count and sample type.
public struct RasterLayout: Hashable, Sendable, Codable {
    public var width: Int
    public var height: Int
    public var bandCount: Int
    public var pixelType: PixelType

    public init(width: Int, height: Int, bandCount: Int, pixelType: PixelType) {
        precondition(width >= 0 && height >= 0 && bandCount >= 1,
                     "invalid raster layout \(width) x \(height) x \(bandCount)")
        self.width = width; self.height = height; self.bandCount = bandCount; self.pixelType = pixelType
    }

    public var bytesPerBand: Int { width * height * pixelType.bytesPerSample }
    public var byteCount: Int { bytesPerBand * bandCount }
    public var window: PixelWindow { PixelWindow(x: 0, y: 0, width: width, height: height) }

    /// The byte count of a window of this raster, or nil if it overflows Int.
    public static func byteCount(window: PixelWindow, bandCount: Int, pixelType: PixelType) -> Int? {
        let (a, o1) = window.width.multipliedReportingOverflow(by: window.height)
        let (b, o2) = a.multipliedReportingOverflow(by: bandCount)
        let (c, o3) = b.multipliedReportingOverflow(by: pixelType.bytesPerSample)
        return (o1 || o2 || o3) ? nil : c
    }
}

/// Samples of a raster in memory, band-sequential (all of band 0, then band 1, ...), each band
/// row-major, in host byte order. Band-sequential suits per-band kernels and per-band checksums.
public struct Raster: Sendable {
    public var layout: RasterLayout
    public var samples: [UInt8]
    /// The value that marks a missing sample, for every band.
    public var nodata: Double?
    public var georeferencing: Georeferencing?

    /// A raster of zeros.
    public init(layout: RasterLayout, nodata: Double? = nil, georeferencing: Georeferencing? = nil) {
        self.layout = layout
        self.samples = [UInt8](repeating: 0, count: layout.byteCount)
        self.nodata = nodata
        self.georeferencing = georeferencing
    }

    public init(layout: RasterLayout, samples: [UInt8], nodata: Double? = nil, georeferencing: Georeferencing? = nil) {
        precondition(samples.count == layout.byteCount,
                     "Raster needs \(layout.byteCount) bytes for \(layout), got \(samples.count)")
        self.layout = layout
        self.samples = samples
        self.nodata = nodata
        self.georeferencing = georeferencing
    }

    public var width: Int { layout.width }
    public var height: Int { layout.height }
    public var bandCount: Int { layout.bandCount }
    public var pixelType: PixelType { layout.pixelType }

    /// The bytes of one band.
    public func bandBytes(_ band: Int) -> ArraySlice<UInt8> {
        precondition(band >= 0 && band < bandCount, "band \(band) outside 0..<\(bandCount)")
        let n = layout.bytesPerBand
        return samples[band * n ..< (band + 1) * n]
    }

    /// Typed read access to one band. T must match the pixel type's width.
    public func withBand<T, R>(_ band: Int, as type: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        precondition(MemoryLayout<T>.size == pixelType.bytesPerSample,
                     "\(T.self) does not match the raster's \(pixelType)")
        precondition(band >= 0 && band < bandCount, "band \(band) outside 0..<\(bandCount)")
        let n = width * height
        return try samples.withUnsafeBytes { raw in
            let typed = raw.bindMemory(to: T.self)
            return try body(UnsafeBufferPointer(rebasing: typed[band * n ..< (band + 1) * n]))
        }
    }

    /// Typed write access to one band.
    public mutating func withMutableBand<T, R>(_ band: Int, as type: T.Type,
                                               _ body: (UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        precondition(MemoryLayout<T>.size == pixelType.bytesPerSample,
                     "\(T.self) does not match the raster's \(pixelType)")
        precondition(band >= 0 && band < bandCount, "band \(band) outside 0..<\(bandCount)")
        let n = width * height
        return try samples.withUnsafeMutableBytes { raw in
            let typed = raw.bindMemory(to: T.self)
            return try body(UnsafeMutableBufferPointer(rebasing: typed[band * n ..< (band + 1) * n]))
        }
    }

    /// One sample as a Double, whatever the pixel type.
    public func value(x: Int, y: Int, band: Int) -> Double {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width) x \(height)")
        let index = (band * height + y) * width + x
        return samples.withUnsafeBytes { raw in
            switch pixelType {
            case .uint8: return Double(raw[index])
            case .int16: return Double(raw.loadUnaligned(fromByteOffset: index * 2, as: Int16.self))
            case .uint16: return Double(raw.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))
            case .float32: return Double(raw.loadUnaligned(fromByteOffset: index * 4, as: Float.self))
            case .float64: return raw.loadUnaligned(fromByteOffset: index * 8, as: Double.self)
            }
        }
    }
}

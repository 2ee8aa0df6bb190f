import GeoRaster
import RasterKernels

/// Reads a window of the before grid from both dates as Float32 planes: the before date as it is,
/// the after date resampled onto it (through the grid mapping and the co-registration shift),
/// plus a validity plane (0 where either date has nodata or the after date does not reach).
/// Buffers are reused between reads; one reader per thread.
final class AlignedReader {
    let before: PixelSource
    let after: PixelSource
    let mapping: GridMapping
    /// Bands compared: those the two dates share (the first min(n, m)).
    let bandCount: Int
    var interpolation: Resampling.Interpolation = .cubic

    private(set) var window = PixelWindow(x: 0, y: 0, width: 0, height: 0)
    private(set) var beforePlanes: [Float] = []
    private(set) var afterPlanes: [Float] = []
    private(set) var validity: [UInt8] = []
    private var raw: [UInt8] = []
    private var sourcePlanes: [Float] = []
    private var sourceMask: [Float] = []
    private var resampledMask: [Float] = []
    private var inside: [UInt8] = []

    init(before: PixelSource, after: PixelSource, mapping: GridMapping) {
        self.before = before
        self.after = after
        self.mapping = mapping
        bandCount = min(before.layout.bandCount, after.layout.bandCount, ChangeMagnitude.bandCountRange.upperBound)
    }

    /// Reads `window` (before pixels) with the after date shifted by `shift` before pixels.
    func read(_ window: PixelWindow, shift: PixelPoint) throws {
        self.window = window
        let n = window.pixelCount
        beforePlanes.resizeKeepingCapacity(n * bandCount)
        afterPlanes.resizeKeepingCapacity(n * bandCount)
        validity.resizeKeepingCapacity(n)
        inside.resizeKeepingCapacity(n)

        // Before: decode, widen, and mark nodata (a pixel whose every band is nodata).
        try decode(before, window: window, into: &beforePlanes)
        for i in 0..<n { validity[i] = 1 }
        if let nodata = before.nodata { markNodata(beforePlanes, count: n, nodata: Float(nodata)) }

        // After: decode the region the window needs, then resample band by band.
        let margin = 3  // cubic convolution reaches 2 pixels out
        guard let source = mapping.afterWindow(for: window, shift: shift, margin: margin, afterSize: after.layout.window),
              !source.isEmpty else {
            for i in 0..<n { validity[i] = 0 }
            return
        }
        try decode(after, window: source, into: &sourcePlanes)
        let map = mapping.affine(window: window, sourceOrigin: PixelPoint(x: Double(source.x), y: Double(source.y)), shift: shift)
        let m = source.pixelCount
        sourcePlanes.withUnsafeBufferPointer { src in
            afterPlanes.withUnsafeMutableBufferPointer { dst in
                inside.withUnsafeMutableBufferPointer { valid in
                    for band in 0..<bandCount {
                        let s = PlaneView(UnsafeBufferPointer(rebasing: src[band * m ..< (band + 1) * m]), width: source.width, height: source.height)
                        let d = MutablePlaneView(UnsafeMutableBufferPointer(rebasing: dst[band * n ..< (band + 1) * n]), width: window.width, height: window.height)
                        Resampling.resample(s, into: d, map: map, interpolation: interpolation, fill: 0,
                                            validity: band == 0 ? MutablePlaneView(valid, width: window.width, height: window.height) : nil)
                    }
                }
            }
        }
        for i in 0..<n where inside[i] == 0 { validity[i] = 0 }
        if let nodata = after.nodata {
            // Resample a nodata mask bilinearly: any contamination by nodata invalidates the pixel.
            sourceMask.resizeKeepingCapacity(m)
            resampledMask.resizeKeepingCapacity(n)
            let value = Float(nodata)
            for i in 0..<m {
                var all = true
                for band in 0..<bandCount where sourcePlanes[band * m + i] != value { all = false; break }
                sourceMask[i] = all ? 1 : 0
            }
            sourceMask.withUnsafeBufferPointer { src in
                resampledMask.withUnsafeMutableBufferPointer { dst in
                    Resampling.resample(PlaneView(src, width: source.width, height: source.height),
                                        into: MutablePlaneView(dst, width: window.width, height: window.height),
                                        map: map, interpolation: .bilinear, fill: 1)
                }
            }
            for i in 0..<n where resampledMask[i] > 0.01 { validity[i] = 0 }
        }
    }

    private func markNodata(_ planes: [Float], count n: Int, nodata: Float) {
        for i in 0..<n {
            var all = true
            for band in 0..<bandCount where planes[band * n + i] != nodata { all = false; break }
            if all { validity[i] = 0 }
        }
    }

    /// Decodes a window of a source and widens its first `bandCount` bands to Float32.
    private func decode(_ source: PixelSource, window: PixelWindow, into planes: inout [Float]) throws {
        let layout = source.layout
        let n = window.pixelCount
        let bytes = n * layout.bandCount * layout.pixelType.bytesPerSample
        raw.resizeKeepingCapacity(bytes)
        try raw.withUnsafeMutableBytes { try source.read(window: window, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<bytes])) }
        planes.resizeKeepingCapacity(n * bandCount)
        raw.withUnsafeBytes { bytes in
            planes.withUnsafeMutableBufferPointer { out in
                for band in 0..<bandCount {
                    let target = UnsafeMutableBufferPointer(rebasing: out[band * n ..< (band + 1) * n])
                    switch layout.pixelType {
                    case .uint8:
                        SampleConversion.widen(UnsafeBufferPointer(rebasing: bytes.bindMemory(to: UInt8.self)[band * n ..< (band + 1) * n]),
                                               into: target, scale: .identity)
                    case .uint16:
                        SampleConversion.widen(UnsafeBufferPointer(rebasing: bytes.bindMemory(to: UInt16.self)[band * n ..< (band + 1) * n]),
                                               into: target, scale: .identity)
                    case .int16:
                        SampleConversion.widen(UnsafeBufferPointer(rebasing: bytes.bindMemory(to: Int16.self)[band * n ..< (band + 1) * n]),
                                               into: target, scale: .identity)
                    case .float32:
                        let f = bytes.bindMemory(to: Float.self)
                        for i in 0..<n { target[i] = f[band * n + i] }
                    case .float64:
                        let d = bytes.bindMemory(to: Double.self)
                        for i in 0..<n { target[i] = Float(d[band * n + i]) }
                    }
                }
            }
        }
    }
}

extension Array {
    /// Grows (with zeros) or shrinks without giving capacity back, so buffers are reused.
    mutating func resizeKeepingCapacity(_ count: Int) where Element: ExpressibleByIntegerLiteral {
        if self.count < count { append(contentsOf: repeatElement(0, count: count - self.count)) }
        else if self.count > count { removeLast(self.count - count) }
    }
}

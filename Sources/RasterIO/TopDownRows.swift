import GeoRaster

/// Formats whose decoders deliver whole rows from the top (PNG, JPEG): the window's rows are
/// decoded whole into a buffer, within the window limit, and the window's columns are
/// deinterleaved into band planes.
enum TopDownRows {
    /// - Parameters:
    ///   - scratchBytes: memory the decoder needs beside the rows (an interlaced PNG's whole image),
    ///     counted against the limit.
    ///   - decode: fills `rows` (the window's rows, `rowBytes` apart, whole width); returns 1, or
    ///     0 with the library's words in `message`.
    static func read(_ window: PixelWindow, of info: RasterInfo, limits: DecodeLimits, scratchBytes: Int = 0,
                     into destination: UnsafeMutableRawBufferPointer,
                     decode: (UnsafeMutableRawPointer, Int, UnsafeMutablePointer<CChar>) -> Int32) throws {
        let layout = info.layout
        precondition(layout.window.contains(window), "window \(window) outside the raster \(layout.window)")
        guard !window.isEmpty else { return }
        let sampleBytes = layout.pixelType.bytesPerSample
        let rowBytes = layout.width * layout.bandCount * sampleBytes
        let rowsBytes = rowBytes * window.height
        guard rowsBytes + scratchBytes <= limits.maxWindowBytes else {
            throw RasterIOError(.limitsExceeded, path: info.path,
                                "decoding rows \(window.y)..<\(window.maxY) needs \(rowsBytes + scratchBytes) bytes, over the \(limits.maxWindowBytes)-byte limit")
        }
        let rows = UnsafeMutableRawBufferPointer.allocate(byteCount: rowsBytes, alignment: 16)
        defer { rows.deallocate() }
        var message = ShimMessage()
        guard message.withBuffer({ decode(rows.baseAddress!, rowBytes, $0) }) == 1 else {
            throw RasterIOError(.malformed, path: info.path, "cannot decode \(info.format) rows \(window.y)..<\(window.maxY)", cause: message.text)
        }
        let bandBytes = window.pixelCount * sampleBytes
        for row in 0..<window.height {
            Deinterleave.copy(from: rows.baseAddress! + row * rowBytes + window.x * layout.bandCount * sampleBytes, bands: layout.bandCount,
                              sampleBytes: sampleBytes, count: window.width,
                              to: destination.baseAddress! + row * window.width * sampleBytes, bandStride: bandBytes)
        }
    }
}

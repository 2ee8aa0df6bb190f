import Foundation
import GeoRaster

/// Keeps rows (the change magnitude between passes) in an unlinked temporary file, so a 32768²
/// mosaic costs disk, not memory. pread/pwrite at row offsets: safe for disjoint rows from several threads.
public final class FileRowStore: RowStore, @unchecked Sendable {
    public let width: Int
    private let descriptor: Int32

    public init(width: Int, height: Int, directory: String = NSTemporaryDirectory()) throws {
        self.width = width
        var template = Array((directory + "/sitewatch-magnitude-XXXXXX").utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw RasterIOError(.io, path: directory, "cannot create a temporary file for the change magnitude",
                                cause: String(cString: strerror(errno)))
        }
        // Unlinked at once: the space is freed when the store goes, even after a crash.
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        _ = height
    }

    deinit { close(descriptor) }

    public func write(rows: Range<Int>, _ values: UnsafeBufferPointer<UInt16>) throws {
        let bytes = rows.count * width * 2
        let written = pwrite(descriptor, values.baseAddress, bytes, off_t(rows.lowerBound * width * 2))
        guard written == bytes else {
            throw RasterIOError(.io, path: "temporary magnitude file", "cannot write change magnitude (disk full?)",
                                cause: String(cString: strerror(errno)))
        }
    }

    public func read(rows: Range<Int>, into values: UnsafeMutableBufferPointer<UInt16>) throws {
        let bytes = rows.count * width * 2
        let read = pread(descriptor, values.baseAddress, bytes, off_t(rows.lowerBound * width * 2))
        guard read == bytes else {
            throw RasterIOError(.io, path: "temporary magnitude file", "cannot read back change magnitude",
                                cause: String(cString: strerror(errno)))
        }
    }
}

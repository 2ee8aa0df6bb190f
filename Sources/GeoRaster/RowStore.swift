/// Rows of UInt16 values kept between two passes over a raster (the change magnitude between
/// pass 1 and pass 2). A file-backed store keeps memory flat for huge mosaics. Writes of disjoint
/// row ranges may come from several threads at once.
public protocol RowStore: AnyObject {
    var width: Int { get }
    func write(rows: Range<Int>, _ values: UnsafeBufferPointer<UInt16>) throws
    func read(rows: Range<Int>, into values: UnsafeMutableBufferPointer<UInt16>) throws
}

/// Rows kept in memory: fine up to a few hundred megapixels.
public final class InMemoryRowStore: RowStore, @unchecked Sendable {
    public let width: Int
    private var values: [UInt16]

    public init(width: Int, height: Int, fill: UInt16 = 0) {
        self.width = width
        values = [UInt16](repeating: fill, count: width * height)
    }

    public func write(rows: Range<Int>, _ source: UnsafeBufferPointer<UInt16>) throws {
        precondition(source.count >= rows.count * width, "write of rows \(rows) needs \(rows.count * width) values, got \(source.count)")
        // Disjoint row ranges from several threads: write through the buffer, never reallocate.
        values.withUnsafeMutableBufferPointer { target in
            (target.baseAddress! + rows.lowerBound * width).update(from: source.baseAddress!, count: rows.count * width)
        }
    }

    public func read(rows: Range<Int>, into target: UnsafeMutableBufferPointer<UInt16>) throws {
        precondition(target.count >= rows.count * width, "read of rows \(rows) needs room for \(rows.count * width) values")
        values.withUnsafeBufferPointer { source in
            target.baseAddress!.update(from: source.baseAddress! + rows.lowerBound * width, count: rows.count * width)
        }
    }
}

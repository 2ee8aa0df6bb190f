/// The sample types SiteWatch reads and writes. Raw values, no scaling.
public enum PixelType: String, Sendable, CaseIterable, Codable {
    case uint8, int16, uint16, float32, float64

    public var bytesPerSample: Int {
        switch self {
        case .uint8: return 1
        case .int16, .uint16: return 2
        case .float32: return 4
        case .float64: return 8
        }
    }

    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// GDAL's name for the type, as `gdalinfo` prints it.
    public var gdalName: String {
        switch self {
        case .uint8: return "Byte"
        case .int16: return "Int16"
        case .uint16: return "UInt16"
        case .float32: return "Float32"
        case .float64: return "Float64"
        }
    }

    /// The largest value the type can hold (for floats, the largest finite value).
    public var maximumValue: Double {
        switch self {
        case .uint8: return 255
        case .int16: return 32767
        case .uint16: return 65535
        case .float32: return Double(Float.greatestFiniteMagnitude)
        case .float64: return Double.greatestFiniteMagnitude
        }
    }

    /// Stores `value` into samples `start ..< start + count` of a buffer of this type (integer
    /// types round and clamp it; NaN or infinities, which they cannot hold, become 0).
    public func fill(_ buffer: UnsafeMutableRawBufferPointer, with value: Double, from start: Int = 0, count: Int) {
        let integer = value.isFinite ? Int(value.rounded()) : 0
        switch self {
        case .uint8: Self.store(UInt8(clamping: integer), buffer, start, count)
        case .int16: Self.store(Int16(clamping: integer), buffer, start, count)
        case .uint16: Self.store(UInt16(clamping: integer), buffer, start, count)
        case .float32: Self.store(Float(value), buffer, start, count)
        case .float64: Self.store(value, buffer, start, count)
        }
    }

    private static func store<T>(_ value: T, _ buffer: UnsafeMutableRawBufferPointer, _ start: Int, _ count: Int) {
        for i in start..<(start + count) { buffer.storeBytes(of: value, toByteOffset: i * MemoryLayout<T>.stride, as: T.self) }
    }
}

import XCTest
import RasterKernels

/// SplitMix64: deterministic, so a failure reproduces from its seed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }
    mutating func bool(_ probability: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < probability }
}

/// The awkward widths every SIMD kernel is tested on: empty, under one vector, at, either side of
/// one and two vectors, and a long odd row.
let awkwardWidths = [0, 1, 15, 16, 17, 31, 33, 63, 65, 257]

/// Where a test plane sits in its allocation: an element offset from the (aligned) allocation start,
/// so SIMD loads are unaligned, and extra elements per row beyond the width.
struct Placement: CustomStringConvertible {
    var offset: Int
    var extraStride: Int
    var description: String { "offset \(offset), stride +\(extraStride)" }
    static let all = [Placement(offset: 0, extraStride: 0), Placement(offset: 1, extraStride: 3),
                      Placement(offset: 3, extraStride: 16)]
}

enum Content: CaseIterable { case random, zero, max }

/// A test image in its own allocation; the bytes outside the window are filled with a sentinel so
/// that a kernel writing outside its window is caught by `outsideUntouched`.
final class TestPlane<T> {
    let storage: UnsafeMutableBufferPointer<T>
    let width: Int, height: Int, stride: Int, offset: Int
    let sentinel: T

    init(width: Int, height: Int, placement: Placement = Placement(offset: 0, extraStride: 0), sentinel: T) {
        self.width = width; self.height = height
        self.stride = width + placement.extraStride
        self.offset = placement.offset
        self.sentinel = sentinel
        storage = .allocate(capacity: offset + stride * height + 16)
        storage.initialize(repeating: sentinel)
    }

    deinit { storage.deallocate() }

    var view: PlaneView<T> { PlaneView(base: storage.baseAddress! + offset, width: width, height: height, rowStride: stride) }
    var mutable: MutablePlaneView<T> { MutablePlaneView(base: storage.baseAddress! + offset, width: width, height: height, rowStride: stride) }

    subscript(x: Int, y: Int) -> T {
        get { storage[offset + y * stride + x] }
        set { storage[offset + y * stride + x] = newValue }
    }

    func fill(_ value: (Int, Int) -> T) {
        for y in 0..<height { for x in 0..<width { self[x, y] = value(x, y) } }
    }

    /// The window's samples, row-major.
    var pixels: [T] { (0..<height).flatMap { y in (0..<width).map { x in self[x, y] } } }

    /// Every element outside the window still holds the sentinel.
    func outsideUntouched(_ same: (T, T) -> Bool) -> Bool {
        for i in 0..<storage.count {
            let local = i - offset
            let inside = local >= 0 && local < stride * height && local % stride < width
            if !inside && !same(storage[i], sentinel) { return false }
        }
        return true
    }
}

extension TestPlane where T == Float {
    func bitsEqual(_ other: TestPlane<Float>) -> Bool {
        zip(pixels, other.pixels).allSatisfy { $0.bitPattern == $1.bitPattern }
    }
}

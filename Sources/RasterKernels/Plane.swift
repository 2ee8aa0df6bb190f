import GeoRaster

/// Which twin of a kernel to run. Every SIMD kernel keeps a plain scalar reference beside it
/// (STYLE.md, "The fast path sits beside a plain reference"); tests and benchmarks call both.
public enum KernelImplementation: Sendable, CaseIterable {
    /// The plain loop: the specification the SIMD path is tested against.
    case scalar
    /// `SIMD16` lanes over unsafe buffers; the default.
    case simd
}

/// y = gain * x + offset, one per band: radiometric scaling of a band.
public struct LinearScale: Hashable, Sendable {
    public var gain: Float
    public var offset: Float
    public init(gain: Float = 1, offset: Float = 0) { self.gain = gain; self.offset = offset }
    public static let identity = LinearScale()
}

/// A read-only 2-D window of samples in caller-owned memory: `height` rows of `width` samples,
/// row `y` starting `y * rowStride` elements after `base`. A stride larger than the width lets a
/// kernel run on a window of a larger plane (or a tile with padding) without copying.
public struct PlaneView<Element> {
    public let base: UnsafePointer<Element>
    public let width: Int
    public let height: Int
    /// Elements (not bytes) from the start of one row to the start of the next.
    public let rowStride: Int

    public init(base: UnsafePointer<Element>, width: Int, height: Int, rowStride: Int? = nil) {
        let stride = rowStride ?? width
        precondition(width >= 0 && height >= 0, "plane size must not be negative: \(width) x \(height)")
        precondition(stride >= width, "row stride \(stride) is smaller than the width \(width)")
        self.base = base; self.width = width; self.height = height; self.rowStride = stride
    }

    /// A view of `buffer`, which must hold every row (the last one need not be padded to the stride).
    public init(_ buffer: UnsafeBufferPointer<Element>, width: Int, height: Int, rowStride: Int? = nil) {
        let stride = rowStride ?? width
        precondition(buffer.count >= planeSpan(width: width, height: height, rowStride: stride),
                     "buffer of \(buffer.count) elements is too small for \(width) x \(height), stride \(stride)")
        self.init(base: buffer.baseAddress.map(UnsafePointer.init) ?? danglingPointer(),
                  width: width, height: height, rowStride: stride)
    }

    public init(_ plane: MutablePlaneView<Element>) {
        self.init(base: UnsafePointer(plane.base), width: plane.width, height: plane.height, rowStride: plane.rowStride)
    }

    @inline(__always) public func row(_ y: Int) -> UnsafePointer<Element> { base + y * rowStride }

    @inline(__always) public subscript(x: Int, y: Int) -> Element {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width) x \(height)")
        return base[y * rowStride + x]
    }

    public var window: PixelWindow { PixelWindow(x: 0, y: 0, width: width, height: height) }
}

/// A writable 2-D window of samples in caller-owned memory; see `PlaneView`.
public struct MutablePlaneView<Element> {
    public let base: UnsafeMutablePointer<Element>
    public let width: Int
    public let height: Int
    public let rowStride: Int

    public init(base: UnsafeMutablePointer<Element>, width: Int, height: Int, rowStride: Int? = nil) {
        let stride = rowStride ?? width
        precondition(width >= 0 && height >= 0, "plane size must not be negative: \(width) x \(height)")
        precondition(stride >= width, "row stride \(stride) is smaller than the width \(width)")
        self.base = base; self.width = width; self.height = height; self.rowStride = stride
    }

    public init(_ buffer: UnsafeMutableBufferPointer<Element>, width: Int, height: Int, rowStride: Int? = nil) {
        let stride = rowStride ?? width
        precondition(buffer.count >= planeSpan(width: width, height: height, rowStride: stride),
                     "buffer of \(buffer.count) elements is too small for \(width) x \(height), stride \(stride)")
        self.init(base: buffer.baseAddress ?? UnsafeMutablePointer(mutating: danglingPointer()),
                  width: width, height: height, rowStride: stride)
    }

    @inline(__always) public func row(_ y: Int) -> UnsafeMutablePointer<Element> { base + y * rowStride }

    @inline(__always) public subscript(x: Int, y: Int) -> Element {
        get {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width) x \(height)")
            return base[y * rowStride + x]
        }
        nonmutating set {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width) x \(height)")
            base[y * rowStride + x] = newValue
        }
    }

    public var readOnly: PlaneView<Element> { PlaneView(self) }
}

/// Elements a plane of this shape touches: the last row need not extend to the stride.
@usableFromInline func planeSpan(width: Int, height: Int, rowStride: Int) -> Int {
    width == 0 || height == 0 ? 0 : (height - 1) * rowStride + width
}

/// An empty buffer has no base address; an empty plane never dereferences its base, so a
/// non-null, aligned, never-read address stands in (the same trick as the stdlib's empty arrays).
@usableFromInline func danglingPointer<T>() -> UnsafePointer<T> {
    UnsafePointer(bitPattern: MemoryLayout<T>.alignment)!
}

@usableFromInline @inline(__always) func checkSameSize<A, B>(_ a: PlaneView<A>, _ b: MutablePlaneView<B>, _ what: String) {
    precondition(a.width == b.width && a.height == b.height,
                 "\(what): sizes differ, \(a.width) x \(a.height) versus \(b.width) x \(b.height)")
}

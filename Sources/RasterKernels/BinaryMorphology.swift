/// A centred rectangle of odd width and height.
public struct StructuringElement: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public init(width: Int, height: Int) {
        precondition(width >= 1 && height >= 1 && width % 2 == 1 && height % 2 == 1,
                     "structuring element must have odd positive sides, got \(width) x \(height)")
        self.width = width; self.height = height
    }
    public static func square(_ side: Int) -> StructuringElement { StructuringElement(width: side, height: side) }
    var radiusX: Int { width / 2 }
    var radiusY: Int { height / 2 }
}

/// Binary erosion, dilation, opening and closing of a mask by a rectangle — cleaning change masks
/// (opening removes speckle narrower than the element, closing fills pinholes and gaps).
///
/// Convention: any non-zero input byte is foreground; outputs are 0 (background) or 1 (foreground),
/// so a mask's sum is its foreground pixel count and per-pixel min/max are bitwise AND/OR.
///
/// Borders: outside the image counts as foreground for erosion and as background for dilation
/// (GDAL's and OpenCV's default: the image edge neither erodes nor dilates anything). Equivalently,
/// both operate on the element clipped to the image. With a symmetric (centred) element this pair is
/// an adjunction on the image's own pixels, so opening and closing are idempotent (tested). One
/// consequence to know: a closing fills background lying within one element radius of the image
/// edge next to foreground, since dilation reaches the edge and erosion cannot take it back.
///
/// The rectangle is separable: a horizontal pass (min/max over `width` columns) into scratch, then a
/// vertical pass (over `height` rows) into the destination; clipping a rectangle to the image keeps
/// it a product of two intervals, so separability survives the border rule.
///
/// The scalar twin works on bytes, pixel by pixel. The SIMD twin works on bit-packed rows
/// (`BitPlaneView`, 64 pixels a word): the horizontal pass ANDs/ORs the row with copies of itself
/// shifted by 1...r bits, the vertical pass ANDs/ORs whole words of 2r + 1 rows, so a 3 x 3
/// operation costs about a dozen word operations per 64 pixels; on byte planes it packs the source
/// first and unpacks the result. The change core keeps its masks packed and calls the packed form
/// directly. Cost grows linearly with the element side, which for SiteWatch's elements (3 to a few
/// dozen pixels) stays a handful of word operations per pixel; van Herk/Gil-Werman would pay only
/// for far larger elements.
///
/// Scratch: `scratchCount(width:height:element:)` bytes (or, for packed planes,
/// `packedScratchCount` words) owned by the caller, reused across calls. `destination` may be the
/// same memory as `source`. Both twins give identical bytes.
public enum BinaryMorphology {
    public enum Operation: Sendable, CaseIterable { case erode, dilate, open, close }

    /// Scratch bytes any operation on a `width` × `height` byte plane needs, for either twin.
    public static func scratchCount(width: Int, height: Int, element: StructuringElement) -> Int {
        let bytes = 2 * width * height
        // Packed: source, pass and middle planes plus a padded row, in words, and room to align.
        let words = height * BitPacking.words(width)
        let packed = 8 * (words + packedScratchCount(width: width, height: height, element: element)) + 8
        return max(bytes, packed)
    }

    /// Scratch words an operation on a packed `width` × `height` plane needs: two planes and one
    /// padded row.
    public static func packedScratchCount(width: Int, height: Int, element: StructuringElement) -> Int {
        2 * height * BitPacking.words(width) + paddedRowWords(width: width, radius: element.radiusX)
    }

    static func paddedRowWords(width: Int, radius: Int) -> Int { BitPacking.words(width) + 2 * (radius / 64 + 1) }

    public static func apply(_ operation: Operation, to source: PlaneView<UInt8>, into destination: MutablePlaneView<UInt8>,
                             element: StructuringElement, scratch: UnsafeMutableBufferPointer<UInt8>,
                             using implementation: KernelImplementation = .simd) {
        checkSameSize(source, destination, "BinaryMorphology")
        let w = source.width, h = source.height
        precondition(scratch.count >= scratchCount(width: w, height: h, element: element),
                     "BinaryMorphology needs \(scratchCount(width: w, height: h, element: element)) scratch bytes, got \(scratch.count)")
        guard w > 0, h > 0 else { return }
        switch implementation {
        case .scalar:
            let base = scratch.baseAddress!
            let passPlane = MutablePlaneView(base: base, width: w, height: h)
            let middlePlane = MutablePlaneView(base: base + w * h, width: w, height: h)
            func run(_ erode: Bool, _ src: PlaneView<UInt8>, _ dst: MutablePlaneView<UInt8>) {
                horizontalScalar(src, passPlane, radius: element.radiusX, erode: erode)
                verticalScalar(passPlane.readOnly, dst, radius: element.radiusY, erode: erode)
            }
            switch operation {
            case .erode: run(true, source, destination)
            case .dilate: run(false, source, destination)
            case .open: run(true, source, middlePlane); run(false, middlePlane.readOnly, destination)
            case .close: run(false, source, middlePlane); run(true, middlePlane.readOnly, destination)
            }
        case .simd:
            // Words in the byte scratch, 8-byte aligned: the packed source, then the packed scratch.
            let aligned = UnsafeMutableRawPointer(scratch.baseAddress!).alignedUp(for: UInt64.self)
            let words = h * BitPacking.words(w)
            let count = words + packedScratchCount(width: w, height: h, element: element)
            aligned.withMemoryRebound(to: UInt64.self, capacity: count) { base in
                let packed = MutableBitPlaneView(base: base, width: w, height: h)
                BitPacking.pack(source, into: packed)
                applyPacked(operation, packed.readOnly, packed, element, UnsafeMutableBufferPointer(start: base + words, count: count - words))
                BitPacking.unpack(packed.readOnly, into: destination)
            }
        }
    }

    /// The same operations on packed planes (the SIMD twin's core). `destination` may be `source`.
    public static func apply(_ operation: Operation, to source: BitPlaneView, into destination: MutableBitPlaneView,
                             element: StructuringElement, scratch: UnsafeMutableBufferPointer<UInt64>) {
        precondition(source.width == destination.width && source.height == destination.height,
                     "BinaryMorphology: sizes differ, \(source.width) x \(source.height) versus \(destination.width) x \(destination.height)")
        precondition(scratch.count >= packedScratchCount(width: source.width, height: source.height, element: element),
                     "BinaryMorphology needs \(packedScratchCount(width: source.width, height: source.height, element: element)) scratch words, got \(scratch.count)")
        guard source.width > 0, source.height > 0 else { return }
        applyPacked(operation, source, destination, element, scratch)
    }

    public static func erode(_ source: PlaneView<UInt8>, into destination: MutablePlaneView<UInt8>, element: StructuringElement,
                             scratch: UnsafeMutableBufferPointer<UInt8>, using implementation: KernelImplementation = .simd) {
        apply(.erode, to: source, into: destination, element: element, scratch: scratch, using: implementation)
    }

    public static func dilate(_ source: PlaneView<UInt8>, into destination: MutablePlaneView<UInt8>, element: StructuringElement,
                              scratch: UnsafeMutableBufferPointer<UInt8>, using implementation: KernelImplementation = .simd) {
        apply(.dilate, to: source, into: destination, element: element, scratch: scratch, using: implementation)
    }

    public static func open(_ source: PlaneView<UInt8>, into destination: MutablePlaneView<UInt8>, element: StructuringElement,
                            scratch: UnsafeMutableBufferPointer<UInt8>, using implementation: KernelImplementation = .simd) {
        apply(.open, to: source, into: destination, element: element, scratch: scratch, using: implementation)
    }

    public static func close(_ source: PlaneView<UInt8>, into destination: MutablePlaneView<UInt8>, element: StructuringElement,
                             scratch: UnsafeMutableBufferPointer<UInt8>, using implementation: KernelImplementation = .simd) {
        apply(.close, to: source, into: destination, element: element, scratch: scratch, using: implementation)
    }
}

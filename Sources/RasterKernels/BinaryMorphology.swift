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
/// it a product of two intervals, so separability survives the border rule. The SIMD twin runs both
/// passes 16 columns at a time as `width` (then `height`) unaligned loads combined with AND/OR: cost
/// grows with the element side, which for SiteWatch's 3–9 px elements is a handful of vector ops per
/// 16 pixels; van Herk/Gil-Werman (3 ops per pixel whatever the side) would pay only for large elements.
///
/// Scratch: `scratchCount(width:height:element:)` bytes owned by the caller, reused across calls.
/// `destination` may be the same memory as `source`. Both twins give identical bytes.
public enum BinaryMorphology {
    public enum Operation: Sendable, CaseIterable { case erode, dilate, open, close }

    /// Scratch bytes any operation needs for a `width` × `height` image: two intermediate planes and
    /// one padded row.
    public static func scratchCount(width: Int, height: Int, element: StructuringElement) -> Int {
        2 * width * height + width + element.width - 1
    }

    public static func apply(_ operation: Operation, to source: PlaneView<UInt8>, into destination: MutablePlaneView<UInt8>,
                             element: StructuringElement, scratch: UnsafeMutableBufferPointer<UInt8>,
                             using implementation: KernelImplementation = .simd) {
        checkSameSize(source, destination, "BinaryMorphology")
        let w = source.width, h = source.height
        precondition(scratch.count >= scratchCount(width: w, height: h, element: element),
                     "BinaryMorphology needs \(scratchCount(width: w, height: h, element: element)) scratch bytes, got \(scratch.count)")
        guard w > 0, h > 0 else { return }
        let base = scratch.baseAddress!
        let passPlane = MutablePlaneView(base: base, width: w, height: h)
        let middlePlane = MutablePlaneView(base: base + w * h, width: w, height: h)
        let paddedRow = base + 2 * w * h
        func run(_ erode: Bool, _ src: PlaneView<UInt8>, _ dst: MutablePlaneView<UInt8>) {
            switch implementation {
            case .scalar:
                horizontalScalar(src, passPlane, radius: element.radiusX, erode: erode)
                verticalScalar(passPlane.readOnly, dst, radius: element.radiusY, erode: erode)
            case .simd:
                horizontalSIMD(src, passPlane, radius: element.radiusX, erode: erode, paddedRow: paddedRow)
                verticalSIMD(passPlane.readOnly, dst, radius: element.radiusY, erode: erode)
            }
        }
        switch operation {
        case .erode: run(true, source, destination)
        case .dilate: run(false, source, destination)
        case .open: run(true, source, middlePlane); run(false, middlePlane.readOnly, destination)
        case .close: run(false, source, middlePlane); run(true, middlePlane.readOnly, destination)
        }
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

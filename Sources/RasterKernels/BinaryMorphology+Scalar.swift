extension BinaryMorphology {
    /// dst[x] = AND (erode) or OR (dilate) of the foreground bits of src[x - r ... x + r] clipped to the row.
    static func horizontalScalar(_ src: PlaneView<UInt8>, _ dst: MutablePlaneView<UInt8>, radius r: Int, erode: Bool) {
        let w = src.width
        for y in 0..<src.height {
            let s = src.row(y), d = dst.row(y)
            for x in 0..<w {
                var v: UInt8 = erode ? 1 : 0
                for k in max(0, x - r)...min(w - 1, x + r) {
                    let bit: UInt8 = s[k] != 0 ? 1 : 0
                    v = erode ? v & bit : v | bit
                }
                d[x] = v
            }
        }
    }

    /// The same down the columns, over rows y - r ... y + r clipped to the image; src is already 0/1.
    static func verticalScalar(_ src: PlaneView<UInt8>, _ dst: MutablePlaneView<UInt8>, radius r: Int, erode: Bool) {
        let h = src.height
        for y in 0..<h {
            let d = dst.row(y)
            for x in 0..<src.width {
                var v: UInt8 = erode ? 1 : 0
                for k in max(0, y - r)...min(h - 1, y + r) { v = erode ? v & src.row(k)[x] : v | src.row(k)[x] }
                d[x] = v
            }
        }
    }
}

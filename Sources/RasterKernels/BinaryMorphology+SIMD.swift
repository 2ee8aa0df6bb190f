extension BinaryMorphology {
    /// Packed planes: source -> destination through two scratch planes and a padded row.
    static func applyPacked(_ operation: Operation, _ source: BitPlaneView, _ destination: MutableBitPlaneView,
                            _ element: StructuringElement, _ scratch: UnsafeMutableBufferPointer<UInt64>) {
        let w = source.width, h = source.height, words = BitPacking.words(w)
        let base = scratch.baseAddress!
        let pass = MutableBitPlaneView(base: base, width: w, height: h)
        let middle = MutableBitPlaneView(base: base + h * words, width: w, height: h)
        let padded = base + 2 * h * words
        func run(_ erode: Bool, _ src: BitPlaneView, _ dst: MutableBitPlaneView) {
            horizontalPacked(src, pass, radius: element.radiusX, erode: erode, padded: padded)
            verticalPacked(pass.readOnly, dst, radius: element.radiusY, erode: erode)
        }
        switch operation {
        case .erode: run(true, source, destination)
        case .dilate: run(false, source, destination)
        case .open: run(true, source, middle); run(false, middle.readOnly, destination)
        case .close: run(false, source, middle); run(true, middle.readOnly, destination)
        }
    }

    /// dst = AND (erode) / OR (dilate) of the row shifted by -r...r pixels. The row is copied between
    /// r / 64 + 1 neutral words on each side, its tail bits made neutral too, so shifted words never
    /// need a border test.
    static func horizontalPacked(_ src: BitPlaneView, _ dst: MutableBitPlaneView, radius r: Int, erode: Bool,
                                 padded: UnsafeMutablePointer<UInt64>) {
        let words = src.wordsPerRow
        let pad = r / 64 + 1
        let neutral: UInt64 = erode ? ~0 : 0
        let tail = BitPacking.tailMask(src.width)
        for i in 0..<pad { padded[i] = neutral; padded[pad + words + i] = neutral }
        let p = padded + pad
        for y in 0..<src.height {
            let s = src.row(y), d = dst.row(y)
            for i in 0..<words { p[i] = s[i] }
            if erode { p[words - 1] |= ~tail }
            if r == 0 {
                for i in 0..<words { d[i] = p[i] }
            } else if erode {
                for i in 0..<words {
                    var acc = p[i]
                    for k in 1...r { acc &= shiftedWord(p, i, k) & shiftedWord(p, i, -k) }
                    d[i] = acc
                }
            } else {
                for i in 0..<words {
                    var acc = p[i]
                    for k in 1...r { acc |= shiftedWord(p, i, k) | shiftedWord(p, i, -k) }
                    d[i] = acc
                }
            }
            d[words - 1] &= tail
        }
    }

    /// The 64 pixels starting at pixel 64 i + k of a padded row.
    @inline(__always) static func shiftedWord(_ p: UnsafeMutablePointer<UInt64>, _ i: Int, _ k: Int) -> UInt64 {
        let q = k >> 6, s = UInt64(k & 63)  // k = 64 q + s, 0 <= s < 64, also for negative k
        let lo = p[i + q]
        return s == 0 ? lo : lo >> s | p[i + q + 1] << (64 - s)
    }

    /// dst row y = AND / OR of rows y - r ... y + r clipped to the image.
    static func verticalPacked(_ src: BitPlaneView, _ dst: MutableBitPlaneView, radius r: Int, erode: Bool) {
        let words = src.wordsPerRow, h = src.height
        for y in 0..<h {
            let y0 = max(0, y - r), y1 = min(h - 1, y + r)
            let d = dst.row(y)
            let first = src.row(y0)
            for i in 0..<words { d[i] = first[i] }
            var k = y0 + 1
            while k <= y1 {
                let s = src.row(k)
                if erode { for i in 0..<words { d[i] &= s[i] } } else { for i in 0..<words { d[i] |= s[i] } }
                k += 1
            }
        }
    }
}

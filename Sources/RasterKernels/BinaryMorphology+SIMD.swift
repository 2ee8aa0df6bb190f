extension BinaryMorphology {
    static func horizontalSIMD(_ src: PlaneView<UInt8>, _ dst: MutablePlaneView<UInt8>, radius r: Int, erode: Bool,
                               paddedRow: UnsafeMutablePointer<UInt8>) {
        let w = src.width
        let neutral: UInt8 = erode ? 1 : 0
        let windowWidth = 2 * r + 1
        let pad = UnsafeMutableRawPointer(paddedRow)
        for y in 0..<src.height {
            // Copy the row, normalised to 0/1, between r neutral bytes on each side: the window
            // loads below then never need a border test.
            for i in 0..<r { paddedRow[i] = neutral; paddedRow[r + w + i] = neutral }
            let s = UnsafeRawPointer(src.row(y))
            var x = 0
            while x + 16 <= w {
                let v = s.loadUnaligned(fromByteOffset: x, as: SIMD16<UInt8>.self)
                pad.storeBytes(of: SIMD16<UInt8>().replacing(with: 1, where: v .!= 0), toByteOffset: r + x, as: SIMD16<UInt8>.self)
                x += 16
            }
            while x < w { paddedRow[r + x] = src.row(y)[x] != 0 ? 1 : 0; x += 1 }

            let d = dst.row(y)
            x = 0
            while x + 16 <= w {
                var acc = pad.loadUnaligned(fromByteOffset: x, as: SIMD16<UInt8>.self)
                for k in 1..<windowWidth {
                    let next = pad.loadUnaligned(fromByteOffset: x + k, as: SIMD16<UInt8>.self)
                    acc = erode ? acc & next : acc | next  // min / max of 0/1 bytes
                }
                UnsafeMutableRawPointer(d).storeBytes(of: acc, toByteOffset: x, as: SIMD16<UInt8>.self)
                x += 16
            }
            while x < w {
                var v = paddedRow[x]
                for k in 1..<windowWidth { v = erode ? v & paddedRow[x + k] : v | paddedRow[x + k] }
                d[x] = v
                x += 1
            }
        }
    }

    static func verticalSIMD(_ src: PlaneView<UInt8>, _ dst: MutablePlaneView<UInt8>, radius r: Int, erode: Bool) {
        let w = src.width, h = src.height
        for y in 0..<h {
            // Rows outside the image are neutral, so clipping the row range is the border rule.
            let y0 = max(0, y - r), y1 = min(h - 1, y + r)
            let d = dst.row(y)
            var x = 0
            while x + 16 <= w {
                var acc = UnsafeRawPointer(src.row(y0)).loadUnaligned(fromByteOffset: x, as: SIMD16<UInt8>.self)
                var k = y0 + 1
                while k <= y1 {
                    let next = UnsafeRawPointer(src.row(k)).loadUnaligned(fromByteOffset: x, as: SIMD16<UInt8>.self)
                    acc = erode ? acc & next : acc | next
                    k += 1
                }
                UnsafeMutableRawPointer(d).storeBytes(of: acc, toByteOffset: x, as: SIMD16<UInt8>.self)
                x += 16
            }
            while x < w {
                var v = src.row(y0)[x]
                var k = y0 + 1
                while k <= y1 { v = erode ? v & src.row(k)[x] : v | src.row(k)[x]; k += 1 }
                d[x] = v
                x += 1
            }
        }
    }
}

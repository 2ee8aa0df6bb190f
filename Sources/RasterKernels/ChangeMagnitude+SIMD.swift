extension ChangeMagnitude {
    static func computeSIMD(before: [PlaneView<Float>], after: [PlaneView<Float>], afterScale: [LinearScale],
                            validity: PlaneView<UInt8>?, output: Output,
                            histogram: UnsafeMutablePointer<UInt32>, bins: Binning) -> Int {
        let n = before.count
        let width = output.width
        var counted = 0
        // Row pointers and scales live on the stack: the inner loop then touches no array storage.
        let binLanes = UnsafeMutablePointer<Int32>.allocate(capacity: 16)
        defer { binLanes.deallocate() }
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: 2 * n) { rows in
            withUnsafeTemporaryAllocation(of: LinearScale.self, capacity: n) { scales in
                for b in 0..<n { scales[b] = afterScale[b] }
                let lastBin = Float(bins.binCount - 1)
                let binScale = SIMD16<Float>(repeating: bins.scale)
                let invalid = SIMD16<UInt32>(repeating: UInt32(invalidCode))
                let codeScale: SIMD16<Float>
                if case .codes(_, let scale) = output { codeScale = SIMD16(repeating: scale) } else { codeScale = SIMD16() }
                for y in 0..<output.height {
                    for b in 0..<n { rows[b] = before[b].row(y); rows[n + b] = after[b].row(y) }
                    let mask = validity.map { UnsafeRawPointer($0.row(y)) }
                    // The output row, resolved once per row rather than per vector.
                    var magnitudeRow: UnsafeMutableRawPointer?, codeRow: UnsafeMutableRawPointer?
                    switch output {
                    case .magnitude(let plane): magnitudeRow = UnsafeMutableRawPointer(plane.row(y))
                    case .codes(let plane, _): codeRow = UnsafeMutableRawPointer(plane.row(y))
                    }
                    var countedLanes = SIMD16<UInt32>()
                    var x = 0
                    while x + 16 <= width {
                        var sum = SIMD16<Float>()
                        for b in 0..<n {
                            let bf = UnsafeRawPointer(rows[b]).loadUnaligned(fromByteOffset: x * 4, as: SIMD16<Float>.self)
                            let af = UnsafeRawPointer(rows[n + b]).loadUnaligned(fromByteOffset: x * 4, as: SIMD16<Float>.self)
                            let d = scales[b].gain * af + scales[b].offset - bf
                            sum += d * d
                        }
                        var m = nonNegativeSquareRoot(sum)  // >= 0 or NaN
                        var counts = notNaN(m)
                        if let mask {
                            let valid = nonZeroLanes(mask.loadUnaligned(fromByteOffset: x, as: SIMD16<UInt8>.self))
                            m = floatsOf(bitsOf(m) & valid)  // masked pixels: 0
                            counts &= valid
                        }
                        if let codeRow {
                            // c in 0...65534 rounds in the add, ties to even as the scalar twin;
                            // NaN and masked lanes become the invalid code.
                            let c = minNonNegative(m * codeScale, 65534)
                            let code = (roundedToUInt32(c) & counts) | (invalid & ~counts)
                            codeRow.storeBytes(of: halfwords(code), toByteOffset: x * 2, as: SIMD16<UInt16>.self)
                        } else {
                            magnitudeRow!.storeBytes(of: m, toByteOffset: x * 4, as: SIMD16<Float>.self)
                        }
                        // Same expression as Binning.index(of:): t = m * scale, last bin if t >= binCount
                        // (the min takes t >= lastBin to lastBin, the same bin), skipped lanes to 0.
                        let t = floatsOf(bitsOf(minNonNegative(m * binScale, lastBin)) & counts)
                        // t is in 0..<2^22: floor, then the exact magic-number conversion.
                        let bin = integers(t.rounded(.down))
                        // The scatter is scalar (AVX2 has no scatter). Skipped lanes count in bin 0
                        // too, and are taken back out of it after the row: no per-lane increment.
                        // The bins go through memory: extracting lanes from the vector made LLVM
                        // split the whole bin computation into 4-lane pieces (measured: a third
                        // of the kernel's instructions).
                        UnsafeMutableRawPointer(binLanes).storeBytes(of: bin, as: SIMD16<Int32>.self)
                        for lane in 0..<16 { histogram[Int(binLanes[lane])] &+= 1 }
                        countedLanes &+= counts & 1
                        x += 16
                    }
                    var countedInVectors = 0
                    for lane in 0..<16 { countedInVectors &+= Int(countedLanes[lane]) }
                    histogram[0] &-= UInt32(truncatingIfNeeded: x - countedInVectors)
                    counted &+= countedInVectors
                    while x < width {
                        if let mask, mask.load(fromByteOffset: x, as: UInt8.self) == 0 {
                            switch output {
                            case .magnitude(let plane): plane.row(y)[x] = 0
                            case .codes(let plane, _): plane.row(y)[x] = invalidCode
                            }
                            x += 1
                            continue
                        }
                        var sum: Float = 0
                        for b in 0..<n {
                            let d = scales[b].gain * rows[n + b][x] + scales[b].offset - rows[b][x]
                            sum += d * d
                        }
                        let m = sum.magnitude.squareRoot()
                        switch output {
                        case .magnitude(let plane): plane.row(y)[x] = m
                        case .codes(let plane, let scale): plane.row(y)[x] = code(of: m, codeScale: scale)
                        }
                        if let bin = bins.index(of: m) { histogram[bin] += 1; counted += 1 }
                        x += 1
                    }
                }
            }
        }
        return counted
    }
}

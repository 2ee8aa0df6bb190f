extension ChangeMagnitude {
    static func computeScalar(before: [PlaneView<Float>], after: [PlaneView<Float>], afterScale: [LinearScale],
                              validity: PlaneView<UInt8>?, output: Output,
                              histogram: UnsafeMutablePointer<UInt32>, bins: Binning) -> Int {
        var counted = 0
        for y in 0..<output.height {
            for x in 0..<output.width {
                if let validity, validity.row(y)[x] == 0 {
                    switch output {
                    case .magnitude(let plane): plane.row(y)[x] = 0
                    case .codes(let plane, _): plane.row(y)[x] = invalidCode
                    }
                    continue
                }
                var sum: Float = 0
                for b in 0..<before.count {
                    let d = afterScale[b].gain * after[b].row(y)[x] + afterScale[b].offset - before[b].row(y)[x]
                    sum += d * d
                }
                // |sum| = sum (a sum of squares); the SIMD twin needs the fabs to vectorise its sqrt.
                let m = sum.magnitude.squareRoot()
                switch output {
                case .magnitude(let plane): plane.row(y)[x] = m
                case .codes(let plane, let scale): plane.row(y)[x] = code(of: m, codeScale: scale)
                }
                if let bin = bins.index(of: m) { histogram[bin] += 1; counted += 1 }
            }
        }
        return counted
    }
}

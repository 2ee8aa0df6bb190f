extension ChangeMagnitude {
    static func computeScalar(before: [PlaneView<Float>], after: [PlaneView<Float>], afterScale: [LinearScale],
                              validity: PlaneView<UInt8>?, magnitude: MutablePlaneView<Float>,
                              histogram: UnsafeMutablePointer<UInt32>, bins: Binning) -> Int {
        var counted = 0
        for y in 0..<magnitude.height {
            let out = magnitude.row(y)
            for x in 0..<magnitude.width {
                if let validity, validity.row(y)[x] == 0 { out[x] = 0; continue }
                var sum: Float = 0
                for b in 0..<before.count {
                    let d = afterScale[b].gain * after[b].row(y)[x] + afterScale[b].offset - before[b].row(y)[x]
                    sum += d * d
                }
                let m = sum.squareRoot()
                out[x] = m
                if let bin = bins.index(of: m) { histogram[bin] += 1; counted += 1 }
            }
        }
        return counted
    }
}

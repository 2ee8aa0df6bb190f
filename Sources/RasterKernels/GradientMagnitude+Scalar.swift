extension GradientMagnitude {
    /// Interior columns 1..<width-1 of row y (1..<height-1).
    static func rowScalar(_ src: PlaneView<Float>, _ out: UnsafeMutablePointer<Float>, _ y: Int) {
        let up = src.row(y - 1), mid = src.row(y), down = src.row(y + 1)
        for x in 1..<(src.width - 1) { out[x] = sobel(up, mid, down, x) }
    }
}

import GeoRaster
import RasterKernels

/// The plainest change map, kept as the baseline SiteWatch must beat (issue 19): per band the
/// after date's mean and standard deviation matched to the before date's, the magnitude of the
/// difference vector, Otsu's threshold on a 256-bin histogram of it over [min, max]. No
/// co-registration, no morphology.
public enum PlainChangeVector {
    /// - Parameters: before, after: band planes of `count` pixels each (same bands, same grid).
    /// - Returns: 255 where changed, 0 elsewhere.
    public static func mask(before: [[Float]], after: [[Float]]) -> [UInt8] {
        precondition(before.count == after.count && !before.isEmpty, "the dates need the same bands")
        let count = before[0].count
        var magnitude = [Float](repeating: 0, count: count)
        for band in before.indices {
            let b = before[band], a = after[band]
            precondition(b.count == count && a.count == count, "band \(band) has \(b.count) and \(a.count) pixels, expected \(count)")
            let (mb, sb) = meanAndDeviation(b), (ma, sa) = meanAndDeviation(a)
            let gain = sa > 0 ? sb / sa : 1
            for i in 0..<count {
                let d = Float((Double(a[i]) - ma) * gain + mb) - b[i]
                magnitude[i] += d * d
            }
        }
        for i in 0..<count { magnitude[i] = magnitude[i].squareRoot() }
        let low = magnitude.min() ?? 0, high = magnitude.max() ?? 0
        guard high > low else { return [UInt8](repeating: 0, count: count) }
        let bins = 256
        let scale = Float(bins) / (high - low)
        let bin = { (m: Float) in min(bins - 1, Int((m - low) * scale)) }
        var histogram = [UInt32](repeating: 0, count: bins)
        for m in magnitude { histogram[bin(m)] += 1 }
        guard let threshold = Thresholds.otsu(histogram: histogram, maxValue: Double(high - low)) else {
            return [UInt8](repeating: 0, count: count)
        }
        return magnitude.map { bin($0) > threshold.bin ? 255 : 0 }
    }

    static func meanAndDeviation(_ v: [Float]) -> (Double, Double) {
        guard !v.isEmpty else { return (0, 0) }
        let mean = v.reduce(0.0) { $0 + Double($1) } / Double(v.count)
        let variance = v.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(v.count)
        return (mean, variance.squareRoot())
    }
}

extension PlainChangeVector {
    /// The baseline on two rasters of the same size and bands.
    public static func mask(before: Raster, after: Raster) -> [UInt8] {
        precondition(before.width == after.width && before.height == after.height && before.bandCount == after.bandCount,
                     "baseline of a \(before.width) x \(before.height) x \(before.bandCount) and a \(after.width) x \(after.height) x \(after.bandCount) raster")
        return mask(before: before.floatBands(), after: after.floatBands())
    }
}

extension Raster {
    /// Every band as Float samples, row-major.
    func floatBands() -> [[Float]] {
        (0..<bandCount).map { band in
            var plane = [Float](repeating: 0, count: width * height)
            for y in 0..<height { for x in 0..<width { plane[y * width + x] = Float(value(x: x, y: y, band: band)) } }
            return plane
        }
    }
}

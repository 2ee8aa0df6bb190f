import GeoRaster
import RasterKernels

/// Agreement of a change mask with a reference mask of the same size: pixel counts and the usual
/// figures, and object-level hits. Masks are bytes, 0 = unchanged, anything else = changed.
public struct ChangeScores: Sendable, Hashable, Codable {
    public var truePositives = 0
    public var falsePositives = 0
    public var falseNegatives = 0
    public var trueNegatives = 0
    /// Reference regions of at least `minimumObjectPixels` with at least one changed pixel on them.
    public var referenceObjects = 0
    public var referenceObjectsHit = 0
    /// Predicted regions of at least `minimumObjectPixels` with at least one reference pixel under them.
    public var predictedObjects = 0
    public var predictedObjectsOnReference = 0

    /// Regions smaller than this are not objects (the public building-change benchmarks' 20 px).
    public static let minimumObjectPixels = 20

    public init() {}

    public init(predicted: [UInt8], reference: [UInt8], width: Int, height: Int) {
        precondition(predicted.count == width * height && reference.count == width * height,
                     "scoring masks of \(predicted.count) and \(reference.count) pixels as \(width) x \(height)")
        for i in predicted.indices {
            switch (predicted[i] != 0, reference[i] != 0) {
            case (true, true): truePositives += 1
            case (true, false): falsePositives += 1
            case (false, true): falseNegatives += 1
            case (false, false): trueNegatives += 1
            }
        }
        (referenceObjects, referenceObjectsHit) = Self.objects(of: reference, touching: predicted, width: width, height: height)
        (predictedObjects, predictedObjectsOnReference) = Self.objects(of: predicted, touching: reference, width: width, height: height)
    }

    /// A label image as a reference mask: its first band, any non-zero value change (the public
    /// change datasets' 0/255, or damage classes).
    public static func referenceMask(_ label: Raster) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: label.width * label.height)
        for y in 0..<label.height { for x in 0..<label.width where label.value(x: x, y: y, band: 0) != 0 { mask[y * label.width + x] = 255 } }
        return mask
    }

    /// Sums of counts: scores over many pairs weigh every pixel and object alike.
    public static func + (a: ChangeScores, b: ChangeScores) -> ChangeScores {
        var s = a
        s.truePositives += b.truePositives; s.falsePositives += b.falsePositives
        s.falseNegatives += b.falseNegatives; s.trueNegatives += b.trueNegatives
        s.referenceObjects += b.referenceObjects; s.referenceObjectsHit += b.referenceObjectsHit
        s.predictedObjects += b.predictedObjects; s.predictedObjectsOnReference += b.predictedObjectsOnReference
        return s
    }

    public var pixels: Int { truePositives + falsePositives + falseNegatives + trueNegatives }
    /// Share of the pixels flagged as changed.
    public var flaggedFraction: Double { ratio(truePositives + falsePositives, pixels) }
    /// Precision of change: 1 when nothing was flagged (no false claim was made).
    public var precision: Double { truePositives + falsePositives == 0 ? 1 : ratio(truePositives, truePositives + falsePositives) }
    /// Recall of change: 1 when there was nothing to find.
    public var recall: Double { truePositives + falseNegatives == 0 ? 1 : ratio(truePositives, truePositives + falseNegatives) }
    /// F1 = 2TP / (2TP + FP + FN); 1 when both masks are empty.
    public var f1: Double {
        let d = 2 * truePositives + falsePositives + falseNegatives
        return d == 0 ? 1 : ratio(2 * truePositives, d)
    }
    /// Intersection over union of the changed pixels; 1 when both masks are empty.
    public var iou: Double {
        let d = truePositives + falsePositives + falseNegatives
        return d == 0 ? 1 : ratio(truePositives, d)
    }
    public var overallAccuracy: Double { ratio(truePositives + trueNegatives, pixels) }
    /// Cohen's kappa: agreement beyond what the two masks' change rates give by chance.
    public var kappa: Double {
        let n = Double(pixels)
        guard n > 0 else { return 0 }
        let observed = overallAccuracy
        let flagged = Double(truePositives + falsePositives) / n, actual = Double(truePositives + falseNegatives) / n
        let chance = flagged * actual + (1 - flagged) * (1 - actual)
        return chance >= 1 ? (observed >= 1 ? 1 : 0) : (observed - chance) / (1 - chance)
    }
    public var objectRecall: Double { referenceObjects == 0 ? 1 : ratio(referenceObjectsHit, referenceObjects) }
    public var objectPrecision: Double { predictedObjects == 0 ? 1 : ratio(predictedObjectsOnReference, predictedObjects) }

    private func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }

    /// 8-connected regions of `mask` of at least `minimumObjectPixels`, and how many of them have a
    /// set pixel of `other` inside.
    static func objects(of mask: [UInt8], touching other: [UInt8], width: Int, height: Int) -> (count: Int, touching: Int) {
        var labels = [Int32](repeating: 0, count: mask.count)
        let components = mask.withUnsafeBufferPointer { m in
            labels.withUnsafeMutableBufferPointer { l in
                ConnectedComponents.label(mask: m, width: width, height: height, connectivity: .eight, labels: l)
            }
        }
        var touched = [Bool](repeating: false, count: components.count)
        for i in labels.indices where labels[i] > 0 && other[i] != 0 { touched[Int(labels[i]) - 1] = true }
        var count = 0, touching = 0
        for (index, c) in components.enumerated() where c.area >= minimumObjectPixels {
            count += 1
            if touched[index] { touching += 1 }
        }
        return (count, touching)
    }
}

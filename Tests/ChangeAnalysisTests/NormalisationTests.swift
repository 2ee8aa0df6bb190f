@testable import ChangeAnalysis
import SceneSynth
import XCTest

/// IR-MAD, its orthogonal fit and the small linear algebra under it, on samples with known answers.
final class NormalisationTests: XCTestCase {
    /// The 5 % points of chi-square with 1-5 degrees of freedom (tables: Abramowitz & Stegun 26.8).
    func testChiSquareSurvivalMatchesTables() {
        for (x, k) in [(3.841_459, 1), (5.991_465, 2), (7.814_728, 3), (9.487_729, 4), (11.070_498, 5)] {
            XCTAssertEqual(ChiSquare.survival(x, degrees: k), 0.05, accuracy: 1e-6, "chi-square(\(k)) at \(x)")
            XCTAssertEqual(ChiSquare.quantile(survival: 0.05, degrees: k), x, accuracy: 1e-4)
        }
        // The 0.1 % point of chi-square(3) and the survival's ends.
        XCTAssertEqual(ChiSquare.survival(16.266_236, degrees: 3), 0.001, accuracy: 1e-7)
        XCTAssertEqual(ChiSquare.survival(0, degrees: 3), 1)
        XCTAssertEqual(ChiSquare.survival(.infinity, degrees: 2), 0)
    }

    func testSymmetricEigenAndCholesky() {
        // The second-difference matrix: eigenvalues 2 - √2, 2, 2 + √2.
        let a: [Double] = [2, -1, 0, -1, 2, -1, 0, -1, 2]
        let (values, vectors) = DenseLinearAlgebra.symmetricEigen(a, n: 3)
        XCTAssertEqual(values[0], 2 - 2.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(values[1], 2, accuracy: 1e-12)
        XCTAssertEqual(values[2], 2 + 2.0.squareRoot(), accuracy: 1e-12)
        for k in 0..<3 {  // A v = λ v
            let v = (0..<3).map { vectors[$0 * 3 + k] }
            for i in 0..<3 {
                let av = (0..<3).reduce(0.0) { $0 + a[i * 3 + $1] * v[$1] }
                XCTAssertEqual(av, values[k] * v[i], accuracy: 1e-12)
            }
        }
        let l = DenseLinearAlgebra.cholesky(a, n: 3)!
        let rebuilt = DenseLinearAlgebra.multiply(l, DenseLinearAlgebra.transpose(l, n: 3), n: 3)
        for i in 0..<9 { XCTAssertEqual(rebuilt[i], a[i], accuracy: 1e-12) }
        XCTAssertNil(DenseLinearAlgebra.cholesky([1, 1, 1, 1], n: 2), "a singular matrix has no Cholesky factor")
    }

    /// Two dates of the same ground whose noise is as large as the signal (correlation about 0.5):
    /// an ordinary regression would shrink the gain by half; the orthogonal fit recovers it, and a
    /// fifth of the pixels changed does not move it.
    func testIRMADRecoversGainsWhereTheDatesCorrelateWeakly() {
        var rng = SeededRandom(seed: 7)
        let n = 20_000, gains = [1.25, 0.8, 2.0], offsets = [10.0, -5.0, 30.0]
        var before = [[Float]](repeating: [], count: 3), after = before
        for i in 0..<n {
            let ground = rng.normal() * 20 + 100
            let changed = i % 5 == 0
            for b in 0..<3 {
                let shade = ground + rng.normal() * 5 * Double(b)   // bands share most of the ground
                before[b].append(Float(shade + rng.normal() * 14))
                let seen = changed ? rng.uniform(0, 250) : shade + rng.normal() * 14
                after[b].append(Float((seen - offsets[b]) / gains[b]))
            }
        }
        let fit = Normalisation.fit(before: before, after: after)
        XCTAssertEqual(fit.method, .irmad, fit.fallbackReason ?? "")
        let unchanged = (0..<n).map { $0 % 5 != 0 }
        for b in 0..<3 {
            XCTAssertEqual(fit.gains[b], gains[b], accuracy: 0.05 * gains[b], "band \(b)")
            // What the test is about: the unchanged pixels correlate weakly, so that an ordinary
            // regression of before on after would shrink the gain by a fifth or more.
            let x = before[b].map(Double.init), y = after[b].map(Double.init)
            let r = Normalisation.correlation(x, y, where: unchanged)
            XCTAssertLessThan(r, 0.8, "band \(b)")
        }
        XCTAssertGreaterThan(fit.invariantFraction, 0.01)
        XCTAssertEqual(fit.canonicalCorrelations.count, 3)
    }

    func testFallbackWhenTooFewSamples() {
        let fit = Normalisation.fit(before: [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]], after: [[2, 4, 6, 8, 10, 12, 14, 16, 18, 20]])
        XCTAssertEqual(fit.method, .robustMatch)
        XCTAssertNotNil(fit.fallbackReason)
        XCTAssertEqual(fit.gains[0], 0.5, accuracy: 1e-9)
    }

    func testOrthogonalFitIsScaleFree() {
        // before = 3 x after + 7 exactly, after in 11-bit-like units: the fit returns the line.
        let after = (0..<100).map { Double($0) * 17 }, before = after.map { 3 * $0 / 8 + 7 }
        let line = Normalisation.orthogonalFit(before: before, after: after, where: [Bool](repeating: true, count: 100))!
        XCTAssertEqual(line.gain, 3.0 / 8, accuracy: 1e-9)
        XCTAssertEqual(line.offset, 7, accuracy: 1e-6)
        XCTAssertNil(Normalisation.orthogonalFit(before: before.reversed(), after: after, where: [Bool](repeating: true, count: 100)),
                     "anticorrelated dates have no positive gain")
    }
}

/// Normal draws for test samples from the scenes' own generator.
extension SeededRandom {
    /// Box-Muller.
    mutating func normal() -> Double {
        let u = max(uniform(0, 1), 1e-300), v = uniform(0, 1)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

/// The threshold's no-change tail.
final class ChangeThresholdTests: XCTestCase {
    func testNormalQuantile() {
        XCTAssertEqual(StandardNormal.quantile(0.5), 0, accuracy: 1e-9)
        XCTAssertEqual(StandardNormal.quantile(0.999), 3.090_232_306, accuracy: 1e-6)
        XCTAssertEqual(StandardNormal.quantile(0.025), -1.959_963_985, accuracy: 1e-6)
    }

    /// Unchanged ground alone (a half-normal magnitude): the tail lies beyond Otsu's split of the
    /// noise and flags about 1 % (the tail is Gaussian, the magnitude skewed); Otsu alone flags a
    /// third. With a distinct mode of change far out, Otsu's split is above the tail and stands.
    func testTheTailHoldsOtsuAboveTheNoise() {
        var rng = SeededRandom(seed: 11)
        var noise = [UInt32](repeating: 0, count: 256)
        for _ in 0..<100_000 { noise[min(255, Int(abs(rng.normal()) * 20))] += 1 }
        var parameters = ChangeParameters()
        parameters.noChangeTailProbability = 0.001
        let quiet = ChangeThreshold.choose(histogram: noise, maxValue: 256, parameters: parameters)
        XCTAssertTrue(quiet.method.hasPrefix("no_change_tail"), quiet.method)
        let flagged = noise.enumerated().filter { Double($0.offset) >= quiet.value }.reduce(0) { $0 + Int($1.element) }
        XCTAssertLessThan(Double(flagged) / 100_000, 0.02)
        var changed = noise
        for _ in 0..<20_000 { changed[min(255, 200 + Int(abs(rng.normal()) * 10))] += 1 }
        let found = ChangeThreshold.choose(histogram: changed, maxValue: 256, parameters: parameters)
        XCTAssertEqual(found.method, "otsu")
        XCTAssertTrue((80...200).contains(found.value), "\(found.value)")
    }
}

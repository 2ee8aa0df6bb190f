/// Small dense linear algebra for IR-MAD's canonical correlations: a few symmetric matrices of at
/// most a dozen bands, once per iteration. A short routine of our own rather than LAPACK through the
/// C shim: ChangeAnalysis stays free of C, and 4 x 4 matrices need no blocked algorithms.
/// Matrices are row-major `[Double]` of n * n.
enum DenseLinearAlgebra {
    /// The lower-triangular L with L Lᵀ = a, or nil when `a` is not positive definite (a band
    /// constant over the samples, or two bands that are the same).
    static func cholesky(_ a: [Double], n: Int) -> [Double]? {
        precondition(a.count == n * n, "cholesky of \(a.count) values as \(n) x \(n)")
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i * n + j]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    // Relative to the diagonal: a pivot this small is a rank deficiency, not data.
                    guard sum > 1e-12 * max(1, abs(a[i * n + i])) else { return nil }
                    l[i * n + i] = sum.squareRoot()
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        return l
    }

    /// Solves L x = b for lower-triangular L (forward substitution).
    static func solveLower(_ l: [Double], _ b: [Double], n: Int) -> [Double] {
        var x = b
        for i in 0..<n {
            for k in 0..<i { x[i] -= l[i * n + k] * x[k] }
            x[i] /= l[i * n + i]
        }
        return x
    }

    /// Solves Lᵀ x = b for lower-triangular L (back substitution).
    static func solveLowerTransposed(_ l: [Double], _ b: [Double], n: Int) -> [Double] {
        var x = b
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<n { x[i] -= l[k * n + i] * x[k] }
            x[i] /= l[i * n + i]
        }
        return x
    }

    static func multiply(_ a: [Double], _ b: [Double], n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for k in 0..<n { let aik = a[i * n + k]; for j in 0..<n { c[i * n + j] += aik * b[k * n + j] } } }
        return c
    }

    static func transpose(_ a: [Double], n: Int) -> [Double] {
        var t = a
        for i in 0..<n { for j in 0..<n { t[j * n + i] = a[i * n + j] } }
        return t
    }

    /// Eigenvalues and eigenvectors of a symmetric matrix by cyclic Jacobi rotations (exact to
    /// rounding for the small matrices here). `vectors` holds eigenvector k in column k; the pairs
    /// are sorted by ascending eigenvalue.
    static func symmetricEigen(_ a: [Double], n: Int) -> (values: [Double], vectors: [Double]) {
        var m = a
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n { for j in (i + 1)..<n { off += m[i * n + j] * m[i * n + j] } }
            if off < 1e-30 { break }
            for p in 0..<n {
                for q in (p + 1)..<n {
                    let apq = m[p * n + q]
                    guard abs(apq) > 1e-300 else { continue }
                    let theta = (m[q * n + q] - m[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let mkp = m[k * n + p], mkq = m[k * n + q]
                        m[k * n + p] = c * mkp - s * mkq
                        m[k * n + q] = s * mkp + c * mkq
                    }
                    for k in 0..<n {
                        let mpk = m[p * n + k], mqk = m[q * n + k]
                        m[p * n + k] = c * mpk - s * mqk
                        m[q * n + k] = s * mpk + c * mqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0..<n).sorted { m[$0 * n + $0] < m[$1 * n + $1] }
        var vectors = [Double](repeating: 0, count: n * n)
        for (column, k) in order.enumerated() { for i in 0..<n { vectors[i * n + column] = v[i * n + k] } }
        return (order.map { m[$0 * n + $0] }, vectors)
    }
}

/// Dense symmetric positive-definite solves for the small normal equations of a fit (n <= 8).
///
/// Matrices are row-major with a row stride of 8; only the leading n x n block is read. Cholesky
/// factorisation `M = L L^T` into stack memory, then forward and back substitution. O(n^3), no heap allocation.
enum SymmetricSolver {
    /// Solves `M x = b`; nil when `M` is not positive definite (a pivot at or below 1e-300, or not finite).
    static func solve(_ m: UnsafePointer<Double>, _ b: ParameterVector, n: Int) -> ParameterVector? {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 64) { l in
            guard factor(m, n: n, into: l.baseAddress!) else { return nil }
            return substitute(l.baseAddress!, b, n: n)
        }
    }

    /// The upper triangle of `M^-1`, packed as ``ParameterCovariance`` packs it (n <= 5); nil when `M` is not
    /// positive definite.
    ///
    ///     M^-1 = L^-T L^-1,  so  (M^-1)_jk = sum_i (L^-1)_ij (L^-1)_ik
    static func inverseUpper(_ m: UnsafePointer<Double>, n: Int) -> SIMD16<Double>? {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 128) { buffer in
            let l = buffer.baseAddress!
            let inverse = l + 64
            guard factor(m, n: n, into: l) else { return nil }
            // Invert the lower-triangular factor column by column (forward substitution).
            for j in 0..<n {
                inverse[j * 8 + j] = 1 / l[j * 9]
                for i in (j + 1)..<max(j + 1, n) {
                    var sum = 0.0
                    for k in j..<i { sum -= l[i * 8 + k] * inverse[k * 8 + j] }
                    inverse[i * 8 + j] = sum / l[i * 9]
                }
            }
            var upper = SIMD16<Double>.zero
            for j in 0..<n {
                for k in j..<n {
                    var sum = 0.0
                    for i in k..<n { sum += inverse[i * 8 + j] * inverse[i * 8 + k] }
                    upper[ParameterCovariance.index(j, k)] = sum
                }
            }
            return upper
        }
    }

    /// Convenience for tests and small callers: `M` given as rows.
    static func solve(_ rows: [ParameterVector], _ b: ParameterVector, n: Int) -> ParameterVector? {
        withMatrix(rows, n: n) { solve($0, b, n: n) }
    }

    /// Convenience: the full inverse of `M` given as rows.
    static func inverse(_ rows: [ParameterVector], n: Int) -> [ParameterVector]? {
        withMatrix(rows, n: n) { m in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 64) { l -> [ParameterVector]? in
                guard factor(m, n: n, into: l.baseAddress!) else { return nil }
                var inverse = [ParameterVector](repeating: .zero, count: n)
                for j in 0..<n {
                    var e = ParameterVector.zero
                    e[j] = 1
                    let column = substitute(l.baseAddress!, e, n: n)
                    for i in 0..<n { inverse[i][j] = column[i] }
                }
                return inverse
            }
        }
    }

    static func withMatrix<R>(_ rows: [ParameterVector], n: Int, _ body: (UnsafePointer<Double>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 64) { m in
            for i in 0..<8 { for j in 0..<8 { m[i * 8 + j] = i < n && j < n ? rows[i][j] : 0 } }
            return body(UnsafePointer(m.baseAddress!))
        }
    }

    @inline(__always)
    static func factor(_ m: UnsafePointer<Double>, n: Int, into l: UnsafeMutablePointer<Double>) -> Bool {
        for i in 0..<n {
            for j in 0...i {
                var sum = m[i * 8 + j]
                for k in 0..<j { sum -= l[i * 8 + k] * l[j * 8 + k] }
                if i == j {
                    guard sum > 1e-300, sum.isFinite else { return false }
                    l[i * 8 + i] = sum.squareRoot()
                } else {
                    l[i * 8 + j] = sum / l[j * 8 + j]
                }
            }
        }
        return true
    }

    @inline(__always)
    static func substitute(_ l: UnsafePointer<Double>, _ b: ParameterVector, n: Int) -> ParameterVector {
        var y = ParameterVector.zero
        for i in 0..<n {
            var sum = b[i]
            for k in 0..<i { sum -= l[i * 8 + k] * y[k] }
            y[i] = sum / l[i * 8 + i]
        }
        var x = ParameterVector.zero
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = y[i]
            for k in (i + 1)..<n { sum -= l[k * 8 + i] * x[k] }
            x[i] = sum / l[i * 8 + i]
        }
        return x
    }
}

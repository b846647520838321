/// Dense symmetric positive-definite solves for the small normal equations of a fit (n <= 8).
///
/// The matrix is stored as up to eight rows of `SIMD8<Double>`; only the first `n` lanes of the first `n`
/// rows are read. Cholesky factorisation `M = L L^T`, then forward and back substitution.
/// Complexity O(n^3), with n the parameter count.
public enum SymmetricSolver {
    /// Solves `M x = b` in place of a copy; returns nil when `M` is not positive definite
    /// (a pivot at or below `1e-300` or not finite).
    public static func solve(_ m: [ParameterVector], _ b: ParameterVector, n: Int) -> ParameterVector? {
        var l = [ParameterVector](repeating: .zero, count: n)
        guard factor(m, n: n, into: &l) else { return nil }
        return substitute(l, b, n: n)
    }

    /// Inverse of `M` (rows), or nil when `M` is not positive definite.
    public static func inverse(_ m: [ParameterVector], n: Int) -> [ParameterVector]? {
        var l = [ParameterVector](repeating: .zero, count: n)
        guard factor(m, n: n, into: &l) else { return nil }
        var inv = [ParameterVector](repeating: .zero, count: n)
        for j in 0..<n {
            var e = ParameterVector.zero
            e[j] = 1
            let column = substitute(l, e, n: n)
            for i in 0..<n { inv[i][j] = column[i] }
        }
        return inv
    }

    /// Cholesky factor `L` (lower triangular rows) of `M`; false if a pivot is not positive.
    static func factor(_ m: [ParameterVector], n: Int, into l: inout [ParameterVector]) -> Bool {
        for i in 0..<n {
            for j in 0...i {
                var sum = m[i][j]
                for k in 0..<j { sum -= l[i][k] * l[j][k] }
                if i == j {
                    guard sum > 1e-300, sum.isFinite else { return false }
                    l[i][i] = sum.squareRoot()
                } else {
                    l[i][j] = sum / l[j][j]
                }
            }
        }
        return true
    }

    static func substitute(_ l: [ParameterVector], _ b: ParameterVector, n: Int) -> ParameterVector {
        var y = ParameterVector.zero
        for i in 0..<n {
            var sum = b[i]
            for k in 0..<i { sum -= l[i][k] * y[k] }
            y[i] = sum / l[i][i]
        }
        var x = ParameterVector.zero
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = y[i]
            for k in (i + 1)..<n { sum -= l[k][i] * x[k] }
            x[i] = sum / l[i][i]
        }
        return x
    }
}

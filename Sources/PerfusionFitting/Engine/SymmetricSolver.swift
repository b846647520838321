/// Dense symmetric positive-definite solves for the small normal equations of a fit (n <= 8).
///
/// Matrices are row-major with a row stride of 8; only the leading n x n block is read. The factorisation is
/// `M = L D L^T` (L unit lower triangular, D diagonal) into stack memory, then forward and back substitution.
/// Against Cholesky (`M = C C^T`, `C = L D^1/2`) it needs no square roots and n divisions instead of n(n + 1)
/// (the pivots' reciprocals, everything else multiplies): the solve of a fit's 5 x 5 normal equations was a chain
/// of 15 divisions and 5 square roots. The positive-definite test is the same: each pivot `D_i` is the square
/// of Cholesky's `C_ii`. O(n^3), no heap allocation. Inlined so that a model's fixed `n` unrolls the loops.
enum SymmetricSolver {
    /// Scratch doubles ``solve(_:_:n:scratch:)`` and ``inverseUpper(_:n:scratch:)`` need.
    static let scratchCount = 152

    /// Solves `M x = b`; nil when `M` is not positive definite (a pivot at or below 1e-300, or not finite).
    static func solve(_ m: UnsafePointer<Double>, _ b: ParameterVector, n: Int) -> ParameterVector? {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: scratchCount) {
            solve(m, b, n: n, scratch: $0.baseAddress!)
        }
    }

    /// `solve(_:_:n:)` in caller-provided memory of ``scratchCount`` doubles (a fit's workspace), so that it
    /// inlines into a model's specialised fit.
    @inline(__always)
    static func solve(
        _ m: UnsafePointer<Double>, _ b: ParameterVector, n: Int, scratch l: UnsafeMutablePointer<Double>
    ) -> ParameterVector? {
        guard factor(m, n: n, into: l, reciprocals: l + 64) else { return nil }
        return substitute(l, l + 64, b, n: n)
    }

    /// The upper triangle of `M^-1`, packed as ``ParameterCovariance`` packs it (n <= 5); nil when `M` is not
    /// positive definite.
    ///
    ///     M^-1 = L^-T D^-1 L^-1,  so  (M^-1)_jk = sum_i U_ij U_ik / D_i,  U = L^-1
    static func inverseUpper(_ m: UnsafePointer<Double>, n: Int) -> SIMD16<Double>? {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: scratchCount) {
            inverseUpper(m, n: n, scratch: $0.baseAddress!)
        }
    }

    /// `inverseUpper(_:n:)` in caller-provided memory of ``scratchCount`` doubles.
    @inline(__always)
    static func inverseUpper(_ m: UnsafePointer<Double>, n: Int, scratch l: UnsafeMutablePointer<Double>)
        -> SIMD16<Double>?
    {
        let reciprocals = l + 64
        let u = l + 72
        let packed = l + 136
        guard factor(m, n: n, into: l, reciprocals: reciprocals) else { return nil }
        // U = L^-1, unit lower triangular, column by column (forward substitution).
        for j in 0..<n {
            u[j * 8 + j] = 1
            for i in (j + 1)..<max(j + 1, n) {
                var sum = -l[i * 8 + j]
                for k in (j + 1)..<max(j + 1, i) { sum -= l[i * 8 + k] * u[k * 8 + j] }
                u[i * 8 + j] = sum
            }
        }
        // Written to memory and loaded once: a vector lane set at a run-time index goes through the stack.
        for lane in 0..<16 { packed[lane] = 0 }
        for j in 0..<n {
            for k in j..<n {
                var sum = 0.0
                for i in k..<n { sum += u[i * 8 + j] * u[i * 8 + k] * reciprocals[i] }
                packed[ParameterCovariance.index(j, k)] = sum
            }
        }
        return UnsafeRawPointer(packed).loadUnaligned(as: SIMD16<Double>.self)
    }

    /// Convenience for tests and small callers: `M` given as rows.
    static func solve(_ rows: [ParameterVector], _ b: ParameterVector, n: Int) -> ParameterVector? {
        withMatrix(rows, n: n) { solve($0, b, n: n) }
    }

    /// Convenience: the full inverse of `M` given as rows.
    static func inverse(_ rows: [ParameterVector], n: Int) -> [ParameterVector]? {
        withMatrix(rows, n: n) { m in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 72) { buffer -> [ParameterVector]? in
                let l = buffer.baseAddress!
                guard factor(m, n: n, into: l, reciprocals: l + 64) else { return nil }
                var inverse = [ParameterVector](repeating: .zero, count: n)
                for j in 0..<n {
                    var e = ParameterVector.zero
                    e[j] = 1
                    let column = substitute(l, l + 64, e, n: n)
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

    /// `M = L D L^T`: the strict lower triangle of `l` gets L, `reciprocals` gets `1 / D_i`; the strict upper
    /// triangle of `l` holds `L_ij D_j` (at `[j][i]`) while row i is computed. False when a pivot is at or below
    /// 1e-300 or not finite.
    @inline(__always)
    static func factor(
        _ m: UnsafePointer<Double>, n: Int, into l: UnsafeMutablePointer<Double>,
        reciprocals: UnsafeMutablePointer<Double>
    ) -> Bool {
        for i in 0..<n {
            var pivot = m[i * 9]
            for j in 0..<i {
                // a = L_ij D_j = M_ij - sum_k<j (L_ik D_k) L_jk
                var a = m[i * 8 + j]
                for k in 0..<j { a -= l[k * 8 + i] * l[j * 8 + k] }
                l[j * 8 + i] = a
                let lij = a * reciprocals[j]
                l[i * 8 + j] = lij
                pivot -= a * lij
            }
            guard pivot > 1e-300, pivot.isFinite else { return false }
            reciprocals[i] = 1 / pivot
        }
        return true
    }

    /// `x = L^-T D^-1 L^-1 b`.
    @inline(__always)
    static func substitute(
        _ l: UnsafePointer<Double>, _ reciprocals: UnsafePointer<Double>, _ b: ParameterVector, n: Int
    ) -> ParameterVector {
        var y = ParameterVector.zero
        for i in 0..<n {
            var sum = b[i]
            for k in 0..<i { sum -= l[i * 8 + k] * y[k] }
            y[i] = sum
        }
        var x = ParameterVector.zero
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = y[i] * reciprocals[i]
            for k in (i + 1)..<max(i + 1, n) { sum -= l[k * 8 + i] * x[k] }
            x[i] = sum
        }
        return x
    }
}

import CFloatMode

/// Bounded Levenberg–Marquardt least squares for time-intensity curves.
///
/// Minimises the cost
///
///     C(p) = sum_i w_i^2 (y_i - f(t_i; p))^2
///
/// over the box of the model's bounds, with the curve's residual weights `w_i` (1 when it has none; see
/// ``CurveSamples/weights``). Each iteration runs one fused pass over the samples that evaluates the model and its
/// gradient and accumulates `J^T J`, `J^T r` and the cost together, `J` and `r` weighted (the Jacobian is never
/// stored), then solves the damped normal equations
///
///     (J^T J + lambda D) delta = J^T r
///
/// by Cholesky in `Double`, with `D` the running maximum of `diag(J^T J)` (Moré's scaling, invariant to
/// parameter units) and `lambda` updated by Nielsen's rule from the gain ratio of actual to predicted
/// decrease. Steps are projected onto the bounds. Standard errors come from `s^2 (J^T J)^-1`,
/// `s^2 = C / (n - m)`.
///
/// Two fused passes share this loop: ``Precision/vector`` evaluates sixteen samples at a time in `Float` SIMD
/// lanes (the fast path), ``Precision/scalar`` one sample at a time in `Double` (the reference twin).
///
/// References: K. Madsen, H. B. Nielsen, O. Tingleff, "Methods for non-linear least squares problems",
/// IMM DTU (2004), §3.2; J. J. Moré, "The Levenberg–Marquardt algorithm: implementation and theory",
/// Lecture Notes in Mathematics 630 (1978), doi:10.1007/BFb0067700.
public struct LevenbergMarquardt: Sendable {
    /// How the fused pass evaluates the model.
    public enum Precision: Sendable, Equatable {
        /// Eight samples per step in `Float` SIMD lanes; normal equations solved in `Double`.
        case vector
        /// One sample per step in `Double`: the reference twin of the vector path.
        case scalar
    }

    /// Stopping rules and limits.
    public struct Options: Sendable, Equatable {
        /// Float SIMD passes (`vector`) or Double scalar passes (`scalar`).
        public var precision: Precision
        /// Maximum number of iterations (fused passes).
        var maxIterations: Int
        /// Stop when the predicted relative cost decrease falls below this, and either the actual decrease does
        /// too or the step was nearly undamped (see the loop).
        var costTolerance: Double
        /// Stop when every parameter step is below this relative to the parameter.
        var stepTolerance: Double
        /// Stop when every scaled gradient component `|J^T r|_k / sqrt((J^T J)_kk C)` falls below this.
        var gradientTolerance: Double
        /// Initial damping relative to the diagonal of `J^T J`.
        var initialDamping = 1e-3

        init(
            precision: Precision, maxIterations: Int, costTolerance: Double, stepTolerance: Double,
            gradientTolerance: Double
        ) {
            self.precision = precision
            self.maxIterations = maxIterations
            self.costTolerance = costTolerance
            self.stepTolerance = stepTolerance
            self.gradientTolerance = gradientTolerance
        }

        /// The fast path: Float SIMD passes, tolerances at the resolution of Float sums.
        public static let fast = Options(
            precision: .vector, maxIterations: 60, costTolerance: 1e-9, stepTolerance: 1e-6, gradientTolerance: 1e-6)
        /// The reference: Double scalar passes, tight tolerances.
        public static let reference = Options(
            precision: .scalar, maxIterations: 200, costTolerance: 1e-12, stepTolerance: 1e-10,
            gradientTolerance: 1e-10)
    }

    var options: Options

    /// An engine with `options` (default: the fast Float SIMD path).
    public init(options: Options = .fast) {
        self.options = options
    }

    /// Fits `model` to `curve` from the model's data-driven initial guess and within its bounds.
    ///
    /// Curves with too few samples, non-finite values or no bolus are returned as rejected results.
    public func fit<Model: CurveModel>(
        _ model: Model, to curve: CurveSamples, workspace: FitWorkspace? = nil
    ) -> FitResult {
        let m = model.parameterCount
        if let rejection = Self.screen(curve, parameterCount: m) {
            return .rejected(rejection, sampleCount: curve.count, parameterCount: m)
        }
        switch model.initialGuess(for: curve) {
        case .failure(let why):
            return .rejected(why, sampleCount: curve.count, parameterCount: m)
        case .success(let start):
            let bounds = model.bounds(for: curve)
            var best = fit(model, to: curve, from: start, bounds: bounds, workspace: workspace)
            guard best.status != .converged else { return best }
            // Not converged, or converged on a bound: retry from other starts and keep the minimum with the lowest
            // cost (an interior one when the costs agree to the Float path's resolution, 1e-6), else the first result.
            var iterations = best.iterations
            for alternative in model.alternativeStarts(for: curve, from: start) {
                let next = fit(model, to: curve, from: alternative, bounds: bounds, workspace: workspace)
                iterations += next.iterations
                guard next.reachedMinimum else { continue }
                let tie = abs(next.cost - best.cost) <= 1e-6 * best.cost
                let better =
                    !best.reachedMinimum
                    || (tie ? best.status == .atBound && next.status == .converged : next.cost < best.cost)
                if better { best = next }
            }
            best.iterations = iterations
            return best
        }
    }

    /// Samples needed to fit `parameterCount` parameters.
    static func minimumSamples(parameterCount m: Int) -> Int { max(2 * m, m + 3) }

    /// Why a curve cannot be fitted at all, before any model looks at it.
    static func screen(_ curve: CurveSamples, parameterCount m: Int) -> CurveRejection? {
        let needed = minimumSamples(parameterCount: m)
        guard curve.count >= needed else { return .tooFewSamples(found: curve.count, needed: needed) }
        guard allFinite(curve.values), allFinite(curve.times) else {
            return .nonFiniteSamples
        }
        return nil
    }

    /// Whether every value is finite: `x - x` is 0 for a finite x and NaN for an infinite or NaN one, so the sum of
    /// those differences is 0 exactly when all are finite. Four independent sums of eight lanes each, so the adds
    /// do not wait on one another.
    static func allFinite(_ values: [Double]) -> Bool {
        values.withUnsafeBufferPointer { buffer in
            typealias Lanes = SIMD8<Double>
            let n = buffer.count
            guard let base = buffer.baseAddress else { return true }
            let raw = UnsafeRawPointer(base)
            @inline(__always) func load(_ i: Int) -> Lanes { raw.loadUnaligned(fromByteOffset: i * 8, as: Lanes.self) }
            var (s0, s1, s2, s3) = (Lanes.zero, Lanes.zero, Lanes.zero, Lanes.zero)
            var i = 0
            while i + 32 <= n {
                let (a, b, c, d) = (load(i), load(i + 8), load(i + 16), load(i + 24))
                s0 += a - a
                s1 += b - b
                s2 += c - c
                s3 += d - d
                i += 32
            }
            while i + 8 <= n {
                let a = load(i)
                s0 += a - a
                i += 8
            }
            let lanes = (s0 + s1) + (s2 + s3)
            let rest = lanes.lowHalf + lanes.highHalf
            var total = (rest[0] + rest[1]) + (rest[2] + rest[3])
            while i < n {
                total += base[i] - base[i]
                i += 1
            }
            return total == 0
        }
    }

    /// Fits `model` to `curve` from `start` within `bounds`.
    ///
    /// - Complexity: O(iterations * n * m^2) for n samples and m parameters; no allocation inside the loop
    ///   (and none at all when a workspace is passed).
    public func fit<Model: CurveModel>(
        _ model: Model, to curve: CurveSamples, from start: ParameterVector, bounds: ParameterBounds,
        workspace: FitWorkspace? = nil
    ) -> FitResult {
        let ws = workspace ?? FitWorkspace(capacity: curve.count)
        let m = model.parameterCount
        let n = curve.count
        let vector = options.precision == .vector
        // Float products far below any sample (a collapsing amplitude, a far tail) are flushed to zero instead of
        // going subnormal, which costs a microcode assist per operation on x86 (Sources/CFloatMode); restored on
        // return. The Double reference path keeps IEEE subnormals.
        let floatMode = vector ? echoflow_flush_subnormals() : 0
        defer { if vector { echoflow_restore_float_mode(floatMode) } }
        if vector { ws.pack(curve) }
        var mask = ParameterVector.zero
        for k in 0..<m { mask[k] = 1 }
        var p = bounds.clamp(start) * mask

        @inline(__always) func pass(_ point: ParameterVector, _ normal: UnsafeMutablePointer<Double>) -> (
            Double, ParameterVector
        ) {
            vector ? vectorPass(model, ws, point, normal) : scalarPass(model, curve, point, m, normal)
        }

        var normal = ws.normal
        var trialNormal = ws.trialNormal
        let damped = ws.damped
        var (cost, gradient) = pass(p, normal)
        guard cost.isFinite else {
            return FitResult(
                parameters: p, standardErrors: ParameterVector(repeating: .nan), cost: cost, iterations: 1,
                termination: .nonFiniteValues, sampleCount: n, parameterCount: m)
        }
        // Relative cost changes below this are rounding noise of the pass.
        let resolution = vector ? 1e-6 : 1e-14
        var scale = ParameterVector.zero
        var lambda = options.initialDamping
        var nu = 2.0
        var iterations = 1
        var termination = FitTermination.iterationLimit

        iterate: while iterations <= options.maxIterations {
            if cost == 0 || scaledGradientNorm(gradient, normal, cost, m) <= options.gradientTolerance {
                termination = .convergedOnGradient
                break
            }
            for k in 0..<m { scale[k] = max(scale[k], normal[k * 9], 1e-300) }
            for i in 0..<m {
                for j in 0..<m { damped[i * 8 + j] = normal[i * 8 + j] }
                damped[i * 9] += lambda * scale[i]
            }
            guard let delta = SymmetricSolver.solve(damped, gradient, n: m, scratch: ws.solverScratch) else {
                lambda *= nu
                nu *= 2
                if lambda > 1e30 {
                    termination = .singularNormalEquations
                    break iterate
                }
                continue
            }
            let trial = bounds.clamp(p + delta) * mask
            let step = trial - p
            var small = true
            for k in 0..<m where abs(step[k]) > options.stepTolerance * (abs(p[k]) + options.stepTolerance) {
                small = false
            }
            if small {
                termination = .convergedOnStep
                break
            }
            iterations += 1
            let (trialCost, trialGradient) = pass(trial, trialNormal)
            // Predicted decrease of the linearised model: 2 step.J^T r - step^T J^T J step.
            var quadratic = 0.0
            for i in 0..<m {
                var row = 0.0
                for j in 0..<m { row += normal[i * 8 + j] * step[j] }
                quadratic += step[i] * row
            }
            let predicted = 2 * (step * gradient).sum() - quadratic
            let actual = cost - trialCost
            // A nearly undamped (Gauss-Newton) step's predicted decrease estimates what is left to gain. It comes
            // from the normal equations, solved in Double; the actual decrease is a difference of two sums,
            // which Float passes resolve only to about 1e-7 of the cost.
            let nearlyUndamped = lambda <= 1e-2
            let belowResolution = predicted <= resolution * cost
            if trialCost.isFinite && predicted > 0 && (actual > 0 || (belowResolution && nearlyUndamped)) {
                let rho = actual / predicted
                p = trial
                swap(&normal, &trialNormal)
                gradient = trialGradient
                let previous = cost
                cost = trialCost
                let r = 2 * rho - 1
                lambda *= Swift.max(1.0 / 3.0, 1 - r * r * r)
                nu = 2
                if predicted <= options.costTolerance * previous
                    && (actual <= options.costTolerance * previous || nearlyUndamped)
                    || belowResolution && nearlyUndamped
                {
                    termination = .convergedOnCost
                    break
                }
            } else {
                lambda *= nu
                nu *= 2
                if lambda > 1e30 {
                    // No damped direction decreases the cost: a minimum to working precision.
                    termination = .convergedOnStep
                    break
                }
            }
        }
        if termination == .iterationLimit { iterations = min(iterations, options.maxIterations) }

        var errors = ParameterVector.zero
        for k in 0..<m { errors[k] = .nan }
        var covariance = ParameterCovariance.unknown
        if n > m, let upper = SymmetricSolver.inverseUpper(normal, n: m, scratch: ws.solverScratch) {
            let s2 = cost / Double(n - m)
            covariance.packed = s2 * upper
            for k in 0..<m {
                let variance = covariance[k, k]
                errors[k] = variance >= 0 ? variance.squareRoot() : .nan
            }
        }
        var result = FitResult(
            parameters: p, standardErrors: errors, cost: cost, iterations: iterations,
            termination: termination, sampleCount: n, parameterCount: m)
        result.covariance = covariance
        result.boundParameters = bounds.onBound(p, standardErrors: errors, count: m)
        return result
    }

    /// Scalar fused pass in Double: returns the cost and `J^T r`, fills `J^T J` (row stride 8).
    @inline(__always)
    private func scalarPass<Model: CurveModel>(
        _ model: Model, _ curve: CurveSamples, _ p: ParameterVector, _ m: Int, _ normal: UnsafeMutablePointer<Double>
    ) -> (Double, ParameterVector) {
        var rows = (
            ParameterVector.zero, ParameterVector.zero, ParameterVector.zero, ParameterVector.zero, ParameterVector.zero
        )
        var gradient = ParameterVector.zero
        var cost = 0.0
        let weights = curve.weights
        curve.times.withUnsafeBufferPointer { times in
            curve.values.withUnsafeBufferPointer { values in
                for i in 0..<times.count {
                    let (f, unweighted) = model.valueAndGradient(at: times[i], parameters: p)
                    var g = unweighted
                    var r = values[i] - f
                    if let weights {
                        r *= weights[i]
                        g *= weights[i]
                    }
                    cost += r * r
                    gradient += g * r
                    rows.0 += g * g[0]
                    rows.1 += g * g[1]
                    rows.2 += g * g[2]
                    rows.3 += g * g[3]
                    rows.4 += g * g[4]
                }
            }
        }
        for j in 0..<m {
            normal[j] = rows.0[j]
            normal[8 + j] = rows.1[j]
            normal[16 + j] = rows.2[j]
            normal[24 + j] = rows.3[j]
            normal[32 + j] = rows.4[j]
        }
        return (cost, gradient)
    }

    /// Vector fused pass: sixteen samples (``SampleLanes``) per step in Float lanes, the 15 entries of the symmetric 5 x 5
    /// `J^T J`, `J^T r` and the cost accumulated lane-wise and reduced to Double once at the end.
    @inline(__always)
    func vectorPass<Model: CurveModel>(
        _ model: Model, _ ws: FitWorkspace, _ p: ParameterVector, _ normal: UnsafeMutablePointer<Double>
    ) -> (Double, ParameterVector) {
        let pf = SIMD8<Float>(p)
        var c = SampleLanes.zero
        var g0 = SampleLanes.zero, g1 = SampleLanes.zero, g2 = SampleLanes.zero
        var g3 = SampleLanes.zero, g4 = SampleLanes.zero
        var h00 = SampleLanes.zero, h01 = SampleLanes.zero, h02 = SampleLanes.zero, h03 = SampleLanes.zero
        var h04 = SampleLanes.zero, h11 = SampleLanes.zero, h12 = SampleLanes.zero, h13 = SampleLanes.zero
        var h14 = SampleLanes.zero, h22 = SampleLanes.zero, h23 = SampleLanes.zero, h24 = SampleLanes.zero
        var h33 = SampleLanes.zero, h34 = SampleLanes.zero, h44 = SampleLanes.zero
        let times = ws.times
        let values = ws.values
        let weights = ws.weights
        // First the model, block by block, into the workspace (the weighted residual and derivatives); then the
        // sums. Two loops instead of one keep each within the vector registers: the model's temporaries and the
        // 21 running sums together do not fit, and spilling them cost more than the stores and loads.
        let jacobian = ws.jacobian
        let blocks = ws.blockCount
        for b in 0..<blocks {
            // Values are stored weighted (FitWorkspace.pack), so the residual is a difference of weighted terms.
            let block = model.weightedBlock(at: times[b], weight: weights[b], parameters: pf)
            let row = jacobian + 6 * b
            row[0] = values[b] - block.value
            row[1] = block.d0
            row[2] = block.d1
            row[3] = block.d2
            row[4] = block.d3
            row[5] = block.d4
        }
        for b in 0..<blocks {
            let row = jacobian + 6 * b
            let r = row[0], d0 = row[1], d1 = row[2], d2 = row[3], d3 = row[4], d4 = row[5]
            c = VectorMath.fma(r, r, c)
            g0 = VectorMath.fma(d0, r, g0)
            g1 = VectorMath.fma(d1, r, g1)
            g2 = VectorMath.fma(d2, r, g2)
            g3 = VectorMath.fma(d3, r, g3)
            g4 = VectorMath.fma(d4, r, g4)
            h00 = VectorMath.fma(d0, d0, h00)
            h01 = VectorMath.fma(d0, d1, h01)
            h02 = VectorMath.fma(d0, d2, h02)
            h03 = VectorMath.fma(d0, d3, h03)
            h04 = VectorMath.fma(d0, d4, h04)
            h11 = VectorMath.fma(d1, d1, h11)
            h12 = VectorMath.fma(d1, d2, h12)
            h13 = VectorMath.fma(d1, d3, h13)
            h14 = VectorMath.fma(d1, d4, h14)
            h22 = VectorMath.fma(d2, d2, h22)
            h23 = VectorMath.fma(d2, d3, h23)
            h24 = VectorMath.fma(d2, d4, h24)
            h33 = VectorMath.fma(d3, d3, h33)
            h34 = VectorMath.fma(d3, d4, h34)
            h44 = VectorMath.fma(d4, d4, h44)
        }
        // Pairwise by halves: the generic `sum()` of SIMD16 is an out-of-line call in this toolchain.
        @inline(__always) func sum(_ v: SampleLanes) -> Double {
            let v8 = v.lowHalf + v.highHalf
            let v4 = v8.lowHalf + v8.highHalf
            let v2 = v4.lowHalf + v4.highHalf
            return Double(v2.x + v2.y)
        }
        let entries = (
            sum(h00), sum(h01), sum(h02), sum(h03), sum(h04), sum(h11), sum(h12), sum(h13), sum(h14), sum(h22),
            sum(h23), sum(h24), sum(h33), sum(h34), sum(h44)
        )
        normal[0] = entries.0
        normal[1] = entries.1
        normal[2] = entries.2
        normal[3] = entries.3
        normal[4] = entries.4
        normal[9] = entries.5
        normal[10] = entries.6
        normal[11] = entries.7
        normal[12] = entries.8
        normal[18] = entries.9
        normal[19] = entries.10
        normal[20] = entries.11
        normal[27] = entries.12
        normal[28] = entries.13
        normal[36] = entries.14
        for i in 1..<5 { for j in 0..<i { normal[i * 8 + j] = normal[j * 8 + i] } }
        return (sum(c), ParameterVector(sum(g0), sum(g1), sum(g2), sum(g3), sum(g4), 0, 0, 0))
    }

    private func scaledGradientNorm(
        _ gradient: ParameterVector, _ normal: UnsafeMutablePointer<Double>, _ cost: Double, _ m: Int
    ) -> Double {
        var worst = 0.0
        for k in 0..<m {
            let d = normal[k * 9] * cost
            if d > 0 { worst = max(worst, abs(gradient[k]) / d.squareRoot()) }
        }
        return worst
    }
}

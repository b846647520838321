/// Bounded Levenberg–Marquardt least squares for time-intensity curves.
///
/// Minimises the cost
///
///     C(p) = sum_i (y_i - f(t_i; p))^2
///
/// over the box of the model's bounds. Each iteration runs one fused pass over the samples that evaluates
/// the model and its gradient and accumulates `J^T J`, `J^T r` and the cost together (the Jacobian is never
/// stored), then solves the damped normal equations
///
///     (J^T J + lambda D) delta = J^T r
///
/// by Cholesky, with `D` the running maximum of `diag(J^T J)` (Moré's scaling, invariant to parameter
/// units) and `lambda` updated by Nielsen's rule from the gain ratio of actual to predicted decrease.
/// Steps are projected onto the bounds. Standard errors come from `s^2 (J^T J)^-1`, `s^2 = C / (n - m)`.
///
/// References: K. Madsen, H. B. Nielsen, O. Tingleff, "Methods for non-linear least squares problems",
/// IMM DTU (2004), §3.2; J. J. Moré, "The Levenberg–Marquardt algorithm: implementation and theory",
/// Lecture Notes in Mathematics 630 (1978), doi:10.1007/BFb0067700.
public struct LevenbergMarquardt: Sendable {
    /// Stopping rules and limits.
    public struct Options: Sendable, Equatable {
        /// Maximum number of iterations (Jacobian passes).
        public var maxIterations = 200
        /// Stop when both the actual and predicted relative cost decrease fall below this.
        public var costTolerance = 1e-10
        /// Stop when every parameter step is below this relative to the parameter.
        public var stepTolerance = 1e-10
        /// Stop when every scaled gradient component `|J^T r|_k / sqrt((J^T J)_kk C)` falls below this.
        public var gradientTolerance = 1e-10
        /// Initial damping relative to the largest diagonal entry of `J^T J`.
        public var initialDamping = 1e-3

        public init() {}
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Fits `model` to `curve` from the model's data-driven initial guess and within its bounds.
    ///
    /// Curves with too few samples, non-finite values or no bolus are returned as rejected results.
    public func fit<Model: CurveModel>(_ model: Model, to curve: CurveSamples) -> FitResult {
        let m = model.parameterCount
        let needed = max(2 * m, m + 3)
        guard curve.count >= needed else {
            return .rejected(
                .tooFewSamples(found: curve.count, needed: needed), sampleCount: curve.count, parameterCount: m)
        }
        guard curve.values.allSatisfy(\.isFinite), curve.times.allSatisfy(\.isFinite) else {
            return .rejected(.nonFiniteSamples, sampleCount: curve.count, parameterCount: m)
        }
        switch model.initialGuess(for: curve) {
        case .failure(let why):
            return .rejected(why, sampleCount: curve.count, parameterCount: m)
        case .success(let start):
            return fit(model, to: curve, from: start, bounds: model.bounds(for: curve))
        }
    }

    /// Fits `model` to `curve` from `start` within `bounds`.
    ///
    /// - Complexity: O(iterations * n * m^2) for n samples and m parameters; no allocation inside the loop.
    public func fit<Model: CurveModel>(
        _ model: Model, to curve: CurveSamples, from start: ParameterVector, bounds: ParameterBounds
    ) -> FitResult {
        let m = model.parameterCount
        let n = curve.count
        var mask = ParameterVector.zero
        for k in 0..<m { mask[k] = 1 }
        var p = bounds.clamp(start) * mask

        // Workspaces, allocated once per fit.
        var normal = [ParameterVector](repeating: .zero, count: m)
        var trialNormal = [ParameterVector](repeating: .zero, count: m)
        var damped = [ParameterVector](repeating: .zero, count: m)
        var gradient = ParameterVector.zero
        var trialGradient = ParameterVector.zero

        var cost = pass(model, curve, p, m, &normal, &gradient)
        guard cost.isFinite else {
            return FitResult(
                parameters: p, standardErrors: ParameterVector(repeating: .nan), cost: cost, iterations: 1,
                termination: .nonFiniteValues, sampleCount: n, parameterCount: m)
        }
        var scale = ParameterVector.zero
        for k in 0..<m { scale[k] = max(normal[k][k], 1e-300) }
        var lambda = options.initialDamping
        var nu = 2.0
        var iterations = 1
        var termination = FitTermination.iterationLimit

        iterate: while iterations <= options.maxIterations {
            if cost == 0 || scaledGradientNorm(gradient, normal, cost, m) <= options.gradientTolerance {
                termination = .convergedOnGradient
                break
            }
            for k in 0..<m { scale[k] = max(scale[k], normal[k][k]) }
            for k in 0..<m {
                damped[k] = normal[k]
                damped[k][k] += lambda * scale[k]
            }
            guard let delta = SymmetricSolver.solve(damped, gradient, n: m) else {
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
            let trialCost = pass(model, curve, trial, m, &trialNormal, &trialGradient)
            // Predicted decrease of the linearised model: 2 step.J^T r - step^T J^T J step.
            var quadratic = 0.0
            for k in 0..<m { quadratic += step[k] * (normal[k] * step).sum() }
            let predicted = 2 * (step * gradient).sum() - quadratic
            let actual = cost - trialCost
            if trialCost.isFinite && predicted > 0 && actual > 0 {
                let rho = actual / predicted
                p = trial
                swap(&normal, &trialNormal)
                gradient = trialGradient
                let previous = cost
                cost = trialCost
                let r = 2 * rho - 1
                lambda *= Swift.max(1.0 / 3.0, 1 - r * r * r)
                nu = 2
                if actual <= options.costTolerance * previous && predicted <= options.costTolerance * previous {
                    termination = .convergedOnCost
                    break
                }
            } else {
                lambda *= nu
                nu *= 2
                if lambda > 1e30 {
                    // No decrease is possible along any damped direction: a minimum to working precision.
                    termination = .convergedOnStep
                    break
                }
            }
        }
        if termination == .iterationLimit { iterations = min(iterations, options.maxIterations) }

        var errors = ParameterVector(repeating: .nan)
        if n > m, let inverse = SymmetricSolver.inverse(normal, n: m) {
            let s2 = cost / Double(n - m)
            for k in 0..<m {
                let v = s2 * inverse[k][k]
                errors[k] = v >= 0 ? v.squareRoot() : .nan
            }
        }
        for k in m..<8 { errors[k] = 0 }
        return FitResult(
            parameters: p, standardErrors: errors, cost: cost, iterations: iterations,
            termination: termination, sampleCount: n, parameterCount: m)
    }

    /// One fused pass: returns the cost and fills `J^T J` (rows) and `J^T r` at `p`.
    @inline(__always)
    private func pass<Model: CurveModel>(
        _ model: Model, _ curve: CurveSamples, _ p: ParameterVector, _ m: Int,
        _ normal: inout [ParameterVector], _ gradient: inout ParameterVector
    ) -> Double {
        for k in 0..<m { normal[k] = .zero }
        gradient = .zero
        var cost = 0.0
        let times = curve.times
        let values = curve.values
        for i in 0..<times.count {
            let (f, g) = model.valueAndGradient(at: times[i], parameters: p)
            let r = values[i] - f
            cost += r * r
            gradient.addProduct(g, r)
            for k in 0..<m { normal[k].addProduct(g, g[k]) }
        }
        return cost
    }

    private func scaledGradientNorm(
        _ gradient: ParameterVector, _ normal: [ParameterVector], _ cost: Double, _ m: Int
    ) -> Double {
        var worst = 0.0
        for k in 0..<m {
            let d = normal[k][k] * cost
            if d > 0 { worst = max(worst, abs(gradient[k]) / d.squareRoot()) }
        }
        return worst
    }
}

extension SIMD8 where Scalar == Double {
    @inline(__always)
    fileprivate mutating func addProduct(_ a: SIMD8<Double>, _ b: Double) {
        self += a * b
    }
}

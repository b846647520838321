/// Which criterion stopped a fit.
public enum FitTermination: Sendable, Equatable, CustomStringConvertible {
    /// Relative decrease of the cost fell below the tolerance.
    case convergedOnCost
    /// The relative parameter step fell below the tolerance.
    case convergedOnStep
    /// The scaled gradient fell below the tolerance (includes an exact fit).
    case convergedOnGradient
    /// The iteration limit was reached before any convergence test passed.
    case iterationLimit
    /// The damped normal equations stayed singular even with very large damping.
    case singularNormalEquations
    /// The model or the cost became NaN or infinite at the starting point.
    case nonFiniteValues
    /// The curve was not fitted at all (see the rejection).
    case rejected(CurveRejection)

    /// The value in words, as written in outputs and messages.
    public var description: String {
        switch self {
        case .convergedOnCost: return "converged: relative cost change below tolerance"
        case .convergedOnStep: return "converged: relative step below tolerance"
        case .convergedOnGradient: return "converged: gradient below tolerance"
        case .iterationLimit: return "stopped at the iteration limit"
        case .singularNormalEquations: return "failed: singular normal equations"
        case .nonFiniteValues: return "failed: non-finite model values"
        case .rejected(let why): return "not fitted: \(why)"
        }
    }
}

/// The outcome class of a fit, as written in the `status` column.
public enum FitStatus: String, Sendable, Equatable {
    /// Converged to a minimum inside the bounds.
    case converged
    /// Converged, but with one or more parameters on a bound (see `FitResult.boundParameters`): the box, not
    /// the data, decided those parameters, and the best of the alternative starts was no better.
    case atBound = "at_bound"
    case maxIterations = "max_iterations"
    case failed
    case tooShort = "too_short"
    case noEnhancement = "no_enhancement"
    case notBolus = "not_bolus"
    /// The clip starts after the bolus arrived (wash-in not recorded); not fitted.
    case noWashIn = "no_wash_in"
}

/// The covariance matrix of a fit's parameters, `s^2 (J^T J)^-1` with `s^2 = C / (n - m)`, for at most five
/// parameters: the upper triangle packed row by row in 15 of 16 lanes (no allocation).
public struct ParameterCovariance: Sendable, Equatable {
    var packed: SIMD16<Double>

    /// A covariance of NaN entries (unknown).
    static let unknown = ParameterCovariance(packed: SIMD16(repeating: .nan))

    /// Lane of entry (i, j), i <= j < 5.
    @inline(__always)
    static func index(_ i: Int, _ j: Int) -> Int { i * 5 - i * (i - 1) / 2 + (j - i) }

    /// Entry (i, j) (in the product of the two parameters' units).
    public subscript(_ i: Int, _ j: Int) -> Double { packed[Self.index(min(i, j), max(i, j))] }
}

/// The outcome of one fit: a value, never an error.
public struct FitResult: Sendable, Equatable {
    /// Fitted parameters (lanes beyond the model's count are zero). Meaningful unless the fit was rejected.
    public var parameters: ParameterVector
    /// Standard errors from the covariance s^2 (J^T J)^-1, NaN where it cannot be computed.
    public var standardErrors: ParameterVector
    /// The parameters' covariance (unknown when the normal equations are singular or n <= m).
    public var covariance = ParameterCovariance.unknown
    /// Sum of squared residuals at `parameters` (a.u.^2).
    public var cost: Double
    /// Number of Jacobian evaluations (accepted or rejected LM iterations).
    public var iterations: Int
    /// Which criterion stopped the fit.
    public var termination: FitTermination
    /// Parameters on a bound at the solution, as bits (bit k for parameter k); see ``status``.
    public var boundParameters: UInt8 = 0
    /// Number of samples fitted.
    var sampleCount: Int
    /// Number of model parameters.
    var parameterCount: Int

    init(
        parameters: ParameterVector, standardErrors: ParameterVector, cost: Double, iterations: Int,
        termination: FitTermination, sampleCount: Int, parameterCount: Int
    ) {
        self.parameters = parameters
        self.standardErrors = standardErrors
        self.cost = cost
        self.iterations = iterations
        self.termination = termination
        self.sampleCount = sampleCount
        self.parameterCount = parameterCount
    }

    /// Status class for outputs.
    public var status: FitStatus {
        switch termination {
        case .convergedOnCost, .convergedOnStep, .convergedOnGradient:
            return boundParameters == 0 ? .converged : .atBound
        case .iterationLimit: return .maxIterations
        case .singularNormalEquations, .nonFiniteValues: return .failed
        case .rejected(.tooFewSamples): return .tooShort
        case .rejected(.noEnhancement): return .noEnhancement
        case .rejected(.nonFiniteSamples): return .failed
        case .rejected(.notBolus): return .notBolus
        case .rejected(.noWashIn): return .noWashIn
        }
    }

    /// Whether `parameters` describe a fitted curve (converged, at a bound, or stopped at the iteration limit).
    public var hasParameters: Bool { status == .converged || status == .atBound || status == .maxIterations }

    /// Symbols of the parameters on a bound (for example `["t0", "sigma"]`), in parameter order.
    public func boundSymbols(_ model: some CurveModel) -> [String] {
        model.parameters.indices.filter { boundParameters & (1 << UInt8($0)) != 0 }.map { model.parameters[$0].symbol }
    }

    /// Whether the fit converged, inside the bounds or on one.
    var reachedMinimum: Bool { status == .converged || status == .atBound }

    static func rejected(_ why: CurveRejection, sampleCount: Int, parameterCount: Int) -> FitResult {
        FitResult(
            parameters: ParameterVector(repeating: .nan), standardErrors: ParameterVector(repeating: .nan),
            cost: .nan, iterations: 0, termination: .rejected(why), sampleCount: sampleCount,
            parameterCount: parameterCount)
    }
}

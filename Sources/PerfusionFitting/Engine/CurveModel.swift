/// Model parameters packed in one vector register set; a model uses the first `parameterCount` lanes.
///
/// Eight lanes hold every bolus model of Echoflow (at most six parameters) and keep the
/// normal-equation accumulation free of allocation.
public typealias ParameterVector = SIMD8<Double>

/// A curve model that the Levenberg–Marquardt engine can fit.
///
/// A model supplies its parameter layout, bounds and a data-driven start, and evaluates its value
/// together with the gradient with respect to the parameters (one row of the Jacobian). The engine is
/// model-agnostic: it never looks inside a model.
public protocol CurveModel: Sendable {
    /// Short name used in outputs, for example `lognormal`.
    var name: String { get }
    /// Number of parameters (at most 5).
    var parameterCount: Int { get }
    /// One descriptor per parameter, in the order of the parameter vector.
    var parameters: [ParameterDescriptor] { get }

    /// Model value at time `t` (s).
    func value(at t: Double, parameters p: ParameterVector) -> Double

    /// Model value and its gradient with respect to the parameters at time `t` (s).
    /// Lanes at and beyond `parameterCount` of the gradient must be zero.
    func valueAndGradient(at t: Double, parameters p: ParameterVector) -> (value: Double, gradient: ParameterVector)

    /// Value and gradient for the sixteen samples of a ``SampleLanes`` block at once, in `Float` lanes (the vector twin of
    /// `valueAndGradient`); `parameters` holds the parameters converted to `Float`.
    func block(at t: SampleLanes, parameters p: SIMD8<Float>) -> ModelBlock

    /// ``block(at:parameters:)`` with the value and every derivative multiplied by the residual weights `w`, as the
    /// vector pass uses it. The default multiplies the block's six vectors; a model can fold the weight in earlier
    /// (the lognormal model into its common factor, four multiplies fewer per block).
    func weightedBlock(at t: SampleLanes, weight w: SampleLanes, parameters p: SIMD8<Float>) -> ModelBlock

    /// Sum of squared unweighted residuals, `sum (y_i - f(t_i))^2`, of `curve` at `p`, in sample order. The default
    /// calls the model's own ``value(at:parameters:)`` (one call per sample without going through the protocol).
    func residualSumOfSquares(_ curve: CurveSamples, parameters p: ParameterVector) -> Double

    /// A starting point estimated from the samples, or a reason the curve cannot be fitted by this model.
    func initialGuess(for curve: CurveSamples) -> Result<ParameterVector, CurveRejection>

    /// Further starting points tried when the fit from the initial guess does not converge.
    func alternativeStarts(for curve: CurveSamples, from start: ParameterVector) -> [ParameterVector]

    /// Box constraints for the parameters, possibly depending on the samples (for example the time span).
    func bounds(for curve: CurveSamples) -> ParameterBounds

    /// Whether the model describes a bolus, so that the perfusion parameters apply and `--model auto` may
    /// choose it. Default: true.
    var isBolus: Bool { get }

    /// The fitted bolus with the model's closed forms, from which the perfusion parameters are derived; nil
    /// for a model that does not describe a bolus.
    func bolusShape(_ p: ParameterVector) -> (any BolusShape)?

    /// Fits the model to `curve` from its data-driven start. Called on `any CurveModel`, this dispatches to
    /// the concrete model, where the fused pass is specialized (the default implementation; do not override).
    func fit(_ curve: CurveSamples, engine: LevenbergMarquardt, workspace: FitWorkspace?) -> FitResult

    /// Fits the model to every curve with `fitter` (specialized like ``fit(_:engine:workspace:)``).
    func fit(_ curves: [CurveSamples], fitter: BatchFitter) -> [FitResult]
}

extension CurveModel {
    /// Default: every vector of ``block(at:parameters:)`` times `w`.
    public func residualSumOfSquares(_ curve: CurveSamples, parameters p: ParameterVector) -> Double {
        var sum = 0.0
        for (t, y) in zip(curve.times, curve.values) {
            let r = y - value(at: t, parameters: p)
            sum += r * r
        }
        return sum
    }

    public func weightedBlock(at t: SampleLanes, weight w: SampleLanes, parameters p: SIMD8<Float>) -> ModelBlock {
        let b = block(at: t, parameters: p)
        return ModelBlock(value: b.value * w, d0: b.d0 * w, d1: b.d1 * w, d2: b.d2 * w, d3: b.d3 * w, d4: b.d4 * w)
    }

    /// Default: a bolus model.
    public var isBolus: Bool { true }

    /// Fits `self` to `curve` with `engine` from the data-driven start (the concrete model's specialized fit).
    public func fit(_ curve: CurveSamples, engine: LevenbergMarquardt, workspace: FitWorkspace? = nil) -> FitResult {
        engine.fit(self, to: curve, workspace: workspace)
    }

    /// Fits `self` to every curve with `fitter`, results in input order.
    public func fit(_ curves: [CurveSamples], fitter: BatchFitter) -> [FitResult] {
        fitter.fit(self, curves: curves)
    }

    /// Output column stem of a model parameter: `<model>_<parameter>`, for example `lognormal_t0_s`.
    public func columnName(_ parameter: ParameterDescriptor) -> String { "\(name)_\(parameter.name)" }
}

/// Name, unit and meaning of one model parameter, as written in output columns.
public struct ParameterDescriptor: Sendable, Equatable {
    /// The parameter's symbol in the model's formula, for example `t0` or `sigma` (as listed in `bound_parameters`).
    public let symbol: String
    /// Column-ready name with unit suffix, for example `t0_s`.
    public let name: String
    /// Unit as written in the column documentation (`s`, `a.u.`, `1/s`; empty when dimensionless).
    public let unit: String
    /// Human-readable meaning.
    public let meaning: String

    init(symbol: String, name: String, unit: String, meaning: String) {
        self.symbol = symbol
        self.name = name
        self.unit = unit
        self.meaning = meaning
    }
}

/// Lower and upper bounds per parameter; use `-.infinity` / `.infinity` for an open side.
public struct ParameterBounds: Sendable, Equatable {
    var lower: ParameterVector
    var upper: ParameterVector

    init(lower: ParameterVector, upper: ParameterVector) {
        self.lower = lower
        self.upper = upper
    }

    /// The point projected onto the box.
    @inline(__always)
    func clamp(_ p: ParameterVector) -> ParameterVector {
        p.replacing(with: lower, where: p .< lower).replacing(with: upper, where: p .> upper)
    }

    /// The parameters of `p` (first `m`) that sit on a bound, as bits (bit k for parameter k).
    ///
    /// A parameter is on a bound when its distance to it is at most
    ///
    ///     1e-4 (upper - lower)                       when both bounds are finite,
    ///     max(1e-9 max(|bound|, |p|), 0.01 SE)       when only that bound is finite,
    ///
    /// with SE the parameter's standard error (when known): 1e-4 of the box is far below any fitted parameter's
    /// uncertainty, and a parameter within a hundredth of its standard error of a one-sided bound (an amplitude
    /// at zero) is statistically on it.
    func onBound(_ p: ParameterVector, standardErrors se: ParameterVector, count m: Int) -> UInt8 {
        var bits: UInt8 = 0
        for k in 0..<m {
            let (lo, hi, x) = (lower[k], upper[k], p[k])
            let tolerance: (Double) -> Double = { bound in
                if lo.isFinite && hi.isFinite { return 1e-4 * (hi - lo) }
                let statistical = se[k].isFinite ? 0.01 * se[k] : 0
                return Swift.max(1e-9 * Swift.max(abs(bound), abs(x)), statistical)
            }
            if lo.isFinite && x - lo <= tolerance(lo) || hi.isFinite && hi - x <= tolerance(hi) {
                bits |= 1 << UInt8(k)
            }
        }
        return bits
    }
}

/// Why a curve was not fitted at all: an outcome, not an error.
public enum CurveRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer usable samples than the model needs.
    case tooFewSamples(found: Int, needed: Int)
    /// The curve does not rise above its noise: no bolus to fit.
    case noEnhancement(peakOverNoise: Double)
    /// Samples contain NaN or infinity.
    case nonFiniteSamples
    /// The curve rises above its noise but is not a whole bolus; the reason says why.
    case notBolus(reason: String)
    /// The clip starts after the bolus arrived: the curve is already enhanced at its start (given in percent of
    /// its enhancement), so the wash-in was not recorded.
    case noWashIn(startPercent: Double)

    /// The value in words, as written in outputs and messages.
    public var description: String {
        switch self {
        case .tooFewSamples(let found, let needed):
            return "too few samples to fit (\(found), need at least \(needed))"
        case .noEnhancement(let ratio):
            let shown = (ratio * 10).rounded() / 10
            return "no enhancement above noise (peak is \(shown) times the noise level, need 5)"
        case .nonFiniteSamples:
            return "the curve contains non-finite values"
        case .notBolus(let reason):
            return "not a bolus: \(reason)"
        case .noWashIn(let percent):
            let shown = Int(percent.rounded())
            return
                "no wash-in: the curve already starts at \(shown) % of its enhancement (the clip begins after the bolus arrived; a single dark first frame does not count)"
        }
    }
}

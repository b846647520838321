import PerfusionFitting

/// Standard errors of derived perfusion parameters by the delta method (docs/METHODS.md §6):
///
///     SE(g)^2 = grad(g)^T Sigma grad(g)
///
/// with Sigma the covariance of the fitted model parameters and grad(g) the gradient of the derived parameter
/// with respect to them. The gradient is taken by central differences of the model's closed forms,
///
///     dg/dp_k = (g(p + h_k e_k) - g(p - h_k e_k)) / (2 h_k),   h_k = 1e-3 SE(p_k),
///
/// a step well inside the parameter's uncertainty, where the delta method's linearisation is meant to hold, and
/// far above the closed forms' rounding (tested against analytic gradients of the lognormal's closed forms).
public struct DerivedStandardErrors: Sendable, Equatable {
    /// SE of PE (a.u.).
    public var peakEnhancement: Double
    /// SE of TTP (s).
    public var timeToPeak: Double
    /// SE of WiAUC (a.u. s).
    public var washInArea: Double
    /// SE of RT (s).
    public var riseTime: Double
    /// SE of mTTI (s).
    public var meanTransitTimeFromIntercept: Double
    /// SE of mTT (s).
    public var meanTransitTime: Double
    /// SE of AUC (a.u. s).
    public var area: Double

    /// The derived parameters that get a standard error, in column order (lanes 0-6): PE, TTP, WiAUC, RT, mTTI, mTT
    /// and AUC, by the formulas of ``PerfusionParameters``, operation for operation (so the same values), without the
    /// wash-out side (WoR, TO, WoAUC), which none of them needs.
    static func values(_ shape: some BolusShape) -> SIMD8<Double> {
        let ttp = shape.timeToPeak
        let tIn = shape.steepestRiseTime
        let wir = shape.slope(at: tIn)
        let ti = tIn - shape.enhancement(at: tIn) / wir
        let mtt = shape.meanTransitTime
        let wiauc = shape.integral(from: ti, to: ttp)
        return SIMD8(shape.peakEnhancement, ttp, wiauc, ttp - ti, mtt - ti, mtt, shape.area, 0)
    }

    /// How many derived parameters get a standard error.
    static let count = 7

    /// The standard errors of a bolus fit, or nil when the model has no closed forms or the covariance is unknown.
    public init?(model: any CurveModel, fit: FitResult) {
        let m = model.parameterCount
        guard fit.hasParameters, model.bolusShape(fit.parameters) != nil,
            (0..<m).allSatisfy({ fit.standardErrors[$0].isFinite && fit.standardErrors[$0] > 0 })
        else { return nil }
        let gradients = Self.gradients(model: model, parameters: fit.parameters, steps: 1e-3 * fit.standardErrors)
        let errors = gradients.map { g -> Double in
            var variance = 0.0
            for i in 0..<m { for j in 0..<m { variance += g[i] * fit.covariance[i, j] * g[j] } }
            return variance >= 0 ? variance.squareRoot() : .nan
        }
        peakEnhancement = errors[0]
        timeToPeak = errors[1]
        washInArea = errors[2]
        riseTime = errors[3]
        meanTransitTimeFromIntercept = errors[4]
        meanTransitTime = errors[5]
        area = errors[6]
    }

    /// Gradients of ``values`` with respect to the model parameters, by central differences with `steps`.
    static func gradients(model: any CurveModel, parameters p: ParameterVector, steps: ParameterVector)
        -> [ParameterVector]
    {
        var gradients = [ParameterVector](repeating: .zero, count: count)
        for k in 0..<model.parameterCount {
            var up = p
            var down = p
            up[k] += steps[k]
            down[k] -= steps[k]
            guard let high = model.bolusShape(up).map({ values($0) }),
                let low = model.bolusShape(down).map({ values($0) })
            else { continue }
            for v in 0..<count {
                gradients[v][k] = (high[v] - low[v]) / (2 * steps[k])
            }
        }
        return gradients
    }
}

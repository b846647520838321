/// The curve models Echoflow fits, by the name used on the command line and in outputs.
///
/// Fitting through a kind (rather than a generic model value) keeps the fused pass specialized for the
/// concrete model inside this module, where the optimizer can inline its SIMD evaluation.
public enum ModelKind: String, CaseIterable, Sendable {
    case lognormal

    /// The model value for this kind.
    public var model: any CurveModel {
        switch self {
        case .lognormal: return LognormalModel()
        }
    }

    /// Parameter descriptors of the model.
    public var parameters: [ParameterDescriptor] { model.parameters }
}

extension LevenbergMarquardt {
    /// Fits the model of `kind` to `curve` from its data-driven start.
    public func fit(_ kind: ModelKind, to curve: CurveSamples, workspace: FitWorkspace? = nil) -> FitResult {
        switch kind {
        case .lognormal: return fit(LognormalModel(), to: curve, workspace: workspace)
        }
    }

    /// Model value (offset included) at `t` for parameters `p` of `kind`.
    public func value(_ kind: ModelKind, at t: Double, parameters p: ParameterVector) -> Double {
        switch kind {
        case .lognormal: return LognormalModel().value(at: t, parameters: p)
        }
    }
}

extension BatchFitter {
    /// Fits the model of `kind` to every curve, in parallel, results in input order.
    public func fit(_ kind: ModelKind, curves: [CurveSamples]) -> [FitResult] {
        switch kind {
        case .lognormal: return fit(LognormalModel(), curves: curves)
        }
    }
}

import RealModule

/// The curve models Echoflow fits, by the name used on the command line and in outputs.
///
/// Fitting through a kind (rather than a generic model value) keeps the fused pass specialized for the
/// concrete model inside this module, where the optimizer can inline its SIMD evaluation.
public enum ModelKind: String, CaseIterable, Sendable {
    case lognormal
    case gamma
    case ldrw
    case fpt
    case replenishment

    /// The bolus models (everything but replenishment): those `auto` chooses among.
    public static let bolusModels: [ModelKind] = [.lognormal, .gamma, .ldrw, .fpt]

    /// Whether the model describes a bolus (REFERENCE.md §3 parameters apply).
    public var isBolus: Bool { self != .replenishment }

    /// The model value for this kind.
    public var model: any CurveModel {
        switch self {
        case .lognormal: return LognormalModel()
        case .gamma: return GammaVariateModel()
        case .ldrw: return LDRWModel()
        case .fpt: return FPTModel()
        case .replenishment: return ReplenishmentModel()
        }
    }

    /// Parameter descriptors of the model.
    public var parameters: [ParameterDescriptor] { model.parameters }

    /// The fitted bolus for parameters `p`, with the model's closed forms; nil for replenishment.
    public func shape(_ p: ParameterVector) -> (any BolusShape)? {
        switch self {
        case .lognormal: return LognormalModel().shape(p)
        case .gamma: return GammaVariateModel().shape(p)
        case .ldrw: return LDRWModel().shape(p)
        case .fpt: return FPTModel().shape(p)
        case .replenishment: return nil
        }
    }

    /// Model value (offset included) at `t` (s) for parameters `p`.
    public func value(at t: Double, parameters p: ParameterVector) -> Double {
        switch self {
        case .lognormal: return LognormalModel().value(at: t, parameters: p)
        case .gamma: return GammaVariateModel().value(at: t, parameters: p)
        case .ldrw: return LDRWModel().value(at: t, parameters: p)
        case .fpt: return FPTModel().value(at: t, parameters: p)
        case .replenishment: return ReplenishmentModel().value(at: t, parameters: p)
        }
    }
}

extension LevenbergMarquardt {
    /// Fits the model of `kind` to `curve` from its data-driven start.
    public func fit(_ kind: ModelKind, to curve: CurveSamples, workspace: FitWorkspace? = nil) -> FitResult {
        switch kind {
        case .lognormal: return fit(LognormalModel(), to: curve, workspace: workspace)
        case .gamma: return fit(GammaVariateModel(), to: curve, workspace: workspace)
        case .ldrw: return fit(LDRWModel(), to: curve, workspace: workspace)
        case .fpt: return fit(FPTModel(), to: curve, workspace: workspace)
        case .replenishment: return fit(ReplenishmentModel(), to: curve, workspace: workspace)
        }
    }
}

extension BatchFitter {
    /// Fits the model of `kind` to every curve, in parallel, results in input order.
    public func fit(_ kind: ModelKind, curves: [CurveSamples]) -> [FitResult] {
        switch kind {
        case .lognormal: return fit(LognormalModel(), curves: curves)
        case .gamma: return fit(GammaVariateModel(), curves: curves)
        case .ldrw: return fit(LDRWModel(), curves: curves)
        case .fpt: return fit(FPTModel(), curves: curves)
        case .replenishment: return fit(ReplenishmentModel(), curves: curves)
        }
    }
}

/// Akaike's information criterion of a least-squares fit with Gaussian errors:
///
///     AIC = n ln(RSS / n) + 2 (m + 1)
///
/// (m model parameters plus the noise variance). Lower is better; differences matter, not values.
///
/// Reference: K. P. Burnham, D. R. Anderson, "Model Selection and Multimodel Inference", 2nd ed. (2002), §2.2.
public func akaikeInformationCriterion(_ fit: FitResult) -> Double {
    guard fit.hasParameters, fit.cost > 0, fit.sampleCount > 0 else { return .nan }
    let n = Double(fit.sampleCount)
    return n * (fit.cost / n).log + 2 * Double(fit.parameterCount + 1)
}

extension Double {
    fileprivate var log: Double { Double.log(self) }
}

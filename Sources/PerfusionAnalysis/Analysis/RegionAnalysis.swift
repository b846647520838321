import CEUSImaging
import PerfusionFitting

/// The analysis of one region of a clip: its curve, the fit and the parameters derived from it.
public struct RegionAnalysis: Sendable {
    public let curve: TimeIntensityCurve
    /// Model name, for example `lognormal`.
    public let model: String
    public let fit: FitResult
    /// Perfusion parameters; nil when the fit produced no parameters.
    public let parameters: PerfusionParameters?
    /// Amplitudes relative to the reference region; nil without a reference or parameters.
    public var relative: RelativeAmplitudes?
    /// The fitted model value (offset included) at each frame time; NaN where there is no fit.
    public let fitted: [Double]

    public var region: String { curve.region }

    /// The fitted model's value (offset included) at any time `t` (s); NaN without a fit.
    public func fittedValue(at t: Double) -> Double {
        fit.hasParameters ? LognormalModel().value(at: t, parameters: fit.parameters) : .nan
    }
}

/// Fits the lognormal model to region curves and derives the perfusion parameters.
public struct CurveAnalyzer: Sendable {
    public let engine: LevenbergMarquardt
    public let model: LognormalModel

    /// Models that can be named on the command line.
    public static let knownModels = ["lognormal"]

    public init(modelName: String = "lognormal", engine: LevenbergMarquardt = LevenbergMarquardt()) throws {
        guard modelName == "lognormal" else {
            throw PerfusionAnalysisError.unknownModel(name: modelName, known: Self.knownModels)
        }
        self.engine = engine
        self.model = LognormalModel()
    }

    /// Fits one curve, leaving excluded frames out.
    public func analyze(_ curve: TimeIntensityCurve) -> RegionAnalysis {
        let included = curve.includedSamples
        let samples = CurveSamples(times: included.times, values: included.values)
        let fit = engine.fit(model, to: samples)
        guard fit.hasParameters else {
            return RegionAnalysis(
                curve: curve, model: model.name, fit: fit, parameters: nil, relative: nil,
                fitted: Array(repeating: .nan, count: curve.times.count))
        }
        let qof = PerfusionParameters.qualityOfFit(residualSumOfSquares: fit.cost, values: samples.values)
        let parameters = PerfusionParameters(shape: model.shape(fit.parameters), qualityOfFit: qof)
        let fitted = curve.times.map { model.value(at: $0, parameters: fit.parameters) }
        return RegionAnalysis(
            curve: curve, model: model.name, fit: fit, parameters: parameters, relative: nil, fitted: fitted)
    }

    /// Fits every curve and fills in amplitudes relative to the `reference` region (when given and fitted).
    public func analyze(_ curves: [TimeIntensityCurve], reference: String?) -> [RegionAnalysis] {
        var results = curves.map(analyze)
        if let reference, let ref = results.first(where: { $0.region == reference })?.parameters {
            for i in results.indices {
                if let own = results[i].parameters { results[i].relative = RelativeAmplitudes(own, reference: ref) }
            }
        }
        return results
    }
}

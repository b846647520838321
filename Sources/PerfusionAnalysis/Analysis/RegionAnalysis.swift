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

/// A fitted curve: the fit and, when it produced parameters, the perfusion parameters.
public struct CurveFit: Sendable {
    public let fit: FitResult
    public let parameters: PerfusionParameters?
}

/// Fits a bolus model to curves (in parallel, results in input order) and derives the perfusion parameters.
public struct CurveAnalyzer: Sendable {
    public let kind: ModelKind
    public let fitter: BatchFitter

    /// Models that can be named on the command line.
    public static var knownModels: [String] { ModelKind.allCases.map(\.rawValue) }

    public init(modelName: String = "lognormal", threads: Int? = nil) throws {
        guard let kind = ModelKind(rawValue: modelName) else {
            throw PerfusionAnalysisError.unknownModel(name: modelName, known: Self.knownModels)
        }
        self.kind = kind
        fitter = BatchFitter(threads: threads)
    }

    /// Fits every curve.
    public func fit(_ curves: [CurveSamples]) -> [CurveFit] {
        let fits = fitter.fit(kind, curves: curves)
        return zip(curves, fits).map { curve, fit in
            guard fit.hasParameters else { return CurveFit(fit: fit, parameters: nil) }
            let qof = PerfusionParameters.qualityOfFit(residualSumOfSquares: fit.cost, values: curve.values)
            let shape = LognormalModel().shape(fit.parameters)
            return CurveFit(fit: fit, parameters: PerfusionParameters(shape: shape, qualityOfFit: qof))
        }
    }

    /// Fits region curves (excluded frames left out) and fills in amplitudes relative to the `reference`
    /// region (when given and fitted).
    public func analyze(_ curves: [TimeIntensityCurve], reference: String?) -> [RegionAnalysis] {
        let samples = curves.map { curve -> CurveSamples in
            let included = curve.includedSamples
            return CurveSamples(times: included.times, values: included.values)
        }
        let model = LognormalModel()
        var results = zip(curves, fit(samples)).map { curve, fitted in
            RegionAnalysis(
                curve: curve, model: kind.rawValue, fit: fitted.fit, parameters: fitted.parameters, relative: nil,
                fitted: curve.times.map {
                    fitted.fit.hasParameters ? model.value(at: $0, parameters: fitted.fit.parameters) : .nan
                })
        }
        if let reference, let ref = results.first(where: { $0.region == reference })?.parameters {
            for i in results.indices {
                if let own = results[i].parameters { results[i].relative = RelativeAmplitudes(own, reference: ref) }
            }
        }
        return results
    }
}

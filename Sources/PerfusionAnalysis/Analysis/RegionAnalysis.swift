import CEUSImaging
import PerfusionFitting

/// One model fitted to one curve.
public struct CurveFit: Sendable {
    /// The model fitted.
    public let model: any CurveModel
    /// The fit's outcome: parameters, standard errors, status.
    public let fit: FitResult
    /// Perfusion parameters of a bolus model; nil when the fit produced no parameters or for replenishment.
    public let parameters: PerfusionParameters?
    /// Standard errors of the main derived parameters (delta method); nil without a bolus fit.
    public var standardErrors: DerivedStandardErrors? = nil
    /// rBV, mTT and PI of a replenishment fit.
    let replenishment: ReplenishmentParameters?
    /// QOF (%) of the fit, 100 R^2 on the samples fitted; NaN without parameters.
    let qualityOfFit: Double
    /// Akaike's information criterion of the fit (NaN without parameters).
    let aic: Double
    /// AIC minus the lowest AIC among the models fitted to the curve (0 for the best; NaN without an AIC).
    var aicDelta = Double.nan
    /// Akaike weight among the models fitted to the curve (1 for a single model; NaN without an AIC).
    var aicWeight = Double.nan
    /// Samples left out of this fit as isolated outliers (indices into the samples given to the analyzer).
    public var outliers: [Int] = []
    /// Whether the fit weighted its residuals by the curve's noise (``NoiseWeights``); false for ordinary least
    /// squares (`--weighting none`, or a curve without evidence that its noise grows with the signal).
    var weighted = false
    /// Whether the clip ends before the fitted curve has fallen to half its peak: WoAUC, AUC and mTT then
    /// depend on the model's tail beyond the data.
    var shortWashout = false
    /// Whether this is the model the results use (the only model, or with `auto` the one selected by
    /// `ModelSelection` (PerfusionFitting)).
    public var selected: Bool
}

/// The analysis of one region of a clip: its curve and the fits of every model tried.
public struct RegionAnalysis: Sendable {
    let curve: TimeIntensityCurve
    /// One fit per model tried; exactly one is selected.
    let fits: [CurveFit]
    /// Amplitudes relative to the reference region, per fit (same model in both regions).
    var relatives: [RelativeAmplitudes?]
    /// Frames left out as isolated outliers (also marked excluded in ``curve``).
    var outlierFrames: [Int] = []

    /// Region name.
    public var region: String { curve.region }
    var selectedIndex: Int { fits.firstIndex { $0.selected } ?? 0 }
    /// The selected fit.
    var selected: CurveFit { fits[selectedIndex] }
    /// Name of the selected model.
    public var model: String { selected.model.name }
    /// The selected fit's outcome.
    public var fit: FitResult { selected.fit }
    /// The selected fit's perfusion parameters.
    public var parameters: PerfusionParameters? { selected.parameters }
    var relative: RelativeAmplitudes? { relatives[selectedIndex] }

    /// The selected model's value (offset included) at any time `t` (s); NaN without a fit.
    func fittedValue(at t: Double) -> Double {
        fit.hasParameters ? selected.model.value(at: t, parameters: fit.parameters) : .nan
    }

    /// The selected model's value at each frame time.
    var fitted: [Double] { curve.times.map(fittedValue) }
}

/// Fits bolus models to curves (in parallel, results in input order) and derives the perfusion parameters.
public struct CurveAnalyzer: Sendable {
    /// Models fitted to every curve: one, or all of them for `auto`.
    public let models: [any CurveModel]
    let fitter: BatchFitter
    /// Threads for the work around the fits (outlier screen, weights, QOF, derived standard errors).
    let threads: Int
    /// How residuals are weighted (default: by the curve's own noise).
    public let weighting: FitWeighting

    /// Name of the choice that fits every bolus model and selects one by `ModelSelection` (PerfusionFitting).
    public static let automatic = "auto"
    /// Models that can be named on the command line.
    public static var knownModels: [String] { ModelRegistry.names + [automatic] }
    /// Name of the model fitted unless another is asked for.
    public static var defaultModel: String { ModelRegistry.defaultModel.name }

    /// An analyzer for `modelName` (a registered model or `auto`) on `threads` threads (default: every core),
    /// weighting residuals by `weighting`.
    public init(
        modelName: String = ModelRegistry.defaultModel.name, threads: Int? = nil, weighting: FitWeighting = .noise
    ) throws {
        self.weighting = weighting
        if modelName == Self.automatic {
            models = ModelRegistry.bolusModels
        } else if let model = ModelRegistry.model(named: modelName) {
            models = [model]
        } else {
            throw PerfusionAnalysisError.unknownModel(name: modelName, known: Self.knownModels)
        }
        fitter = BatchFitter(threads: threads)
        self.threads = max(1, threads ?? BatchFitter.coreCount)
    }

    /// Fits every curve with every model, isolated outlier samples left out (``IsolatedOutliers``) and residuals
    /// weighted by ``weighting``; per curve, the fits in model order with one selected.
    func fit(_ curves: [CurveSamples]) -> [[CurveFit]] {
        let weighting = weighting
        // Each curve alone, on every thread: the outlier screen and the weights.
        let prepared = orderedParallelMap(curves.count, threads: threads) { i -> ([Int], CurveSamples) in
            let curve = curves[i]
            let drop = IsolatedOutliers.find(curve.values)
            var kept = curve
            if !drop.isEmpty {
                let keep = curve.times.indices.filter { !drop.contains($0) }
                kept = CurveSamples(times: keep.map { curve.times[$0] }, values: keep.map { curve.values[$0] })
            }
            return (drop, weighting == .noise ? kept.weighted(NoiseWeights.weights(kept.values)) : kept.weighted(nil))
        }
        let outliers = prepared.map(\.0)
        let cleaned = prepared.map(\.1)
        let perModel = models.map { model in (model, model.fit(cleaned, fitter: fitter)) }
        return orderedParallelMap(curves.count, threads: threads) { i in
            var fits = perModel.map { model, results -> CurveFit in
                let fit = results[i]
                guard fit.hasParameters else {
                    return CurveFit(
                        model: model, fit: fit, parameters: nil, replenishment: nil, qualityOfFit: .nan, aic: .nan,
                        outliers: outliers[i], selected: false)
                }
                // QOF is 100 R^2 of the unweighted residuals, whatever the fit minimised.
                let qof = PerfusionParameters.qualityOfFit(
                    residualSumOfSquares: model.residualSumOfSquares(cleaned[i], parameters: fit.parameters),
                    values: cleaned[i].values)
                let parameters = model.bolusShape(fit.parameters).map {
                    PerfusionParameters(shape: $0, qualityOfFit: qof)
                }
                let replenishment = (model as? ReplenishmentModel)?.parameters(fit.parameters)
                let last = cleaned[i].times.last ?? 0
                let shortWashout =
                    model.bolusShape(fit.parameters).map { shape in
                        last > shape.timeToPeak && shape.enhancement(at: last) > 0.5 * shape.peakEnhancement
                            || last <= shape.timeToPeak
                    } ?? false
                return CurveFit(
                    model: model, fit: fit, parameters: parameters,
                    standardErrors: DerivedStandardErrors(model: model, fit: fit), replenishment: replenishment,
                    qualityOfFit: qof, aic: ModelSelection.akaikeInformationCriterion(fit), outliers: outliers[i],
                    weighted: cleaned[i].weights != nil, shortWashout: shortWashout, selected: false)
            }
            let aic = fits.map(\.aic)
            let (deltas, weights) = ModelSelection.akaikeWeights(aic)
            for k in fits.indices { (fits[k].aicDelta, fits[k].aicWeight) = (deltas[k], weights[k]) }
            let preferred = fits.firstIndex { $0.model.name == ModelRegistry.defaultModel.name }
            fits[ModelSelection.select(fits.map(\.fit), aic: aic, preferred: preferred)].selected = true
            return fits
        }
    }

    /// Fits region curves (excluded frames left out) and fills in amplitudes relative to the `reference`
    /// region (when given and fitted with the same model).
    func analyze(_ curves: [TimeIntensityCurve], reference: String?) -> [RegionAnalysis] {
        let samples = curves.map { curve -> CurveSamples in
            let included = curve.includedSamples
            return CurveSamples(times: included.times, values: included.values)
        }
        var results = zip(curves, fit(samples)).map { curve, fits -> RegionAnalysis in
            // Outliers are indices into the included frames; as frame indices they join the excluded frames.
            let included = curve.includedFrames
            let frames = (fits.first?.outliers ?? []).map { included[$0] }
            return RegionAnalysis(
                curve: curve.excluding(frames), fits: fits, relatives: Array(repeating: nil, count: fits.count),
                outlierFrames: frames)
        }
        if let reference, let ref = results.first(where: { $0.region == reference }) {
            for i in results.indices {
                for (k, fit) in results[i].fits.enumerated() {
                    if let own = fit.parameters, let theirs = ref.fits[k].parameters {
                        results[i].relatives[k] = RelativeAmplitudes(own, reference: theirs)
                    }
                }
            }
        }
        return results
    }
}

import PerfusionFitting

/// The perfusion parameters of one fitted curve (docs/METHODS.md §6), computed on the fitted curve with the
/// offset removed. Times in s on the clip time axis, amplitudes in linear a.u.
///
///     WiR = f'(t_in) (largest slope)              TI = t_in - f(t_in) / WiR
///     WoR = f'(t_out) (most negative slope)       TO = t_out - f(t_out) / WoR
///     RT = TTP - TI    FT = TO - TTP    mTTI = mTT - TI
///     WiAUC = integral of f from TI to TTP    WoAUC = integral of f from TTP to TO
///     WiPI = WiAUC / RT    WiWoAUC = WiAUC + WoAUC    QOF = 100 (1 - SS_res / SS_tot)
///
/// Reference: VueBox perfusion parameters as described in Tranquart et al., "Perfusion quantification in
/// contrast-enhanced ultrasound (CEUS): ready for research projects and routine clinical use", Ultraschall in
/// Med 33 (2012), doi:10.1055/s-0032-1312894.
public struct PerfusionParameters: Sendable, Equatable {
    /// PE: peak enhancement (a.u.).
    public var peakEnhancement: Double
    /// TTP: time to peak (s).
    public var timeToPeak: Double
    /// WiR: wash-in rate, the largest slope (a.u./s).
    var washInRate: Double
    /// TI: time where the tangent at the largest slope crosses zero (s).
    var tangentIntercept: Double
    /// RT: rise time TTP - TI (s).
    public var riseTime: Double
    /// mTTI: mean transit time from TI, mTT - TI (s).
    var meanTransitTimeFromIntercept: Double
    /// WiAUC: wash-in area from TI to TTP (a.u. s).
    public var washInArea: Double
    /// WiPI: wash-in perfusion index WiAUC / RT (a.u.).
    var washInPerfusionIndex: Double
    /// WoR: wash-out rate, the most negative slope (a.u./s, negative).
    var washOutRate: Double
    /// TO: time where the tangent at the most negative slope crosses zero (s).
    var washOutIntercept: Double
    /// FT: fall time TO - TTP (s).
    var fallTime: Double
    /// WoAUC: wash-out area from TTP to TO (a.u. s).
    var washOutArea: Double
    /// WiWoAUC: WiAUC + WoAUC (a.u. s).
    var washInOutArea: Double
    /// AUC: total area under the fitted enhancement (a.u. s).
    var area: Double
    /// mTT: first moment of the fitted enhancement, clip time axis (s).
    public var meanTransitTime: Double
    /// QOF: quality of fit, 100 R^2 on the frames used in the fit (%).
    public var qualityOfFit: Double

    /// Derives every parameter from the fitted bolus `shape`; `qualityOfFit` is supplied by the caller.
    init(shape: some BolusShape, qualityOfFit: Double) {
        let ttp = shape.timeToPeak
        let tIn = shape.steepestRiseTime
        let tOut = shape.steepestFallTime
        let wir = shape.slope(at: tIn)
        let wor = shape.slope(at: tOut)
        let ti = tIn - shape.enhancement(at: tIn) / wir
        let to = tOut - shape.enhancement(at: tOut) / wor
        let mtt = shape.meanTransitTime
        let wiauc = shape.integral(from: ti, to: ttp)
        let woauc = shape.integral(from: ttp, to: to)
        peakEnhancement = shape.peakEnhancement
        timeToPeak = ttp
        washInRate = wir
        tangentIntercept = ti
        riseTime = ttp - ti
        meanTransitTimeFromIntercept = mtt - ti
        washInArea = wiauc
        washInPerfusionIndex = wiauc / (ttp - ti)
        washOutRate = wor
        washOutIntercept = to
        fallTime = to - ttp
        washOutArea = woauc
        washInOutArea = wiauc + woauc
        area = shape.area
        meanTransitTime = mtt
        self.qualityOfFit = qualityOfFit
    }

    /// QOF (%) of a fit: `100 (1 - SS_res / SS_tot)`, NaN when the samples do not vary.
    static func qualityOfFit(residualSumOfSquares: Double, values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let mean = values.reduce(0, +) / Double(values.count)
        let total = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return total > 0 ? 100 * (1 - residualSumOfSquares / total) : .nan
    }

    /// The amplitude parameters (those that scale with gain), by CSV stem, in column order.
    var amplitudes: [(stem: String, value: Double)] {
        [
            ("pe", peakEnhancement), ("wir", washInRate), ("wiauc", washInArea), ("wipi", washInPerfusionIndex),
            ("wor", washOutRate), ("woauc", washOutArea), ("wiwoauc", washInOutArea), ("auc", area),
        ]
    }
}

/// Checks every bolus model makes before fitting: a bolus must rise above its noise, from a baseline after
/// the first samples, and fall again before the last ones.
enum BolusScreen {
    /// Why the curve cannot be fitted as a bolus, or nil.
    static func reject(_ features: CurveFeatures) -> CurveRejection? {
        if let ratio = features.faintPeakOverNoise { return .noEnhancement(peakOverNoise: ratio) }
        if features.washInMissing { return .noWashIn(startPercent: 100 * features.startFraction) }
        if let reason = features.notBolusReason { return .notBolus(reason: reason) }
        return nil
    }

    /// First and last time, span and mean sample interval (s).
    static func timeScale(_ curve: CurveSamples) -> (first: Double, last: Double, span: Double, interval: Double) {
        let first = curve.times.first ?? 0
        let last = curve.times.last ?? 1
        let span = max(last - first, 1e-6)
        return (first, last, span, span / Double(max(curve.count - 1, 1)))
    }
}

import RealModule

/// Choosing among models fitted to the same curve.
public enum ModelSelection {
    /// Akaike's information criterion of a least-squares fit with Gaussian errors:
    ///
    ///     AIC = n ln(RSS / n) + 2 (m + 1)
    ///
    /// (m model parameters plus the noise variance). Lower is better; only differences between fits of the
    /// same samples matter. NaN for a fit without parameters or with zero cost.
    ///
    /// Reference: K. P. Burnham, D. R. Anderson, "Model Selection and Multimodel Inference", 2nd ed. (2002),
    /// §2.2.
    public static func akaikeInformationCriterion(_ fit: FitResult) -> Double {
        guard fit.hasParameters, fit.cost > 0, fit.sampleCount > 0 else { return .nan }
        let n = Double(fit.sampleCount)
        return n * Double.log(fit.cost / n) + 2 * Double(fit.parameterCount + 1)
    }

    /// Index of the fit with the lowest finite AIC (the first fit when none has one).
    public static func lowestAIC(_ aic: [Double]) -> Int {
        aic.indices.filter { aic[$0].isFinite }.min { aic[$0] < aic[$1] } ?? 0
    }
}

/// A responder rule such as `wiauc_au_s<-40%`: a parameter, a comparison and a threshold on its change from
/// baseline, in percent (with `%`) or in the parameter's unit (without).
public struct ResponseRule: Sendable, Equatable, CustomStringConvertible {
    /// How the change is compared with the threshold.
    public enum Comparison: String, Sendable, CaseIterable {
        case lessOrEqual = "<=", greaterOrEqual = ">=", less = "<", greater = ">"
    }

    /// The `parameters.csv` column the rule looks at.
    public let parameter: String
    let comparison: Comparison
    let threshold: Double
    /// Whether the threshold is a change in percent of the baseline (else in the parameter's unit).
    public let percent: Bool

    /// docs/METHODS.md §7: "WiAUC decreases by more than 40 %", for studies without a reference region.
    public static let `default` = ResponseRule(
        parameter: "wiauc_au_s", comparison: .less, threshold: -40, percent: true)

    /// The default with a reference region: WiAUC relative to it, which cancels gain changes between examinations.
    public static let relativeDefault = ResponseRule(
        parameter: "wiauc_rel_pct", comparison: .less, threshold: -40, percent: true)

    /// The rule `parameter comparison threshold` (in percent of the baseline when `percent`).
    public init(parameter: String, comparison: Comparison, threshold: Double, percent: Bool) {
        self.parameter = parameter
        self.comparison = comparison
        self.threshold = threshold
        self.percent = percent
    }

    /// Parses `PARAMETER<THRESHOLD[%]` (also `<=`, `>`, `>=`); nil when malformed.
    public init?(_ text: String) {
        let compact = text.filter { !$0.isWhitespace }
        for comparison in Comparison.allCases {
            guard let range = compact.range(of: comparison.rawValue) else { continue }
            let name = String(compact[..<range.lowerBound])
            var value = String(compact[range.upperBound...])
            let percent = value.hasSuffix("%")
            if percent { value.removeLast() }
            guard !name.isEmpty, let threshold = Double(value) else { return nil }
            self.init(parameter: name, comparison: comparison, threshold: threshold, percent: percent)
            return
        }
        return nil
    }

    /// The rule as `--response` takes it, for example `wiauc_au_s<-40%`.
    public var description: String {
        "\(parameter)\(comparison.rawValue)\(threshold.formatted())\(percent ? "%" : "")"
    }

    /// Whether a change (absolute, and in percent) meets the rule; nil when the needed value is not finite.
    func responds(change: Double, changePercent: Double) -> Bool? {
        let value = percent ? changePercent : change
        guard value.isFinite else { return nil }
        switch comparison {
        case .less: return value < threshold
        case .lessOrEqual: return value <= threshold
        case .greater: return value > threshold
        case .greaterOrEqual: return value >= threshold
        }
    }
}

extension Double {
    fileprivate func formatted() -> String { self == rounded() ? String(Int(self)) : String(self) }
}

import Foundation

/// The one-line progress display of long commands: what is being done, how far, and an estimate of the time left
/// once there is enough to estimate from.
///
/// The estimate counts only the work done in this run (clips skipped as already done cost nothing) and appears
/// after ``minimumForEstimate`` items and one second: an estimate from the first clip, which also paid for the
/// start-up, misleads more than none.
public struct ProgressLine: Sendable {
    /// What is being done (`batch`).
    public let label: String
    /// What is counted (`clips`).
    public let unit: String
    /// Items of this run's work finished before an estimate is shown.
    public static let minimumForEstimate = 3

    /// A progress line for `label`, counting `unit`.
    public init(label: String, unit: String) {
        self.label = label
        self.unit = unit
    }

    /// The line for `done` of `total` items, `skipped` of them at no cost, after `elapsed` seconds of work,
    /// cut to `width` columns.
    public func render(
        done: Int, total: Int, skipped: Int = 0, failed: Int = 0, elapsed: Double, width: Int, bar: Bool = true
    ) -> String {
        var parts = ["\(label) \(done)/\(total) \(unit)"]
        if skipped > 0 { parts.append("\(skipped) already done") }
        if failed > 0 { parts.append("\(failed) failed") }
        let worked = done - skipped
        if done >= total {
            parts.append(Self.duration(elapsed))
        } else if worked >= Self.minimumForEstimate && elapsed >= 1 {
            parts.append("about \(Self.duration(elapsed / Double(worked) * Double(total - done))) left")
        } else {
            parts.append("estimating")
        }
        var line = parts.joined(separator: ", ")
        // A bar of a fixed size for the width (a fifth of it, 10 to 30 columns) when the words still fit beside it.
        let size = min(30, width / 5)
        if bar && size >= 10 && line.count + size + 3 <= width - 1 && total > 0 {
            let filled = size * done / total
            line =
                "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: size - filled) + "] "
                + line
        }
        return String(line.prefix(max(width - 1, 1)))
    }

    /// `12 s`, `3 min 05 s`, `1 h 02 min`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        if s < 3600 { return String(format: "%d min %02d s", s / 60, s % 60) }
        return String(format: "%d h %02d min", s / 3600, (s % 3600) / 60)
    }
}

import CEUSImaging
import Foundation

/// `study.json` at the root of a folder study: `{"baseline": "pre-prrt", "timepoints": ["pre-prrt", "post-prrt"]}`,
/// both optional. Unknown keys, a baseline that is not a timepoint of the study, and timepoints listed twice or
/// not in the study are errors.
struct StudySettings {
    var baseline: String?
    var timepoints: [String]?

    static let keys = ["baseline", "timepoints"]

    /// The settings of the study folder `root`; nil without a `study.json`.
    static func load(_ root: String, timepoints found: Set<String>) throws -> StudySettings? {
        let path = (root as NSString).appendingPathComponent(Study.settingsFile)
        guard let data = FileBytes.read(path) else { return nil }
        func fail(_ problem: String) -> PerfusionAnalysisError {
            .invalidStudy(path: path, problems: [problem])
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let fields = object as? [String: Any] else {
            throw fail("not a JSON object such as {\"baseline\": \"pre-prrt\"}")
        }
        var settings = StudySettings()
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "baseline":
                guard let name = value as? String else { throw fail("\"baseline\" must be a timepoint name") }
                guard found.contains(name) else {
                    throw fail(
                        "\"baseline\": no timepoint \"\(name)\" in the study (timepoints: \(found.sorted().joined(separator: ", ")))"
                    )
                }
                settings.baseline = name
            case "timepoints":
                guard let names = value as? [String] else { throw fail("\"timepoints\" must be a list of names") }
                guard Set(names).count == names.count else { throw fail("\"timepoints\" lists a timepoint twice") }
                if let stray = names.first(where: { !found.contains($0) }) {
                    throw fail("\"timepoints\": no timepoint \"\(stray)\" in the study")
                }
                settings.timepoints = names
            default:
                let hint =
                    JSONKeys.closest(key, among: keys).map { "did you mean \"\($0)\"?" }
                    ?? "known: \(keys.joined(separator: ", "))"
                throw fail("unknown key \"\(key)\" (\(hint))")
            }
        }
        return settings
    }
}

/// Problems found by the analysis stage (settings, studies, outputs).
enum PerfusionAnalysisError: Error, Equatable, CustomStringConvertible, Sendable {
    case unknownModel(name: String, known: [String])
    case noClipsFound(path: String)
    case writeFailed(path: String, reason: String)
    case invalidSetting(name: String, detail: String)
    case missingInput(path: String)
    case invalidTable(path: String, line: Int, detail: String)
    case invalidStudy(path: String, problems: [String])
    /// No rule decides which timepoint is the baseline.
    case ambiguousBaseline(timepoints: [String])
    /// A results folder that cannot be used (not written by `batch`, or from another study or settings).
    case unusableResults(path: String, detail: String)
    /// Another run holds the results folder's lock (`stale`: the lock file of a run on another host).
    case folderInUse(path: String, holder: String, stale: String?)

    var description: String {
        switch self {
        case .unknownModel(let name, let known):
            return "unknown model \"\(name)\" (available: \(known.joined(separator: ", ")))"
        case .noClipsFound(let path):
            return "\(path): no clip folders found (a clip folder holds PNG frames and a roi.json)"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .invalidSetting(let name, let detail):
            return "\(name): \(detail)"
        case .missingInput(let path):
            return "\(path): no such file or folder"
        case .ambiguousBaseline(let timepoints):
            return
                "cannot tell which timepoint is the baseline among \(timepoints.joined(separator: ", ")): name it with --baseline NAME, or \"baseline\": \"NAME\" in study.json at the root of a folder study, or give a day column in the manifest (or call the timepoint \"baseline\")"
        case .unusableResults(let path, let detail):
            return "\(path): \(detail)"
        case .folderInUse(let path, let holder, nil):
            return
                "\(path): the results folder is in use by \(holder); wait for it to finish, or write to another folder (one run per results folder)"
        case .folderInUse(let path, let holder, let stale?):
            return
                "\(path): the results folder is locked by \(holder) on another machine; if no run is under way there, delete \(stale) and run again"
        case .invalidStudy(let path, let problems):
            return "\(path): \(problems.count) problem(s) in the study, nothing was analysed:\n  "
                + problems.joined(separator: "\n  ")
        case .invalidTable(let path, let line, let detail):
            return line > 0 ? "\(path):\(line): \(detail)" : "\(path): \(detail)"
        }
    }
}

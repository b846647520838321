import CEUSImaging

/// The exit codes of the command line (sysexits, as swift-argument-parser uses them), by error.
public enum ExitStatus {
    /// Some inputs failed but the rest were written (`batch`, `merge`, `demo`).
    static let partialFailure: Int32 = 1
    /// Usage error: a bad flag or value.
    static let usage: Int32 = 64
    /// The input data is unusable and nothing could be done.
    static let dataError: Int32 = 65
    /// An input file or folder does not exist.
    static let missingInput: Int32 = 66
    /// Another run holds the results folder: try again later (EX_TEMPFAIL).
    static let busy: Int32 = 75

    /// The exit code for `error`: 66 when an input does not exist, 64 for an invalid setting, 75 when another run holds the results folder, else 65.
    public static func code(for error: any Error) -> Int32 {
        switch error {
        case let e as CEUSImagingError: return e.isMissingInput ? missingInput : dataError
        case PerfusionAnalysisError.missingInput: return missingInput
        case PerfusionAnalysisError.invalidSetting, PerfusionAnalysisError.unknownModel: return usage
        case PerfusionAnalysisError.folderInUse: return busy
        default: return dataError
        }
    }
}

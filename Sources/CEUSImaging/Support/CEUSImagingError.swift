/// Everything that can be wrong with a clip, a region file or their metadata.
///
/// Each case carries what was seen (path, frame, line, expected vs found) and reads as one sentence a user
/// can act on.
public enum CEUSImagingError: Error, Equatable, CustomStringConvertible, Sendable {
    case missingInput(path: String)
    case notAClip(path: String, reason: String)
    case noFrames(folder: String, pattern: String)
    case unreadableImage(path: String, reason: String)
    case frameSizeMismatch(path: String, expected: String, found: String, firstFrame: String)
    case malformedJSON(path: String, line: Int, column: Int, detail: String)
    case invalidField(path: String, field: String, detail: String)
    case missingTiming(path: String)
    case timestampCount(path: String, timestamps: Int, frames: Int)
    case nonIncreasingTimes(path: String, index: Int, previous: Double, value: Double)
    case regionOutsideFrame(path: String, region: String, bounds: String, frame: String)
    case emptyRegion(path: String, region: String)
    case invalidRegion(path: String, region: String, detail: String)
    case paneOutsideFrame(path: String, pane: String, frame: String)
    case writeFailed(path: String, reason: String)
    case malformedDICOM(path: String, offset: Int, detail: String)
    case unsupportedDICOM(path: String, detail: String)
    /// A count or size read from a file is beyond a documented limit (``ImageLimits``).
    case outsideLimit(path: String, field: String, value: String, limit: String)

    /// True when the named input does not exist (exit code 66); every other case is unusable data (65).
    public var isMissingInput: Bool {
        if case .missingInput = self { return true }
        return false
    }

    /// The message: the file, the frame or byte offset, and what was expected.
    public var description: String {
        switch self {
        case .missingInput(let path):
            return "\(path): no such file or folder"
        case .notAClip(let path, let reason):
            return "\(path): not a clip: \(reason)"
        case .noFrames(let folder, let pattern):
            return "\(folder): no frames found (looked for files matching \"\(pattern)\")"
        case .unreadableImage(let path, let reason):
            return "\(path): cannot read PNG frame: \(reason)"
        case .frameSizeMismatch(let path, let expected, let found, let first):
            return
                "\(path): frame is \(found) pixels but the first frame (\(first)) is \(expected); all frames of a clip must have one size"
        case .malformedJSON(let path, let line, let column, let detail):
            return "\(path):\(line):\(column): malformed JSON: \(detail)"
        case .invalidField(let path, let field, let detail):
            return "\(path): \(field): \(detail)"
        case .missingTiming(let path):
            return
                "\(path): no frame timing: add \"frameRate\" (Hz) or \"frameTimes\" (s) to clip.json, or pass --frame-rate"
        case .timestampCount(let path, let timestamps, let frames):
            return
                "\(path): frameTimes has \(timestamps) timestamps but the clip has \(frames) frames; give exactly one time per frame"
        case .nonIncreasingTimes(let path, let index, let previous, let value):
            return "\(path): frame times must increase, but frameTimes[\(index)] = \(value) follows \(previous)"
        case .regionOutsideFrame(let path, let region, let bounds, let frame):
            return "\(path): region \"\(region)\" spans \(bounds), outside the \(frame) contrast pane"
        case .emptyRegion(let path, let region):
            return "\(path): region \"\(region)\" contains no pixel centre; make it larger"
        case .invalidRegion(let path, let region, let detail):
            return "\(path): region \"\(region)\": \(detail)"
        case .paneOutsideFrame(let path, let pane, let frame):
            return "\(path): contrast pane \(pane) does not fit in the \(frame) frame"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .malformedDICOM(let path, let offset, let detail):
            return "\(path): malformed DICOM at byte \(offset): \(detail)"
        case .unsupportedDICOM(let path, let detail):
            return "\(path): \(detail)"
        case .outsideLimit(let path, let field, let value, let limit):
            return "\(path): \(field) is \(value), beyond the limit of \(limit); nothing was read"
        }
    }
}

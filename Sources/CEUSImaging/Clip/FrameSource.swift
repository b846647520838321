/// Where a clip's frames come from. Implementations decode one frame at a time and are safe to call
/// from several threads at once.
public protocol FrameSource: Sendable {
    /// Number of frames.
    var frameCount: Int { get }
    /// Frame size in pixels.
    var width: Int { get }
    var height: Int { get }
    /// A short name of frame `index` for messages (a file name, or `frame 12`).
    func frameName(_ index: Int) -> String
    /// Decodes frame `index` (0-based).
    func frame(at index: Int) throws -> Frame
}

import Foundation

/// The PNG frames of a clip folder, in natural filename order.
struct PNGFolderSource: FrameSource {
    /// Folder path.
    let folder: String
    /// Full paths of the frames, in order.
    let framePaths: [String]
    let width: Int
    let height: Int

    /// Lists the frames of `folder` that match `pattern` and checks every header: each frame must be a PNG
    /// and all must share one size.
    init(folder: String, pattern: String = "*.png") throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
            throw CEUSImagingError.missingInput(path: folder)
        }
        guard isFolder.boolValue else {
            throw CEUSImagingError.notAClip(path: folder, reason: "expected a folder of PNG frames")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw CEUSImagingError.notAClip(path: folder, reason: "the folder cannot be listed")
        }
        let frames = names.filter { Self.matches($0, pattern: pattern) }.sorted(by: NaturalOrder.precedes)
        guard !frames.isEmpty else { throw CEUSImagingError.noFrames(folder: folder, pattern: pattern) }
        self.folder = folder
        framePaths = frames.map { (folder as NSString).appendingPathComponent($0) }

        let first = try PNGCodec.header(path: framePaths[0])
        width = first.width
        height = first.height
        for path in framePaths.dropFirst() {
            let h = try PNGCodec.header(path: path)
            if h.width != first.width || h.height != first.height {
                throw CEUSImagingError.frameSizeMismatch(
                    path: path, expected: "\(first.width)x\(first.height)", found: "\(h.width)x\(h.height)",
                    firstFrame: frames[0])
            }
        }
    }

    var frameCount: Int { framePaths.count }

    func frameName(_ index: Int) -> String { framePaths[index] }

    func frame(at index: Int) throws -> Frame {
        let frame = try PNGCodec.decode(path: framePaths[index])
        guard frame.width == width, frame.height == height else {
            throw CEUSImagingError.frameSizeMismatch(
                path: framePaths[index], expected: "\(width)x\(height)", found: "\(frame.width)x\(frame.height)",
                firstFrame: framePaths[0])
        }
        return frame
    }

    /// Shell-style match of a file name (`*`, `?`, case-insensitive).
    static func matches(_ name: String, pattern: String) -> Bool {
        if name.hasPrefix(".") { return false }
        return fnmatch(pattern.lowercased(), name.lowercased(), 0) == 0
    }
}

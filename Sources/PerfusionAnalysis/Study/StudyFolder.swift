import CEUSImaging
import Foundation

/// The clips of a study folder tree `SUBJECT/TIMEPOINT/CLIP`, each clip folder holding PNG frames and a
/// `roi.json` (DESIGN.md §4).
public struct StudyFolder: Sendable {
    /// One clip found in the tree.
    public struct ClipEntry: Sendable, Equatable {
        /// Clip folder path.
        public let path: String
        /// Path components below the study root, for example ["S01", "baseline", "clip01"].
        public let components: [String]

        public var subject: String { components.count >= 3 ? components[components.count - 3] : "" }
        public var timepoint: String { components.count >= 2 ? components[components.count - 2] : "" }
        /// In a folder tree the clip folder names the lesion.
        public var lesion: String { components.last ?? "" }
        public var roiPath: String { (path as NSString).appendingPathComponent("roi.json") }
    }

    public let root: String
    public let clips: [ClipEntry]

    /// Finds every folder below `root` that holds a `roi.json`, in natural order of its path.
    public init(root: String) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
            throw CEUSImagingError.missingInput(path: root)
        }
        var found: [ClipEntry] = []
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            guard (relative as NSString).lastPathComponent == "roi.json" else { continue }
            let folder = (relative as NSString).deletingLastPathComponent
            let components = folder.split(separator: "/").map(String.init)
            guard !components.contains(where: { $0.hasPrefix(".") }) else { continue }
            found.append(ClipEntry(path: (root as NSString).appendingPathComponent(folder), components: components))
        }
        guard !found.isEmpty else { throw PerfusionAnalysisError.noClipsFound(path: root) }
        self.root = root
        clips = found.sorted {
            NaturalOrder.precedes($0.components.joined(separator: "/"), $1.components.joined(separator: "/"))
        }
    }
}

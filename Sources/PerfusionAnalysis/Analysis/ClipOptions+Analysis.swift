import CEUSImaging
import Foundation

/// Overrides of a clip's `clip.json` (frame rate, dynamic range, exp constant, contrast pane).
public typealias ClipOptions = CEUSImaging.ClipOptions

/// A rectangle in frame pixels (a pane).
public typealias PixelRect = CEUSImaging.PixelRect

extension PixelRect {
    /// The rectangle of `X,Y,W,H` (pixels, width and height positive), as `--contrast-pane` takes it; nil
    /// when the text is not of that form.
    public init?(parsing text: String) {
        let v = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count == 4, v[0] >= 0, v[1] >= 0, v[2] > 0, v[3] > 0 else { return nil }
        self.init(x: v[0], y: v[1], width: v[2], height: v[3])
    }
}

/// The automatic frame rules and motion compensation (CEUSImaging), for the command-line tool.
public typealias FrameRules = CEUSImaging.FrameRules

/// Frame index lists such as `12-18,40` (CEUSImaging), for `--exclude`.
public typealias FrameRanges = CEUSImaging.FrameRanges

/// Motion-estimation throughput (CEUSImaging), for `echoflow bench`.
public typealias MotionBenchmark = CEUSImaging.MotionBenchmark

/// The `roi.json` text of any region file (for `echoflow roi convert`).
public enum RegionFileText {
    /// Reads `path` (roi.json, an ImageJ .roi or RoiSet.zip) and returns its regions as `roi.json`, with the
    /// reference region and reference frame given (they replace the file's own).
    ///
    /// - Throws: when `reference` is not one of the regions.
    public static func json(_ path: String, reference: String? = nil, referenceFrame: Int? = nil) throws -> String {
        try convert(path, reference: reference, referenceFrame: referenceFrame).json
    }

    /// A converted region file: its `roi.json` text, and the mask PNGs its label regions need.
    public struct Converted {
        let file: RegionFile
        /// The `roi.json` text.
        public var json: String { file.jsonText }
        /// Whether regions come from a label image (they are written as mask PNGs).
        public let hasLabelMasks: Bool
        /// Writes the mask PNGs of label regions into `folder`; returns their paths.
        public func writeMasks(_ folder: String) throws -> [String] { try file.writeLabelMasks(into: folder) }
    }

    /// Reads `path` for conversion, with the reference region and frame given.
    public static func convert(_ path: String, reference: String? = nil, referenceFrame: Int? = nil) throws
        -> Converted
    {
        let file = try RegionFile.load(path).with(reference: reference, referenceFrame: referenceFrame)
        return Converted(file: file, hasLabelMasks: file.hasLabelRegions)
    }
}

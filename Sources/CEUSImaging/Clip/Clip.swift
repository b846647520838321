import Foundation

/// A clip opened for analysis: its frames, their times, the contrast pane and the linearization.
public struct Clip: Sendable {
    /// The path the clip was opened from.
    let path: String
    /// The frames.
    public let source: any FrameSource
    /// Time of each frame (s), measured from the injection time when one is given, else from frame times.
    public let times: [Double]
    /// How display values become linear power.
    public let linearization: Linearization
    /// The tinted colour map the contrast pane is shown with; nil for grey (luminance).
    public let colorMap: ColorMap?
    /// The pane that regions refer to (the whole frame unless `contrastPane` is given).
    public let contrastPane: PixelRect
    /// Pixel size of the contrast pane (mm) along x and y, when known (DICOM regions in cm, or clip.json).
    public var pixelSizeMM: (x: Double, y: Double)? {
        guard let size = metadata.pixelSizeMM, size.count == 2, size[0] > 0, size[1] > 0 else { return nil }
        return (size[0], size[1])
    }
    /// The B-mode pane beside the contrast pane, when the clip has one (motion is measured there).
    public let bmodePane: PixelRect?
    /// Frames the user left out of fits (`excludedFrames` of clip.json and `--exclude`; sorted, unique, within
    /// range).
    public let excludedFrames: [Int]
    /// The automatic frame rules and motion compensation for this clip.
    public let frameRules: FrameRules
    /// The motion reference frame named by a flag, if any.
    public let motionReference: Int?
    /// The metadata file as read (empty when the clip has none).
    let metadata: ClipMetadata

    /// Number of frames.
    public var frameCount: Int { source.frameCount }

    /// Name of the metadata file inside a clip folder.
    static let metadataFileName = "clip.json"

    /// Opens the clip folder at `path`, reading its optional `clip.json`; `options` override the file.
    ///
    /// - Throws: ``CEUSImagingError`` naming the file and the problem.
    public static func open(_ path: String, options: ClipOptions = ClipOptions()) throws -> Clip {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw CEUSImagingError.missingInput(path: path)
        }
        guard isFolder.boolValue else {
            let head = FileHandle(forReadingAtPath: path)?.readData(ofLength: 132) ?? Data()
            guard DICOMParser.hasMagic(head) || path.lowercased().hasSuffix(".dcm") else {
                throw CEUSImagingError.notAClip(
                    path: path, reason: "expected a folder of PNG frames (with an optional clip.json) or a DICOM file")
            }
            return try openDICOM(path, options: options)
        }
        let metadataPath = (path as NSString).appendingPathComponent(metadataFileName)
        var metadata = ClipMetadata()
        if FileManager.default.fileExists(atPath: metadataPath) {
            metadata = try JSONFile.decode(ClipMetadata.self, from: metadataPath, keys: ClipMetadata.keys)
        }
        let source = try PNGFolderSource(folder: path, pattern: metadata.frames ?? "*.png")
        return try Clip(path: path, source: source, metadata: metadata, metadataPath: metadataPath, options: options)
    }

    /// Opens a DICOM multi-frame file: frames, frame timing from its tags (flags override them).
    static func openDICOM(_ path: String, options: ClipOptions) throws -> Clip {
        let file = try DICOMFile(path: path)
        let source = try DICOMFrameSource(file: file)
        var metadata = ClipMetadata()
        if options.frameRate == nil { metadata.frameTimes = try file.frameTimes(frameCount: source.frameCount) }
        let panes = UltrasoundRegion.panes(UltrasoundRegion.regions(of: file))
        metadata.contrastPane = panes.contrast?.rect
        metadata.bmodePane = panes.bmode?.rect
        metadata.pixelSizeMM = panes.contrast?.pixelSizeMM.map { [$0.x, $0.y] }
        return try Clip(path: path, source: source, metadata: metadata, metadataPath: path, options: options)
    }

    /// Frame rates that are plausible for ultrasound (Hz); anything else is an error, not a clip to analyse.
    static let frameRates = 0.01...10_000.0

    /// Assembles a clip from any frame source and its metadata (validated here).
    init(
        path: String, source: any FrameSource, metadata: ClipMetadata, metadataPath: String,
        options: ClipOptions = ClipOptions()
    ) throws {
        self.path = path
        self.source = source
        self.metadata = metadata
        let count = source.frameCount

        // Timing: a flag's frame rate, then frameTimes, then frameRate; both in the file is a conflict, even when
        // they agree (which one was meant cannot be known).
        if metadata.frameRate != nil && metadata.frameTimes != nil {
            throw CEUSImagingError.invalidField(
                path: metadataPath, field: "frameRate",
                detail: "clip.json gives both frameRate and frameTimes; keep one (frameTimes for uneven timing)")
        }
        var raw: [Double]
        if let rate = options.frameRate ?? (metadata.frameTimes == nil ? metadata.frameRate : nil) {
            guard rate.isFinite, rate >= Self.frameRates.lowerBound, rate <= Self.frameRates.upperBound else {
                throw CEUSImagingError.invalidField(
                    path: options.frameRate != nil ? "--frame-rate" : metadataPath, field: "frameRate",
                    detail:
                        "must be a number of frames per second from \(Self.frameRates.lowerBound) to \(Self.frameRates.upperBound), found \(rate)"
                )
            }
            raw = (0..<count).map { Double($0) / rate }
        } else if let given = metadata.frameTimes {
            guard given.count == count else {
                throw CEUSImagingError.timestampCount(path: metadataPath, timestamps: given.count, frames: count)
            }
            for i in 1..<max(given.count, 1) where !(given[i] > given[i - 1]) {
                throw CEUSImagingError.nonIncreasingTimes(
                    path: metadataPath, index: i, previous: given[i - 1], value: given[i])
            }
            raw = given
        } else {
            throw CEUSImagingError.missingTiming(path: path)
        }
        if let injection = metadata.injectionTime {
            // The injection must fall within the recording: after its end every time would be negative (TTP too).
            guard injection.isFinite, let first = raw.first, let last = raw.last, injection >= first - 1e-9,
                injection <= last + 1e-9
            else {
                throw CEUSImagingError.invalidField(
                    path: metadataPath, field: "injectionTime",
                    detail:
                        "\(injection) s is outside the clip (\(raw.first ?? 0) to \(raw.last ?? 0) s on the frame time axis); give the time of the injection within the recording, or leave it out"
                )
            }
            raw = raw.map { $0 - injection }
        }
        times = raw

        // Linearization: flags first, then the file, then the default.
        let ymax = 255.0
        if let c = options.expConstant ?? (options.dynamicRangeDB == nil ? metadata.expConstant : nil) {
            guard c > 0, c.isFinite else {
                throw CEUSImagingError.invalidField(
                    path: metadataPath, field: "expConstant", detail: "must be positive, found \(c)")
            }
            linearization = Linearization(expConstant: c, maxDisplayValue: ymax)
        } else {
            let dr = options.dynamicRangeDB ?? metadata.dynamicRangeDB ?? Linearization.defaultDynamicRangeDB
            guard dr > 0, dr.isFinite else {
                throw CEUSImagingError.invalidField(
                    path: options.dynamicRangeDB != nil ? "--dynamic-range" : metadataPath, field: "dynamicRangeDB",
                    detail: "must be a positive number of dB, found \(dr)")
            }
            linearization = Linearization(dynamicRangeDB: dr)
        }
        colorMap = try metadata.colorMap.flatMap { try ColorMap.resolve($0, metadataPath: metadataPath) }

        let frame = PixelRect(x: 0, y: 0, width: source.width, height: source.height)
        if let pane = options.contrastPane ?? metadata.contrastPane {
            guard pane.x >= 0, pane.y >= 0, pane.width > 0, pane.height > 0,
                pane.x + pane.width <= source.width, pane.y + pane.height <= source.height
            else {
                throw CEUSImagingError.paneOutsideFrame(
                    path: metadataPath, pane: "\(pane)", frame: "\(source.width)x\(source.height)")
            }
            contrastPane = pane
        } else {
            contrastPane = frame
        }

        if let pane = options.bmodePane ?? metadata.bmodePane {
            guard pane.x >= 0, pane.y >= 0, pane.width >= 4, pane.height >= 4,
                pane.x + pane.width <= source.width, pane.y + pane.height <= source.height
            else {
                throw CEUSImagingError.paneOutsideFrame(
                    path: options.bmodePane != nil ? "--bmode-pane" : metadataPath, pane: "\(pane)",
                    frame: "\(source.width)x\(source.height)")
            }
            bmodePane = pane
        } else {
            bmodePane = nil
        }

        if let bad = metadata.excludedFrames?.first(where: { $0 < 0 || $0 >= count }) {
            throw CEUSImagingError.invalidField(
                path: metadataPath, field: "excludedFrames",
                detail: "frame index \(bad) is outside 0...\(count - 1) (indices count from 0)")
        }
        if let bad = options.excludedFrames.first(where: { $0 < 0 || $0 >= count }) {
            throw CEUSImagingError.invalidField(
                path: "--exclude", field: "excludedFrames",
                detail: "frame index \(bad) is outside 0...\(count - 1) (indices count from 0)")
        }
        excludedFrames = Array(Set((metadata.excludedFrames ?? []) + options.excludedFrames)).sorted()
        if let reference = options.motionReference, !(0..<count).contains(reference) {
            throw CEUSImagingError.invalidField(
                path: "--motion-reference", field: "referenceFrame",
                detail: "frame index \(reference) is outside 0...\(count - 1) (indices count from 0)")
        }
        motionReference = options.motionReference
        frameRules = FrameRules(
            automatic: !options.keepAllFrames, motion: options.motion ?? metadata.motion ?? false,
            minimumCorrelation: options.minimumCorrelation)
    }
}

/// A rectangle in frame pixels: `x`, `y` of the top-left corner, `width`, `height`.
public struct PixelRect: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Left column (pixels from the frame's left edge).
    public var x: Int
    /// Top row (pixels from the frame's top edge).
    public var y: Int
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int

    /// The rectangle with top-left corner (`x`, `y`) and size, in frame pixels.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// `WxH+X+Y`, as image tools write geometry.
    public var description: String { "\(width)x\(height)+\(x)+\(y)" }
}

/// The optional `clip.json` beside a clip's PNG frames (DESIGN.md §4). Every field is optional;
/// command-line flags override them.
public struct ClipMetadata: Codable, Sendable, Equatable {
    /// Frames per second (Hz); frame i is at i / frameRate.
    public var frameRate: Double?
    /// Time of each frame (s), one per frame, strictly increasing.
    var frameTimes: [Double]?
    /// Dynamic range of the log compression (dB).
    public var dynamicRangeDB: Double?
    /// Alternative law `P = exp(Y / c)`: the constant `c` in display units (for example 24.09).
    var expConstant: Double?
    /// `grey`, a built-in tinted map (`amber`, `hot`) or a map file relative to clip.json (`ColorMap`).
    var colorMap: String?
    /// Whether frames are aligned to a reference frame before regions are averaged (`--motion`).
    var motion: Bool?
    /// Contrast and B-mode pane rectangles in frame pixels.
    var contrastPane: PixelRect?
    var bmodePane: PixelRect?
    /// Injection time (s on the frame time axis); analysis times are measured from it.
    var injectionTime: Double?
    /// Frames (indices from 0) to leave out of the fit.
    var excludedFrames: [Int]?
    /// File name pattern of the frames (`*` and `?` wildcards), default `*.png`.
    var frames: String?
    /// Pixel size (mm) of the contrast pane along x and y, for region areas.
    var pixelSizeMM: [Double]?

    /// Metadata with every field absent.
    public init() {}

    /// The keys `clip.json` may have (an unknown key is an error naming the closest of these).
    static let keys = JSONKeys(
        [
            "frameRate", "frameTimes", "dynamicRangeDB", "expConstant", "colorMap", "contrastPane", "bmodePane",
            "injectionTime", "excludedFrames", "frames", "pixelSizeMM", "motion",
        ],
        nested: ["contrastPane": PixelRect.keys, "bmodePane": PixelRect.keys])
}

extension PixelRect {
    /// The keys of a rectangle.
    static let keys = JSONKeys(["x", "y", "width", "height"])
}

/// Settings that override `clip.json` (from command-line flags).
public struct ClipOptions: Sendable, Equatable {
    /// Frame rate (Hz) overriding the clip's own timing.
    public var frameRate: Double?
    /// Dynamic range (dB) of the log compression.
    public var dynamicRangeDB: Double?
    /// Constant c of the law P = exp(Y / c), instead of a dynamic range.
    public var expConstant: Double?
    /// Contrast pane in frame pixels, overriding clip.json and DICOM regions.
    public var contrastPane: PixelRect?
    /// B-mode pane in frame pixels, overriding clip.json and DICOM regions.
    public var bmodePane: PixelRect?
    /// Frames (indices from 0) to leave out, in addition to `excludedFrames` of clip.json.
    public var excludedFrames: [Int] = []
    /// Motion compensation on (true) or off (false); nil leaves `motion` of clip.json (default off).
    public var motion: Bool?
    /// Frame (index from 0) the regions were drawn on, the motion reference; overrides `referenceFrame` of
    /// the region file.
    public var motionReference: Int?
    /// Whether the automatic frame rules (flash, duplicate, out of plane) are off.
    public var keepAllFrames = false
    /// Threshold of the out-of-plane rule (normalised correlation with the reference frame).
    public var minimumCorrelation = FrameRules.defaultMinimumCorrelation

    /// Overrides; nil leaves the clip's own value.
    public init(
        frameRate: Double? = nil, dynamicRangeDB: Double? = nil, expConstant: Double? = nil,
        contrastPane: PixelRect? = nil, bmodePane: PixelRect? = nil, excludedFrames: [Int] = [],
        motion: Bool? = nil, motionReference: Int? = nil, keepAllFrames: Bool = false,
        minimumCorrelation: Double = FrameRules.defaultMinimumCorrelation
    ) {
        self.frameRate = frameRate
        self.dynamicRangeDB = dynamicRangeDB
        self.expConstant = expConstant
        self.contrastPane = contrastPane
        self.bmodePane = bmodePane
        self.excludedFrames = excludedFrames
        self.motion = motion
        self.motionReference = motionReference
        self.keepAllFrames = keepAllFrames
        self.minimumCorrelation = minimumCorrelation
    }
}

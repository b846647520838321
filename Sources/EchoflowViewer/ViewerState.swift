import CEUSImaging
import Foundation
import PerfusionAnalysis

/// What the viewer serves: the opened clip, the current regions and where they are saved.
///
/// Every computation goes through `ClipSession` (PerfusionAnalysis) (the code of `echoflow analyze`); this type only keeps the
/// regions and turns results into the JSON of the HTTP contract. Safe to use from several requests at once.
public final class ViewerState: @unchecked Sendable {
    /// The clip, opened once.
    public let session: ClipSession
    /// Where `PUT /api/roi` saves: the `--roi` file when it is a `roi.json`, otherwise the clip's default
    /// `roi.json` (an imported ImageJ or NIfTI file is never overwritten).
    public let savePath: String
    /// The region file the regions were first read from, when there was one.
    public let loadedFrom: String?
    private let lock = NSLock()
    private var regions: RegionFile?
    /// The label regions of an imported NIfTI mask: their mask PNGs are written beside ``savePath`` on saving.
    private let importedLabels: RegionFile?
    /// Encoded frames, most recent last (a few hundred kB each).
    private var frameCache: [(index: Int, png: [UInt8])] = []
    private static let cachedFrames = 64

    /// Opens `clip` with `settings` and reads the regions of `roi` (or of the clip's own region file, when it has
    /// one).
    ///
    /// - Throws: when the clip cannot be opened, or the region file cannot be read or does not fit the clip.
    public init(clip: String, roi: String?, settings: AnalysisSettings = AnalysisSettings()) throws {
        session = try ClipSession(clip: clip, settings: settings)
        let defaultPath = ClipSession.savedRegionPath(ofClip: clip)
        let existing = roi ?? Study.regionFile(ofClip: clip)
        let pane = session.clip.contrastPane
        if FileManager.default.fileExists(atPath: existing) {
            let file = try RegionFile.load(existing)
            _ = try file.masks(paneWidth: pane.width, paneHeight: pane.height)
            regions = file
            loadedFrom = existing
        } else if let roi {
            throw CEUSImagingError.missingInput(path: roi)
        } else {
            loadedFrom = nil
        }
        let isJSON = loadedFrom.map { $0.lowercased().hasSuffix(".json") } ?? false
        savePath = isJSON ? loadedFrom! : defaultPath
        importedLabels = regions?.hasLabelRegions == true && !isJSON ? regions : nil
    }

    // MARK: - The contract's answers

    /// `GET /api/clip`.
    public var clipJSON: String {
        let clip = session.clip
        func rect(_ r: PixelRect?) -> JSONValue {
            guard let r else { return .null }
            return .object([
                ("x", .int(r.x)), ("y", .int(r.y)), ("width", .int(r.width)), ("height", .int(r.height)),
            ])
        }
        return JSONValue.object([
            ("frames", .int(clip.frameCount)), ("width", .int(clip.source.width)),
            ("height", .int(clip.source.height)), ("times_s", .numbers(clip.times)),
            ("contrastPane", rect(clip.contrastPane)), ("bmodePane", rect(clip.bmodePane)),
            ("clip", .string(session.clipPath)), ("roiFile", .string(savePath)),
            ("loadedFrom", loadedFrom.map(JSONValue.string) ?? .null),
        ]).text
    }

    /// `GET /api/frame/N.png`: frame `index` as PNG, nil past the end.
    public func framePNG(_ index: Int) throws -> [UInt8]? {
        guard index >= 0, index < session.clip.frameCount else { return nil }
        if let hit = lock.withLock({ frameCache.first { $0.index == index }?.png }) { return hit }
        let png = try PNGCodec.encode(try session.clip.source.frame(at: index), fast: true)
        lock.withLock {
            frameCache.removeAll { $0.index == index }
            frameCache.append((index, png))
            if frameCache.count > Self.cachedFrames { frameCache.removeFirst() }
        }
        return png
    }

    /// `GET /api/roi`: the current regions as `roi.json` (no region yet: an empty list).
    public var regionJSON: String {
        lock.withLock { regions?.jsonText ?? "{\"rois\": []}\n" }
    }

    /// Checks `body` exactly as `roi.json` is checked (and against the contrast pane), as a file at ``savePath``.
    func validate(_ body: [UInt8]) throws -> RegionFile {
        let file = try RegionFile.parse(json: Data(body), path: savePath)
        let pane = session.clip.contrastPane
        _ = try file.masks(paneWidth: pane.width, paneHeight: pane.height)
        return file
    }

    /// `PUT /api/roi`: validates `body`, then saves it atomically to ``savePath`` and makes it the current regions.
    /// Nothing is written when it is invalid.
    public func save(_ body: [UInt8]) throws {
        // The mask PNGs of imported label regions go beside the roi.json first, so that a body naming them (as
        // GET /api/roi does) validates.
        if let importedLabels {
            let folder = (savePath as NSString).deletingLastPathComponent
            let needed = importedLabels.labelMaskFileNames.filter {
                !FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent($0))
            }
            if !needed.isEmpty { _ = try importedLabels.writeLabelMasks(into: folder) }
        }
        let file = try validate(body)
        try AtomicFile.write(String(decoding: body, as: UTF8.self), to: savePath)
        lock.withLock { regions = file }
    }

    /// `POST /api/tic`: each region's curve, linearized as `analyze` does, with the excluded frames.
    public func curvesJSON(_ body: [UInt8]) throws -> String {
        let curves = try session.curves(try validate(body))
        return JSONValue.object([
            (
                "regions",
                .array(
                    curves.map { c in
                        .object([
                            ("name", .string(c.region)), ("pixels", .int(c.pixelCount)),
                            ("times_s", .numbers(c.times)), ("intensity_au", .numbers(c.intensities)),
                            ("excluded", .array(c.excluded.map(JSONValue.bool))),
                            ("exclusion", .array(c.exclusions.map { $0.map { .string($0.rawValue) } ?? .null })),
                        ])
                    })
            )
        ]).text
    }

    /// `POST /api/fit`: each region's fit and its `parameters.csv` values (the selected model), with the fitted
    /// curve at the frame times and the analysis's warnings.
    public func fitJSON(_ body: [UInt8]) throws -> String {
        let analysis = try session.analysis(try validate(body), roiPath: savePath)
        return JSONValue.object([
            (
                "regions",
                .array(
                    analysis.regionParameters.map { r in
                        .object([
                            ("name", .string(r.region)), ("status", .string(r.status)), ("model", .string(r.model)),
                            (
                                "parameters",
                                .object(
                                    r.values.map { v in
                                        switch v.value {
                                        case .text(let t): return (v.name, .string(t))
                                        case .number(let x): return (v.name, .number(x))
                                        case .integer(let n): return (v.name, .int(n))
                                        case .empty: return (v.name, .null)
                                        }
                                    })
                            ),
                            ("fitted_au", .numbers(r.fitted)),
                        ])
                    })
            ),
            ("warnings", .array(analysis.warnings.map(JSONValue.string))),
        ]).text
    }
}

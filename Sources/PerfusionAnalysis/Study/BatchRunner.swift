import CEUSImaging
import Dispatch
import Foundation
import PerfusionFitting

/// Settings of a batch run; they are part of every clip's fingerprint.
public struct BatchSettings: Sendable, Equatable, Codable {
    var model = ModelRegistry.defaultModel.name
    var frameRate: Double?
    var dynamicRangeDB: Double?
    var expConstant: Double?
    var contrastPane: PixelRect?
    // Added with the frame rules; optional so that run.json files written before them still read (nil: default).
    var bmodePane: PixelRect?
    var motion: Bool?
    var keepAllFrames: Bool?
    var minimumCorrelation: Double?
    /// `noise` or `none` (``FitWeighting``). Always written; nil in a run.json written before fits were weighted,
    /// whose results were unweighted fits, so that such a run is never resumed as if it matched.
    var weighting: String?

    /// Settings fitting `model` with `clipOptions` for every clip (their per-clip fields, `excludedFrames` and
    /// `motionReference`, do not apply to a batch: they come from each clip's `clip.json` and region file), residuals
    /// weighted by `weighting`.
    public init(
        model: String = ModelRegistry.defaultModel.name, clipOptions: ClipOptions = ClipOptions(),
        weighting: FitWeighting = .noise
    ) {
        self.model = model
        self.weighting = weighting.rawValue
        frameRate = clipOptions.frameRate
        dynamicRangeDB = clipOptions.dynamicRangeDB
        expConstant = clipOptions.expConstant
        contrastPane = clipOptions.contrastPane
        bmodePane = clipOptions.bmodePane
        motion = clipOptions.motion
        keepAllFrames = clipOptions.keepAllFrames ? true : nil
        minimumCorrelation =
            clipOptions.minimumCorrelation == FrameRules.defaultMinimumCorrelation
            ? nil : clipOptions.minimumCorrelation
    }

    var analysis: AnalysisSettings {
        AnalysisSettings(
            model: model,
            clipOptions: ClipOptions(
                frameRate: frameRate, dynamicRangeDB: dynamicRangeDB, expConstant: expConstant,
                contrastPane: contrastPane, bmodePane: bmodePane, motion: motion,
                keepAllFrames: keepAllFrames ?? false,
                minimumCorrelation: minimumCorrelation ?? FrameRules.defaultMinimumCorrelation),
            weighting: weighting.flatMap(FitWeighting.init(rawValue:)) ?? .none)
    }
}

/// What happened to one clip, as kept in `run.json`.
public struct ClipRecord: Sendable, Equatable, Codable {
    /// Subject of the clip.
    public var subject: String
    /// Lesion of the clip.
    public var lesion: String
    /// Timepoint of the clip.
    public var timepoint: String
    var clip: String
    /// Checksum (`Fingerprint`) of Echoflow's version, the settings, the region file and every file of the clip.
    var fingerprint: String
    /// `ok` or `failed`.
    public var status: String
    /// Stage of a failure (`clip`, `roi`, `frames`, `fit`, `write`).
    public var stage: String?
    /// What went wrong, in words.
    public var message: String?
    /// The files written into the clip's output folder (names); a clip whose files are not all there is analysed
    /// again.
    var files: [String]?
}

/// `run.json`: the record of a results folder, used to resume and to merge shards.
public struct RunManifest: Sendable, Equatable, Codable {
    var echoflowVersion: String
    var settings: BatchSettings
    /// The study the folder belongs to.
    public var study: Study
    /// Records by output folder (`clips/SUBJECT/LESION/TIMEPOINT`).
    public var clips: [String: ClipRecord]
    /// The shard (`K/N`) the folder holds, nil for an unsharded or merged run.
    var shard: String?

    static let fileName = "run.json"

    static func load(_ folder: String) -> RunManifest? {
        let path = (folder as NSString).appendingPathComponent(fileName)
        guard let data = FileBytes.read(path) else { return nil }
        return try? JSONDecoder().decode(RunManifest.self, from: data)
    }

    func write(to folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(
            try encoder.encode(self) + Data("\n".utf8), to: (folder as NSString).appendingPathComponent(Self.fileName))
    }
}

/// Progress of a batch: clips finished (analysed or skipped), failed so far, and the total.
public struct BatchProgress: Sendable {
    /// Clips finished (analysed or skipped).
    public let done: Int
    /// Clips failed so far.
    public let failed: Int
    /// Clips in this run.
    public let total: Int
    /// Clips skipped as already done (part of `done`).
    public var skipped = 0
}

/// The outcome of a batch run.
public struct BatchOutcome: Sendable {
    /// Clips analysed in this run.
    public let analysed: Int
    /// Clips skipped as already done.
    public let skipped: Int
    /// Records of the clips that failed.
    public let failures: [ClipRecord]
    /// Clips in this run.
    public let total: Int
}

/// Analyses every clip of a study in parallel, resumably, writing per-clip outputs and study-wide tables.
///
/// Layout of the results folder: `clips/SUBJECT/LESION/TIMEPOINT/` (per-clip `tic.csv`, `parameters.csv`,
/// plots, `report.html`), `parameters.csv` and `tic.csv` for the study (subject, lesion and timepoint columns
/// first), `errors.csv`, and `run.json`. A clip is skipped when `run.json` records it as done with the same
/// fingerprint and its outputs are there; `run.json` is rewritten after every clip, so an interrupted run
/// resumes where it stopped. With a shard K/N only every N-th clip (from the K-th, in study order) is run.
public struct BatchRunner: Sendable {
    let study: Study
    let output: String
    let settings: BatchSettings
    let jobs: Int
    /// Shard index (1-based) and count.
    let shard: (index: Int, count: Int)?

    /// A run of `study` into `output` with `jobs` clips at once, optionally one shard (index from 1, count).
    public init(
        study: Study, output: String, settings: BatchSettings, jobs: Int, shard: (index: Int, count: Int)? = nil
    ) {
        self.study = study
        self.output = output
        self.settings = settings
        self.jobs = max(1, jobs)
        self.shard = shard
    }

    /// The entries this run is responsible for.
    var selected: [StudyEntry] {
        guard let shard else { return study.entries }
        return study.entries.enumerated().filter { $0.offset % shard.count == shard.index - 1 }.map(\.element)
    }

    /// `K/N`, or nil for an unsharded run.
    var shardName: String? { shard.map { "\($0.index)/\($0.count)" } }

    /// Refuses an output folder that would mix runs or be read as part of the study (README, "Results folders"):
    /// inside a folder study, or holding another shard's or other settings' results.
    func checkOutput(previous: RunManifest?) throws {
        func resolved(_ path: String) -> String {
            URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: study.source, isDirectory: &isFolder), isFolder.boolValue {
            let root = resolved(study.source)
            let target = resolved(output)
            if target == root || target.hasPrefix(root + "/") {
                throw PerfusionAnalysisError.invalidSetting(
                    name: "--output",
                    detail:
                        "\(output) is inside the study folder \(study.source), where its results would be read as clips; write the results outside the study folder"
                )
            }
        }
        guard let previous, previous.clips.values.contains(where: { $0.status == "ok" }) else { return }
        if previous.settings != settings {
            throw PerfusionAnalysisError.unusableResults(
                path: output,
                detail:
                    "holds results of other settings (model \(previous.settings.model), weighting \(previous.settings.weighting ?? "none (before weighted fits)")\(previous.settings.model == settings.model && previous.settings.weighting == settings.weighting ? ", other clip options" : "")); write these to another folder, or delete \(output) to start over"
            )
        }
        if previous.shard != shardName {
            let held = previous.shard.map { "shard \($0)" } ?? "an unsharded run"
            let this = shardName.map { "shard \($0)" } ?? "an unsharded run"
            throw PerfusionAnalysisError.unusableResults(
                path: output,
                detail:
                    "holds the results of \(held), and this is \(this); send each shard to its own folder and combine them with `echoflow merge SHARD-FOLDERS... --output RESULTS`"
            )
        }
    }

    /// Removes clip output folders of `clips/` that are not an entry of the study (a clip renamed or removed), so
    /// that no result of an earlier study is left beside the tables.
    func removeFoldersNotInStudy() {
        let fm = FileManager.default
        let clips = (output as NSString).appendingPathComponent("clips")
        let wanted = Set(study.entries.map(\.outputFolder))
        func folders(_ path: String) -> [String] {
            ((try? fm.contentsOfDirectory(atPath: path)) ?? []).sorted().filter {
                var isFolder: ObjCBool = false
                return fm.fileExists(atPath: (path as NSString).appendingPathComponent($0), isDirectory: &isFolder)
                    && isFolder.boolValue
            }
        }
        for subject in folders(clips) {
            let subjectPath = (clips as NSString).appendingPathComponent(subject)
            for lesion in folders(subjectPath) {
                let lesionPath = (subjectPath as NSString).appendingPathComponent(lesion)
                for timepoint in folders(lesionPath) where !wanted.contains("clips/\(subject)/\(lesion)/\(timepoint)") {
                    try? fm.removeItem(atPath: (lesionPath as NSString).appendingPathComponent(timepoint))
                }
                if folders(lesionPath).isEmpty { try? fm.removeItem(atPath: lesionPath) }
            }
            if folders(subjectPath).isEmpty { try? fm.removeItem(atPath: subjectPath) }
        }
    }

    /// Analyses every clip not already done, then writes the study tables; `progress` is called after each clip.
    /// The caller holds the folder's ``ResultsLock``.
    ///
    /// `checking` is called once with the number of clips before their inputs are hashed to find what is done.
    public func run(
        checking: (@Sendable (Int) -> Void)? = nil, progress: (@Sendable (BatchProgress) -> Void)? = nil
    ) throws -> BatchOutcome {
        let previous = RunManifest.load(output)
        try checkOutput(previous: previous)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        // An earlier comparison describes earlier results: remove it before anything changes (run compare again).
        for name in ComparisonWriter.files {
            try? FileManager.default.removeItem(atPath: (output as NSString).appendingPathComponent(name))
        }
        if previous != nil { removeFoldersNotInStudy() }
        // Records of clips still in the study are kept (their fingerprints decide whether to analyse them again).
        let inStudy = Set(study.entries.map(\.outputFolder))
        let state = BatchState(
            manifest: RunManifest(
                echoflowVersion: Echoflow.version, settings: settings, study: study,
                clips: (previous?.clips ?? [:]).filter { inStudy.contains($0.key) }, shard: shardName))
        let entries = selected
        // Entries of other shards are not this run's business: keep only records of selected entries.
        let keys = Set(entries.map(\.outputFolder))
        state.manifest.clips = state.manifest.clips.filter { keys.contains($0.key) }

        checking?(entries.count)
        // Each clip is hashed once: the fingerprint decides whether to skip it and goes into its new record.
        var work: [(index: Int, fingerprint: String)] = []
        var skipped = 0
        for (i, entry) in entries.enumerated() {
            let fingerprint = Fingerprint.of(entry: entry, settings: settings)
            if let record = state.manifest.clips[entry.outputFolder], record.fingerprint == fingerprint,
                record.status == "ok", outputsComplete(entry, record)
            {
                skipped += 1
            } else {
                work.append((i, fingerprint))
            }
        }
        state.done = skipped
        try state.manifest.write(to: output)
        progress?(BatchProgress(done: skipped, failed: 0, total: entries.count, skipped: skipped))

        let pending = work
        let skippedCount = skipped
        let next = WorkQueue(Array(pending.indices))
        let worker: @Sendable (Int) -> Void = { _ in
            while let item = next.pop() {
                let entry = entries[pending[item].index]
                let record = analyse(entry, fingerprint: pending[item].fingerprint)
                state.lock.withLock {
                    state.manifest.clips[entry.outputFolder] = record
                    state.done += 1
                    if record.status != "ok" { state.failed += 1 }
                    try? state.manifest.write(to: output)
                    progress?(
                        BatchProgress(
                            done: state.done, failed: state.failed, total: entries.count, skipped: skippedCount))
                }
            }
        }
        if jobs == 1 || work.count <= 1 {
            worker(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: min(jobs, work.count), execute: worker)
        }
        // Nothing analysed and the same record as the tables were written from: they are still right (a no-op
        // resume costs the hashing only). Otherwise they are written again from every clip's own files.
        let tablesPresent = [ParameterTable.file, TICTable.file, ErrorTable.file].allSatisfy {
            FileManager.default.fileExists(atPath: (output as NSString).appendingPathComponent($0))
        }
        if !(work.isEmpty && previous == state.manifest && tablesPresent) {
            try StudyTables.write(manifest: state.manifest, to: output)
        }
        let failures = entries.compactMap { state.manifest.clips[$0.outputFolder] }.filter { $0.status != "ok" }
        return BatchOutcome(analysed: work.count, skipped: skipped, failures: failures, total: entries.count)
    }

    /// Whether every file the clip's record lists (at least its tables and report) is in its output folder.
    func outputsComplete(_ entry: StudyEntry, _ record: ClipRecord) -> Bool {
        let folder = (output as NSString).appendingPathComponent(entry.outputFolder)
        let files = record.files ?? [AnalysisWriter.ticFile, AnalysisWriter.parametersFile, ClipReport.fileName]
        return files.allSatisfy {
            FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent($0))
        }
    }

    /// Analyses one clip and writes its outputs; failures become records, never errors.
    func analyse(_ entry: StudyEntry, fingerprint: String) -> ClipRecord {
        var record = ClipRecord(
            subject: entry.subject, lesion: entry.lesion, timepoint: entry.timepoint, clip: entry.clip,
            fingerprint: fingerprint, status: "ok")
        let folder = (output as NSString).appendingPathComponent(entry.outputFolder)
        do {
            let analysis = try ClipAnalysis.runStaged(clip: entry.clip, roi: entry.roi, settings: settings.analysis)
            if let first = analysis.regions.first, analysis.regions.allSatisfy({ $0.fit.status == .tooShort }) {
                throw StageFailure(
                    stage: .fit,
                    error: AnalysisFailure(
                        description: "\(entry.clip): \(analysis.frameCount) frames: \(first.fit.termination)"))
            }
            do {
                let written = try AnalysisWriter.write(
                    analysis, to: folder, title: "\(entry.subject) / \(entry.lesion) / \(entry.timepoint)")
                record.files = written.map { ($0 as NSString).lastPathComponent }
            } catch {
                throw StageFailure(stage: .write, error: error)
            }
        } catch let failure as StageFailure {
            record.status = "failed"
            record.stage = failure.stage.rawValue
            record.message = "\(failure.error)"
            // Only ever inside this run's own clips/ folder (names were checked when the study was read).
            let clips = URL(fileURLWithPath: (output as NSString).appendingPathComponent("clips")).standardizedFileURL
                .path
            if URL(fileURLWithPath: folder).standardizedFileURL.path.hasPrefix(clips + "/") {
                try? FileManager.default.removeItem(atPath: folder)
            }
        } catch {
            record.status = "failed"
            record.stage = AnalysisStage.clip.rawValue
            record.message = "\(error)"
        }
        return record
    }
}

/// Mutable batch state shared by workers (guarded by `lock`).
final class BatchState: @unchecked Sendable {
    var manifest: RunManifest
    var done = 0
    var failed = 0
    let lock = NSLock()
    init(manifest: RunManifest) { self.manifest = manifest }
}

/// Indices handed out one at a time to workers (the order of results does not depend on it).
final class WorkQueue: @unchecked Sendable {
    private var items: [Int]
    private var position = 0
    private let lock = NSLock()
    init(_ items: [Int]) { self.items = items }
    func pop() -> Int? {
        lock.withLock {
            guard position < items.count else { return nil }
            defer { position += 1 }
            return items[position]
        }
    }
}

/// Fingerprints of clip inputs, to tell whether a clip must be analysed again (README, "Study results").
///
/// Every byte counts: the hash (``ContentHasher`` in CEUSImaging, eight bytes at a time, so that a resume reads
/// the inputs at disk speed) runs over the version, the settings, the region file and every file of the clip
/// (names and contents). This is a checksum against change, not a cryptographic hash.
enum Fingerprint {
    static func of(entry: StudyEntry, settings: BatchSettings) -> String {
        var hash = ContentHasher()
        hash.mix(Echoflow.version)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        hash.mix((try? encoder.encode(settings)) ?? Data())
        // Files are read with open and read into arrays (FileBytes.readArray), not through FileManager, whose
        // attribute dictionary and Data per file cost more than hashing a small PNG frame.
        hash.mix(FileBytes.readArray(entry.roi) ?? Array("missing".utf8))
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: entry.clip, isDirectory: &isFolder), isFolder.boolValue {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: entry.clip)) ?? []).sorted()
            for name in names {
                hash.mix(name)
                hash.mix(FileBytes.readArray(entry.clip + "/" + name) ?? [])
            }
        } else {
            hash.mix(FileBytes.readArray(entry.clip) ?? Array("missing".utf8))
        }
        return String(hash.state, radix: 16)
    }
}

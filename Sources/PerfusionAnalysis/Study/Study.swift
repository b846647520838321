import CEUSImaging
import Foundation

/// One clip of a study: who, which lesion, when, and where its files are.
public struct StudyEntry: Sendable, Equatable, Codable {
    let subject: String
    let lesion: String
    let timepoint: String
    /// Days after baseline, when the manifest gives them.
    let day: Double?
    /// Clip path (absolute or relative to the working folder).
    let clip: String
    /// The clip (a folder of PNG frames or a DICOM file), as the study resolves it.
    public var clipPath: String { clip }
    /// Region file path.
    let roi: String

    /// Folder of the clip's outputs below a results folder: `clips/SUBJECT/LESION/TIMEPOINT`.
    var outputFolder: String { "clips/\(Study.safe(subject))/\(Study.safe(lesion))/\(Study.safe(timepoint))" }
}

/// A study: clips of subjects' lesions at several timepoints (DESIGN.md §4), from a manifest CSV
/// (`subject,lesion,timepoint,clip,roi`, optional `day`, paths relative to the manifest) or a folder tree
/// `SUBJECT/TIMEPOINT/CLIP` with a `roi.json` (or an ImageJ `RoiSet.zip`) in each clip folder (the clip folder's
/// name is the lesion), where a clip may also be a DICOM file `NAME.dcm` with `NAME.roi.json` (or `NAME.zip`)
/// beside it (the lesion is NAME).
public struct Study: Sendable, Equatable, Codable {
    let source: String
    /// Entries ordered by subject, lesion, then timepoint order.
    public let entries: [StudyEntry]
    /// Timepoints in order: as `study.json` lists them, else by day when the manifest gives days, else
    /// `baseline` first, then lexical.
    let timepoints: [String]
    /// The baseline named by `study.json` at the root of a folder study, if any.
    let declaredBaseline: String?

    /// The file at the root of a folder study that may name the baseline and the timepoint order.
    public static let settingsFile = "study.json"

    /// The timepoint every comparison starts from, by a documented rule, never a guess: `explicit` (from
    /// `--baseline`), else the baseline of `study.json`, else the timepoint named `baseline` (any case), else the
    /// first by `day` when every timepoint has a day and the first is unique. Otherwise an error that names the
    /// timepoints and how to decide.
    public func baseline(named explicit: String? = nil) throws -> String {
        if let name = explicit ?? declaredBaseline {
            guard timepoints.contains(name) else {
                throw PerfusionAnalysisError.invalidSetting(
                    name: "--baseline",
                    detail: "no timepoint \"\(name)\" in the study (timepoints: \(timepoints.joined(separator: ", ")))")
            }
            return name
        }
        let named = timepoints.filter { $0.lowercased() == "baseline" }
        if named.count == 1 { return named[0] }
        let days = Dictionary(entries.compactMap { e in e.day.map { (e.timepoint, $0) } }, uniquingKeysWith: min)
        if named.isEmpty, timepoints.allSatisfy({ days[$0] != nil }), let first = timepoints.first,
            timepoints.filter({ days[$0] == days[first] }).count == 1
        {
            return first
        }
        throw PerfusionAnalysisError.ambiguousBaseline(timepoints: timepoints)
    }

    /// Manifest columns: required, then optional.
    static let requiredColumns = ["subject", "lesion", "timepoint", "clip", "roi"]
    static let optionalColumns = ["day"]

    /// Loads a manifest file or a study folder; every problem found is reported at once.
    public static func load(_ path: String, encoding: TableEncoding = .utf8) throws -> Study {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw PerfusionAnalysisError.missingInput(path: path)
        }
        return isFolder.boolValue ? try fromFolder(path) : try fromManifest(path, encoding: encoding)
    }

    /// Why `name` cannot name a subject, lesion, timepoint or clip (it would be a path of its own, or escape the
    /// results folder); nil when it can.
    static func unusableName(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name == "." || name == ".." { return "is \"\(name)\", which names a folder" }
        if name.contains("/") || name.contains("\\") { return "contains a path separator" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 }) { return "contains a control character" }
        return nil
    }

    init(source: String, entries: [StudyEntry], order: [String]? = nil, declaredBaseline: String? = nil) {
        let days = Dictionary(entries.compactMap { e in e.day.map { (e.timepoint, $0) } }, uniquingKeysWith: min)
        let names = Set(entries.map(\.timepoint))
        let listed = Dictionary((order ?? []).enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let ordered = names.sorted { a, b in
            if let la = listed[a], let lb = listed[b] { return la < lb }
            if (listed[a] != nil) != (listed[b] != nil) { return listed[a] != nil }
            if let da = days[a], let db = days[b], da != db { return da < db }
            if (a == "baseline") != (b == "baseline") { return a == "baseline" }
            return a < b
        }
        self.declaredBaseline = declaredBaseline
        let rank = Dictionary(uniqueKeysWithValues: ordered.enumerated().map { ($1, $0) })
        self.source = source
        timepoints = ordered
        self.entries = entries.sorted {
            ($0.subject, $0.lesion, rank[$0.timepoint]!) < ($1.subject, $1.lesion, rank[$1.timepoint]!)
        }
    }

    static func fromManifest(_ path: String, encoding: TableEncoding = .utf8) throws -> Study {
        guard let data = FileBytes.readArray(path) else {
            throw PerfusionAnalysisError.invalidTable(path: path, line: 0, detail: "cannot be read")
        }
        let (reader, bytes, dialect) = try TableText.reader(data, path: path, encoding: encoding, dialect: nil)
        var records = try reader.records(bytes)[...]
        guard let first = records.popFirst() else {
            throw PerfusionAnalysisError.invalidTable(path: path, line: 1, detail: "no header row")
        }
        let header = first.cells
        var problems: [String] = []
        let unknown = header.filter { !requiredColumns.contains($0) && !optionalColumns.contains($0) }
        if !unknown.isEmpty {
            problems.append(
                "line 1: unknown column(s) \(unknown.joined(separator: ", ")) (expected \((requiredColumns + optionalColumns).joined(separator: ",")))"
            )
        }
        let missing = requiredColumns.filter { !header.contains($0) }
        if !missing.isEmpty { problems.append("line 1: missing column(s) \(missing.joined(separator: ", "))") }
        // A column named twice: which of its cells is meant cannot be known (the fuzzer found that this trapped).
        let twice = Set(header.filter { name in header.filter { $0 == name }.count > 1 })
        if !twice.isEmpty {
            problems.append("line 1: column(s) \(twice.sorted().joined(separator: ", ")) given more than once")
        }
        guard missing.isEmpty, twice.isEmpty else {
            throw PerfusionAnalysisError.invalidStudy(path: path, problems: problems)
        }
        let folder = (path as NSString).deletingLastPathComponent
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : (folder as NSString).appendingPathComponent(p) }
        var entries: [StudyEntry] = []
        var seen: [String: Int] = [:]
        for (line, row) in records {
            guard row.count == header.count else {
                problems.append("line \(line): \(row.count) cells, expected \(header.count)")
                continue
            }
            let cell = Dictionary(uniqueKeysWithValues: zip(header, row))
            let empty = requiredColumns.filter { cell[$0, default: ""].isEmpty }
            if !empty.isEmpty {
                problems.append("line \(line): empty \(empty.joined(separator: ", "))")
                continue
            }
            let named = ["subject", "lesion", "timepoint"].compactMap { column in
                Self.unusableName(cell[column]!).map { "\(column) \"\(cell[column]!)\" \($0)" }
            }
            if !named.isEmpty {
                problems.append("line \(line): " + named.joined(separator: "; "))
                continue
            }
            var day: Double?
            if let text = cell["day"], !text.isEmpty {
                if let value = dialect.number(text), value.isFinite {
                    day = value
                } else {
                    problems.append("line \(line): day \"\(text)\" is not a number")
                }
            }
            let entry = StudyEntry(
                subject: cell["subject"]!, lesion: cell["lesion"]!, timepoint: cell["timepoint"]!, day: day,
                clip: resolve(cell["clip"]!), roi: resolve(cell["roi"]!))
            let key = "\(entry.subject)/\(entry.lesion)/\(entry.timepoint)"
            if let first = seen[key] {
                problems.append(
                    "line \(line): subject \(entry.subject), lesion \(entry.lesion), timepoint \(entry.timepoint) repeats line \(first)"
                )
            } else {
                seen[key] = line
            }
            if !FileManager.default.fileExists(atPath: entry.clip) {
                problems.append("line \(line): clip \(entry.clip) does not exist")
            }
            if !FileManager.default.fileExists(atPath: entry.roi) {
                problems.append("line \(line): roi \(entry.roi) does not exist")
            }
            entries.append(entry)
        }
        if entries.isEmpty && problems.isEmpty { problems.append("the manifest lists no clips") }
        guard problems.isEmpty else { throw PerfusionAnalysisError.invalidStudy(path: path, problems: problems) }
        return Study(source: path, entries: entries)
    }

    /// The region file of a clip: for a folder `CLIP/roi.json`, else `CLIP/RoiSet.zip` (ImageJ) when only that
    /// exists; for a file `NAME.dcm`, `NAME.roi.json` beside it, else `NAME.zip`. Without any, the `roi.json`
    /// path, so that the error names the file expected.
    public static func regionFile(ofClip clip: String) -> String {
        let candidates = regionFileCandidates(ofClip: clip)
        return candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[0]
    }

    /// Where a clip's region file may be, in order of preference: `CLIP/roi.json`, `CLIP/RoiSet.zip` for a folder;
    /// `NAME.roi.json`, `NAME.zip` beside a file. The first is where regions are saved (`echoflow view`).
    static func regionFileCandidates(ofClip clip: String) -> [String] {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: clip, isDirectory: &isFolder), isFolder.boolValue {
            return [
                (clip as NSString).appendingPathComponent("roi.json"),
                (clip as NSString).appendingPathComponent("RoiSet.zip"),
            ]
        }
        return [
            (clip as NSString).deletingPathExtension + ".roi.json", (clip as NSString).deletingPathExtension + ".zip",
        ]
    }

    /// Clip folders are the folders three levels down (`SUBJECT/TIMEPOINT/CLIP`); a clip folder without a
    /// `roi.json` is still listed, so that the batch records it as a failure instead of silently skipping it.
    static func fromFolder(_ root: String) throws -> Study {
        let manager = FileManager.default
        func folders(_ path: String) -> [String] {
            ((try? manager.contentsOfDirectory(atPath: path)) ?? []).filter { name in
                var isFolder: ObjCBool = false
                return !name.hasPrefix(".")
                    && manager.fileExists(
                        atPath: (path as NSString).appendingPathComponent(name), isDirectory: &isFolder)
                    && isFolder.boolValue
            }.sorted(by: NaturalOrder.precedes)
        }
        var entries: [StudyEntry] = []
        for subject in folders(root) {
            let subjectPath = (root as NSString).appendingPathComponent(subject)
            for timepoint in folders(subjectPath) {
                let timepointPath = (subjectPath as NSString).appendingPathComponent(timepoint)
                for clip in folders(timepointPath) {
                    let clipPath = (timepointPath as NSString).appendingPathComponent(clip)
                    entries.append(
                        StudyEntry(
                            subject: subject, lesion: clip, timepoint: timepoint, day: nil, clip: clipPath,
                            roi: Self.regionFile(ofClip: clipPath)))
                }
                // DICOM files are clips too: `NAME.dcm` with its regions in `NAME.roi.json` beside it.
                let files = ((try? manager.contentsOfDirectory(atPath: timepointPath)) ?? []).filter {
                    $0.lowercased().hasSuffix(".dcm")
                }.sorted(by: NaturalOrder.precedes)
                for file in files {
                    let clipPath = (timepointPath as NSString).appendingPathComponent(file)
                    let name = (file as NSString).deletingPathExtension
                    entries.append(
                        StudyEntry(
                            subject: subject, lesion: name, timepoint: timepoint, day: nil, clip: clipPath,
                            roi: Self.regionFile(ofClip: clipPath)))
                }
            }
        }
        guard !entries.isEmpty else { throw PerfusionAnalysisError.noClipsFound(path: root) }
        let settings = try StudySettings.load(root, timepoints: Set(entries.map(\.timepoint)))
        return Study(source: root, entries: entries, order: settings?.timepoints, declaredBaseline: settings?.baseline)
    }

    /// A path component safe for file names (letters, digits, `-`, `_`, `.`; others become `_`).
    static func safe(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
    }
}

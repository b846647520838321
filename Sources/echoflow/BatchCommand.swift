import ArgumentParser
import Foundation
import PerfusionAnalysis

struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Analyse every clip of a study in parallel; resumable, shardable.",
        discussion: """
            STUDY is a manifest CSV (subject,lesion,timepoint,clip,roi, optional day; paths relative to the \
            manifest; comma, semicolon or tab separated) or a folder tree SUBJECT/TIMEPOINT/CLIP with a roi.json \
            in each clip folder, where a clip may also be a DICOM file NAME.dcm with NAME.roi.json beside it. \
            Models: \(CurveAnalyzer.knownModels.joined(separator: ", ")).

            Writes clips/SUBJECT/LESION/TIMEPOINT/ (tic.csv, parameters.csv, plots, report.html) for every clip, \
            and parameters.csv, tic.csv (subject, lesion, timepoint first) and errors.csv for the study. A clip \
            that fails is recorded in errors.csv and the others go on (exit code 1). Running the same command \
            again skips clips whose inputs and settings have not changed (run.json), so an interrupted batch \
            resumes. --shard K/N runs every N-th clip from the K-th, for job arrays; `echoflow merge` combines them.

            One run per results folder: a second batch, merge or compare into a folder in use exits 75 and names \
            the holder; a folder holding another shard's or other settings' results is refused (exit 65); clip \
            folders no longer in the study are removed. Write the results outside a folder study.

            Examples:
              echoflow batch Fixtures/study --output results --jobs 2
              echoflow batch study/manifest.csv --output results --shard 1/4
            """)

    @Argument(help: ArgumentHelp("Manifest CSV or study folder.", valueName: "STUDY"))
    var study: String

    @Option(name: [.short, .long], help: ArgumentHelp("Results folder (created if missing).", valueName: "DIR"))
    var output = "echoflow-results"

    @Option(help: "Clips analysed at once (default: every core).")
    var jobs: Int?

    @Option(help: ArgumentHelp("Run only shard K of N (1-based), e.g. 2/8.", valueName: "K/N"))
    var shard: String?

    @Option(
        help: ArgumentHelp(
            "Text encoding of a manifest CSV: utf8 (also UTF-16 with a BOM) or latin1.", valueName: "NAME"))
    var encoding: TableEncoding = .utf8

    @OptionGroup var modelFlag: ModelFlag

    @OptionGroup var clipFlags: ClipFlags

    @Flag(name: [.short, .long], help: "No progress output.")
    var quiet = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let shard { _ = try Self.parseShard(shard) }
    }

    static func parseShard(_ text: String) throws -> (index: Int, count: Int) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(k) else {
            throw ValidationError("--shard takes K/N with 1 <= K <= N, for example 2/8; got \"\(text)\"")
        }
        return (k, n)
    }

    func run() throws {
        var failed = 0
        try reportingErrors {
            let loaded = try Study.load(study, encoding: encoding)
            let runner = BatchRunner(
                study: loaded, output: output,
                settings: BatchSettings(
                    model: modelFlag.model, clipOptions: clipFlags.options, weighting: modelFlag.weighting),
                jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, shard: try shard.map(Self.parseShard))
            let reporter = ProgressReporter(label: "batch", unit: "clips", quiet: quiet)
            let lock = try ResultsLock(folder: output, command: "batch")
            defer { lock.release() }
            if let warning = lock.warning { printError("warning: \(warning)") }
            let interrupt = InterruptHandler(
                reporter: reporter,
                hint: { done, total in
                    "interrupted after \(done) of \(total) clips; finished clips are kept: run the same command again to resume"
                }, cleanup: { lock.release() })
            defer { interrupt.cancel() }
            let started = Date()
            let outcome = try runner.run(
                checking: { reporter.status("batch: checking \($0) clips (what is already done)") },
                progress: { p in reporter.update(p.done, p.total, skipped: p.skipped, failed: p.failed) })
            failed = outcome.failures.count
            let elapsed = Date().timeIntervalSince(started)
            print(
                "\(outcome.total) clips: \(outcome.analysed - failed) analysed, \(outcome.skipped) already done, \(failed) failed (\(ProgressLine.duration(elapsed)))"
            )
            for f in outcome.failures {
                printError("error: \(f.subject)/\(f.lesion)/\(f.timepoint) [\(f.stage ?? "")]: \(f.message ?? "")")
            }
            print(
                """
                Results in \(output)/:
                  parameters.csv, tic.csv, errors.csv (study tables)
                  clips/SUBJECT/LESION/TIMEPOINT/report.html (each clip)
                """)
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the results folders of batch shards into one.",
        discussion: """
            The merged folder holds the same files a single unsharded batch would have written.

            Example:
              echoflow merge results-1 results-2 results-3 --output results
            """)

    @Argument(help: ArgumentHelp("Results folders of the shards.", valueName: "DIR"))
    var shards: [String]

    @Option(name: [.short, .long], help: ArgumentHelp("Merged results folder.", valueName: "DIR"))
    var output: String

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("give at least one results folder") }
    }

    func run() throws {
        var failed = 0
        try reportingErrors {
            let merged = try holdingLocks(shards + [output], command: "merge") {
                try ShardMerger.merge(shards, into: output)
            }
            failed = merged.clips.values.filter { $0.status != "ok" }.count
            let missing = merged.study.entries.count - merged.clips.count
            print(
                "Merged \(shards.count) folders: \(merged.clips.count) of \(merged.study.entries.count) clips, \(failed) failed"
                    + (missing > 0 ? ", \(missing) not yet run" : "") + "; results in \(output)/")
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

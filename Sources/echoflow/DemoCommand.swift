import ArgumentParser
import Foundation
import PerfusionAnalysis

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole pipeline on the bundled fixture study and print a summary.",
        discussion: """
            Analyses every clip of the fixture study (Fixtures/study: synthetic subjects with a baseline and a \
            post-PRRT clip each, with known truth), writes per-clip outputs and study-wide parameters.csv and \
            tic.csv, and prints the lesion parameters next to the truth they should recover.

            Example:
              echoflow demo --output echoflow-demo
            """)

    @Option(name: [.short, .long], help: ArgumentHelp("Output folder (created if missing).", valueName: "DIR"))
    var output = "echoflow-demo"

    @Option(help: ArgumentHelp("Study folder (default: the bundled Fixtures/study).", valueName: "DIR"))
    var study: String?

    @Option(help: ArgumentHelp("Baseline timepoint (see `echoflow compare --help`).", valueName: "NAME"))
    var baseline: String?

    @Flag(
        name: .customLong("motion"),
        help: "Compensate breathing motion in every clip (as `echoflow batch --motion`); writes motion.csv per clip.")
    var motion = false

    @Flag(name: [.short, .long], help: "No progress output.")
    var quiet = false

    func run() throws {
        var failures = 0
        try reportingErrors {
            let root = try study ?? Self.bundledStudy()
            let loaded = try Study.load(root)
            let reporter = ProgressReporter(label: "batch", unit: "clips", quiet: quiet)
            let started = Date()
            let (outcome, elapsed, comparison) = try holdingLocks([output], command: "demo") {
                let outcome = try BatchRunner(
                    study: loaded, output: output,
                    settings: BatchSettings(clipOptions: ClipOptions(motion: motion ? true : nil)),
                    jobs: ProcessInfo.processInfo.activeProcessorCount
                ).run(
                    checking: { reporter.status("batch: checking \($0) clips (what is already done)") },
                    progress: { reporter.update($0.done, $0.total, skipped: $0.skipped, failed: $0.failed) })
                let elapsed = Date().timeIntervalSince(started)
                // The default rule: the study has a reference region (the parenchyma), so WiAUC relative to it,
                // which cancels the different display gains of the fixture clips.
                let comparison = try ComparisonWriter.write(results: output, rule: nil, baseline: baseline, to: output)
                return (outcome, elapsed, comparison)
            }
            failures = outcome.failures.count

            print(
                "Echoflow \(Echoflow.version) demo: \(outcome.total) clips of \(root) (\(outcome.analysed) analysed, \(outcome.skipped) already done) in \(String(format: "%.1f", elapsed)) s\n"
            )
            print(try TruthComparison.table(results: output, entries: loaded.entries))
            print("\n" + CompareCommand.summary(comparison))
            print(
                """

                The clips were recorded at different display gains; with the parenchyma as reference region the
                default responder rule uses WiAUC relative to it (wiauc_rel_pct<-40%), which cancels the gain.

                Outputs in \(output)/:
                  report.html        the study report: per-lesion verdicts, cohort table, waterfall, plots, curves
                  parameters.csv     one row per clip x region x model: PE, TTP, WiAUC, RT, mTTI, ... (columns in README.md)
                  tic.csv            the time-intensity curves with the fitted values
                  comparison.csv     baseline vs post-PRRT per lesion, region and parameter (comparison_wide.csv: one row per lesion)
                  cohort.csv         median and IQR of the changes, Wilcoxon signed-rank test, responder share
                  clips/SUBJECT/LESION/TIMEPOINT/   per-clip tables, plots and report.html

                To see a clip and draw its regions in a browser: echoflow view \(loaded.entries.first?.clipPath ?? root)
                """)
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// Finds `Fixtures/study` from the working folder or above the executable.
    static func bundledStudy() throws -> String {
        let candidates =
            [FileManager.default.currentDirectoryPath]
            + (Bundle.main.executablePath.map { path in
                var url = URL(fileURLWithPath: path).resolvingSymlinksInPath().deletingLastPathComponent()
                var found: [String] = []
                for _ in 0..<6 {
                    found.append(url.path)
                    url = url.deletingLastPathComponent()
                }
                return found
            } ?? [])
        for folder in candidates {
            let study = (folder as NSString).appendingPathComponent("Fixtures/study")
            if FileManager.default.fileExists(atPath: study) { return study }
        }
        throw ValidationError(
            "cannot find the bundled Fixtures/study; run from the Echoflow folder or pass --study DIR")
    }
}

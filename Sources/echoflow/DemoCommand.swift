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

    @Flag(name: [.short, .long], help: "No progress output.")
    var quiet = false

    func run() throws {
        var failures = 0
        try reportingErrors {
            let root = try study ?? Self.bundledStudy()
            let folder = try StudyFolder(root: root)
            let progress = ProgressReporter(label: "analysing study", unit: "clips", quiet: quiet)
            var analyses: [ClipAnalysis] = []
            var entries: [StudyFolder.ClipEntry] = []
            let started = Date()
            for (i, entry) in folder.clips.enumerated() {
                do {
                    let analysis = try ClipAnalysis.run(clip: entry.path, roi: entry.roiPath)
                    try AnalysisWriter.write(
                        analysis,
                        to: (output as NSString).appendingPathComponent(entry.components.joined(separator: "/")))
                    for warning in analysis.warnings { printError("warning: \(entry.path): \(warning)") }
                    analyses.append(analysis)
                    entries.append(entry)
                } catch {
                    failures += 1
                    printError("error: \(error)")
                }
                progress.update(i + 1, folder.clips.count)
            }
            let elapsed = Date().timeIntervalSince(started)
            let leading = ["subject", "lesion", "timepoint"]
            let values = entries.map { [$0.subject, $0.lesion, $0.timepoint] }
            let parameters = (output as NSString).appendingPathComponent("parameters.csv")
            let tic = (output as NSString).appendingPathComponent("tic.csv")
            try AtomicFile.write(
                AnalysisWriter.parameterTable(analyses, leading: leading, leadingValues: values).render(),
                to: parameters)
            try AtomicFile.write(
                AnalysisWriter.ticTable(analyses, leading: leading, leadingValues: values).render(), to: tic)

            print(
                "Echoflow \(Echoflow.version) demo: \(analyses.count) clips of \(root) analysed in \(String(format: "%.1f", elapsed)) s (lognormal fits on linearized echo power)\n"
            )
            print(Self.summary(analyses, entries))
            print(
                """

                Outputs in \(output)/:
                  parameters.csv   one row per clip x region: PE, TTP, WiAUC, RT, mTTI, ... (columns in README.md)
                  tic.csv          the time-intensity curves with the fitted values
                  SUBJECT/TIMEPOINT/CLIP/   per-clip tic.csv, parameters.csv and tic-<region>.svg plots
                """)
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// Lesion rows with the truth they should recover, then the baseline-to-follow-up change per subject.
    static func summary(_ analyses: [ClipAnalysis], _ entries: [StudyFolder.ClipEntry]) -> String {
        func error(_ measured: Double?, _ truth: Double?) -> String {
            guard let measured, let truth, truth != 0 else { return "-" }
            return String(format: "%+.1f", 100 * (measured - truth) / truth)
        }
        var rows: [[String]] = []
        var wiauc: [String: [String: (measured: Double?, truth: Double?, relative: Double?)]] = [:]
        for (analysis, entry) in zip(analyses, entries) {
            guard let lesion = analysis.regions.first(where: { $0.region == "lesion" }) ?? analysis.regions.first else {
                continue
            }
            let truth = try? SyntheticTruth.load((entry.path as NSString).appendingPathComponent("truth.json"))
            let t = truth?.regions.first { $0.name == lesion.region }?.parameters
            let p = lesion.parameters
            rows.append([
                entry.subject, entry.timepoint, lesion.region, lesion.fit.status.rawValue, short(p?.peakEnhancement),
                short(p?.timeToPeak), short(p?.washInArea), short(p?.meanTransitTime), short(p?.qualityOfFit),
                error(p?.peakEnhancement, t?.pe_au), error(p?.timeToPeak, t?.ttp_s),
                error(p?.washInArea, t?.wiauc_au_s),
            ])
            let relative = lesion.relative.map { $0.percent[2] }
            wiauc[entry.subject, default: [:]][entry.timepoint] = (p?.washInArea, t.map(\.wiauc_au_s), relative)
        }
        var text = textTable(
            [
                "subject", "timepoint", "region", "status", "PE (a.u.)", "TTP (s)", "WiAUC (a.u.s)", "mTT (s)",
                "QOF (%)",
                "PE err %", "TTP err %", "WiAUC err %",
            ],
            rows)
        text += "\n\n(err %: difference from the synthetic ground truth in truth.json)\n"
        var changes: [[String]] = []
        for subject in wiauc.keys.sorted() {
            let timepoints = wiauc[subject]!
            guard let base = timepoints["baseline"] else { continue }
            for (label, follow) in timepoints.sorted(by: { $0.key < $1.key }) where label != "baseline" {
                func change(_ a: Double?, _ b: Double?) -> Double? {
                    guard let a, let b, a != 0 else { return nil }
                    return 100 * (b / a - 1)
                }
                func shown(_ v: Double?) -> String { v.map { String(format: "%+.0f %%", $0) } ?? "-" }
                let relative = change(base.relative, follow.relative)
                changes.append([
                    subject, "baseline -> \(label)", shown(change(base.measured, follow.measured)),
                    shown(change(base.truth, follow.truth)), shown(relative),
                    relative.map { $0 < -40 ? "yes" : "no" } ?? "-",
                ])
            }
        }
        if !changes.isEmpty {
            text += "\nLesion WiAUC change after PRRT (responder: WiAUC relative to parenchyma down > 40 %):\n\n"
            text += textTable(["subject", "timepoints", "WiAUC", "truth", "WiAUC / parenchyma", "responder"], changes)
        }
        return text
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

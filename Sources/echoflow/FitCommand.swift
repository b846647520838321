import ArgumentParser
import Foundation
import PerfusionAnalysis

struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit time-intensity curves given as CSV (from any software) and write their parameters.",
        discussion: """
            TICS.csv is long format by default: a header with curve,time_s,intensity (extra columns ignored), \
            one row per sample. With --wide it is one time column (time_s, time or t, or --time-column) and one \
            column per curve, as spreadsheets export; columns with an empty header are skipped.

            Values are fitted as given. If they are log-compressed display values (grey levels), pass \
            --dynamic-range (and --max-display, default 255) to linearize them to echo power first, as \
            `analyze` does for clips.

            Writes one row per curve and model: curve, then the columns of parameters.csv from model on. With \
            --model auto every bolus model is fitted and lognormal is kept (selected = 1) unless another converged \
            model's AIC is lower by more than 6 (aic_delta, aic_weight: docs/METHODS.md §5).

            Examples:
              echoflow fit tics.csv --output fits.csv
              echoflow fit tics.csv --model auto --output fits.csv
              echoflow fit export.csv --wide --time-column time --curves dia,liver --dynamic-range 60
            """)

    @Argument(help: ArgumentHelp("Curves as CSV.", valueName: "TICS.csv"))
    var input: String

    @OptionGroup var modelFlag: ModelFlag

    @Option(name: [.short, .long], help: ArgumentHelp("Output CSV file (- for standard output).", valueName: "FILE"))
    var output = "fit-parameters.csv"

    @Flag(help: "The file is wide: a time column and one column per curve.")
    var wide = false

    @Option(
        name: .customLong("time-column"), help: ArgumentHelp("Time column of a wide file (seconds).", valueName: "NAME")
    )
    var timeColumn: String?

    @Option(help: ArgumentHelp("Fit only these curves (comma-separated ids or column names).", valueName: "A,B"))
    var curves: String?

    @Option(
        name: .customLong("dynamic-range"),
        help: ArgumentHelp("Linearize display values with this dynamic range before fitting.", valueName: "DB"))
    var dynamicRange: Double?

    @Option(
        name: .customLong("max-display"),
        help: ArgumentHelp("Largest display value, with --dynamic-range.", valueName: "Y"))
    var maxDisplay = 255.0

    @Option(
        help: ArgumentHelp(
            "Also write each curve's data-driven starting point (curve,model,p1..p5), to repeat the fits elsewhere.",
            valueName: "FILE"))
    var starts: String?

    @Option(
        help: ArgumentHelp(
            "Also write the fitted curves of the selected models (curve,time_s,intensity,fitted,excluded; excluded = 1 for an isolated outlier left out of the fit).",
            valueName: "FILE"))
    var fitted: String?

    @Option(
        help: ArgumentHelp(
            "Cell separator: comma, semicolon or tab (default: detected from the header row).", valueName: "SEP"))
    var delimiter: String?

    @Option(
        help: ArgumentHelp(
            "Decimal mark: dot or comma (default: comma allowed when cells are separated by semicolons or tabs).",
            valueName: "MARK"))
    var decimal: String?

    @Option(
        help: ArgumentHelp(
            "Text encoding: utf8 (also UTF-8 with a BOM and UTF-16 with a BOM) or latin1.", valueName: "NAME"))
    var encoding: TableEncoding = .utf8

    @Option(help: "Worker threads (default: every core).")
    var threads: Int?

    @Flag(name: [.short, .long], help: "No summary on standard output.")
    var quiet = false

    @Flag(
        help:
            "Print the time spent reading, fitting and writing to standard error (the read figure is what Benchmarks/reference/fit_side_by_side.py compares with pandas.read_csv)."
    )
    var timings = false

    func validate() throws {
        if let d = dynamicRange, !(d > 0) { throw ValidationError("--dynamic-range must be positive, got \(d)") }
        guard maxDisplay > 0 else { throw ValidationError("--max-display must be positive") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
        if timeColumn != nil && !wide { throw ValidationError("--time-column applies to --wide files only") }
        if let delimiter, TableDialect.delimiters[delimiter] == nil {
            throw ValidationError("--delimiter takes comma, semicolon or tab; got \"\(delimiter)\"")
        }
        if let decimal, !["dot", "comma", ".", ","].contains(decimal) {
            throw ValidationError("--decimal takes dot or comma; got \"\(decimal)\"")
        }
        if delimiter.flatMap({ TableDialect.delimiters[$0] }) == ",", decimal == "comma" || decimal == "," {
            throw ValidationError("a decimal comma needs another separator than the comma (--delimiter semicolon)")
        }
    }

    /// The dialect the flags ask for, nil to detect it (a flag given alone keeps the detected other half).
    var dialect: TableDialect? {
        guard delimiter != nil || decimal != nil else { return nil }
        let separator = delimiter.flatMap { TableDialect.delimiters[$0] } ?? TableDialect.sniff(input)
        let comma = decimal.map { $0 == "comma" || $0 == "," } ?? (separator != ",")
        return TableDialect(delimiter: separator, decimalComma: comma)
    }

    func run() throws {
        try reportingErrors {
            let selection = curves?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            let reading = Date()
            let table = try CurveFitTable.read(
                input, layout: wide ? .wide(timeColumn: timeColumn) : .long, select: selection,
                dynamicRangeDB: dynamicRange, maxDisplayValue: maxDisplay, dialect: dialect, encoding: encoding)
            let analyzer = try CurveAnalyzer(
                modelName: modelFlag.model, threads: threads, weighting: modelFlag.weighting)
            let started = Date()
            let fits = CurveFitTable.fit(table, analyzer: analyzer)
            let elapsed = Date().timeIntervalSince(started)
            let writing = Date()
            defer {
                if timings {
                    let read = started.timeIntervalSince(reading)
                    let bytes = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? nil
                    let rate = bytes.map { String(format: " (%.0f MB/s)", Double($0) / 1e6 / max(read, 1e-9)) } ?? ""
                    printError(
                        String(
                            format: "timings: read %.3f s%@, fit %.3f s, write %.3f s", read, rate, elapsed,
                            Date().timeIntervalSince(writing)))
                }
            }
            if let fitted {
                try AtomicFile.write(CurveFitTable.fittedCurves(table, fits: fits).render(), to: fitted)
            }
            if let starts {
                try AtomicFile.write(
                    CurveFitTable.startingPoints(table, models: analyzer.models).render(), to: starts)
            }
            let csv = CurveFitTable.parameters(table, fits: fits, dynamicRangeDB: dynamicRange)
            if output == "-" {
                print(String(decoding: csv, as: UTF8.self), terminator: "")
                return
            }
            try AtomicFile.write(csv, to: output)
            guard !quiet else { return }
            let shown = zip(table, fits).prefix(20).map { curve, candidates -> [String] in
                let fitted = candidates.first { $0.selected } ?? candidates[0]
                return [
                    curve.id, fitted.model.name, fitted.fit.status.rawValue,
                    short(fitted.parameters?.peakEnhancement),
                    short(fitted.parameters?.timeToPeak), short(fitted.parameters?.washInArea),
                    short(fitted.parameters?.meanTransitTime), short(fitted.parameters?.qualityOfFit),
                ]
            }
            print(textTable(["curve", "model", "status", "PE", "TTP (s)", "WiAUC", "mTT (s)", "QOF (%)"], shown))
            if table.count > 20 { print("... \(table.count - 20) more") }
            let converged = fits.filter { ($0.first { $0.selected } ?? $0[0]).fit.status.rawValue == "converged" }.count
            print(
                String(
                    format: "\n%d curves fitted in %.3f s (%d converged); wrote %@", table.count, elapsed, converged,
                    output))
        }
    }
}

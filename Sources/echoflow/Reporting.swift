import ArgumentParser
import Foundation
import PerfusionAnalysis

/// Runs a command body, turning errors into `error: ...` on stderr and the exit codes of DESIGN.md §3:
/// 66 when an input does not exist, 65 when the input data is unusable.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        printError("error: \(error)")
        throw ExitCode(ExitStatus.code(for: error))
    }
}

/// Runs `body` holding the results-folder locks of `folders` (one run per folder: a second run exits 75 naming the
/// holder); a lock left by a process that is gone is taken over with a warning.
func holdingLocks<T>(_ folders: [String], command: String, _ body: () throws -> T) throws -> T {
    try ResultsLock.holding(folders, command: command, warn: { printError("warning: \($0)") }, body)
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Progress on stderr, one line rewritten in place on a terminal (cleared before each update and cut to the
/// terminal's width), a few plain lines otherwise (a log file), nothing when quiet. `ECHOFLOW_PROGRESS=terminal`
/// or `=plain` chooses the style whatever stderr is.
final class ProgressReporter: @unchecked Sendable {
    private let line: ProgressLine
    private let quiet: Bool
    private let terminal: Bool
    private var start: Date?
    private var lastDraw = Date.distantPast
    private var lastQuarter = 0
    private var drawn = false
    private let lock = NSLock()
    /// The last counts, for the interruption hint.
    private(set) var last: (done: Int, total: Int) = (0, 0)

    init(label: String, unit: String, quiet: Bool) {
        line = ProgressLine(label: label, unit: unit)
        self.quiet = quiet
        switch ProcessInfo.processInfo.environment["ECHOFLOW_PROGRESS"] {
        case "terminal": terminal = true
        case "plain": terminal = false
        default: terminal = isatty(2) != 0
        }
    }

    /// Columns of the terminal on stderr (`COLUMNS`, else 80 when it cannot be asked).
    static var width: Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 80
    }

    /// A line that is not a count: `checking 80 clips`.
    func status(_ text: String) {
        guard !quiet else { return }
        lock.withLock {
            if terminal {
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + String(text.prefix(Self.width - 1))).utf8))
                drawn = true
            } else {
                printError(text)
            }
        }
    }

    func update(_ done: Int, _ total: Int, skipped: Int = 0, failed: Int = 0) {
        lock.withLock { last = (done, total) }
        guard !quiet, total > 0 else { return }
        lock.withLock {
            let now = Date()
            // The clock starts at the first count, after any checking: the estimate is of the work itself.
            if start == nil { start = now }
            let elapsed = now.timeIntervalSince(start ?? now)
            if terminal {
                guard done == total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
                lastDraw = now
                let text = line.render(
                    done: done, total: total, skipped: skipped, failed: failed, elapsed: elapsed, width: Self.width)
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + text + (done == total ? "\n" : "")).utf8))
                drawn = done < total
            } else {
                let quarter = 4 * done / total
                guard quarter > lastQuarter || done == total && lastQuarter < 4 else { return }
                lastQuarter = quarter
                printError(
                    line.render(
                        done: done, total: total, skipped: skipped, failed: failed, elapsed: elapsed, width: 200,
                        bar: false))
            }
        }
    }

    /// Ends a line left unfinished on the terminal (before an error or a hint is printed).
    func finishLine() {
        lock.withLock {
            if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
            drawn = false
        }
    }
}

/// On Ctrl-C (SIGINT) or SIGTERM: ends the progress line, runs `cleanup` (releasing the results folder's lock),
/// says how to resume, and exits 130 (143 for SIGTERM). What was finished is kept: `run.json` is rewritten after every
/// clip.
final class InterruptHandler: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    init(
        reporter: ProgressReporter, hint: @escaping @Sendable (Int, Int) -> String,
        cleanup: @escaping @Sendable () -> Void
    ) {
        for (number, code) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                reporter.finishLine()
                cleanup()
                let (done, total) = reporter.last
                printError(hint(done, total))
                exit(code)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Restores the default handling.
    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// A number for terminal tables (4 significant digits, `-` when missing).
func short(_ v: Double?) -> String { TextTable.number(v) }

/// Left-aligned text table with two spaces between columns.
func textTable(_ header: [String], _ rows: [[String]]) -> String { TextTable.render(header, rows) }

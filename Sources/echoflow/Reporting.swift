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

/// Progress on stderr: a bar with ETA on a terminal, a few plain lines otherwise, nothing when quiet.
final class ProgressReporter: @unchecked Sendable {
    private let label: String
    private let unit: String
    private let quiet: Bool
    private let terminal = isatty(2) != 0
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var lastQuarter = 0
    private let lock = NSLock()

    init(label: String, unit: String, quiet: Bool) {
        self.label = label
        self.unit = unit
        self.quiet = quiet
    }

    func update(_ done: Int, _ total: Int, suffix: String = "") {
        guard !quiet, total > 0 else { return }
        lock.withLock {
            let now = Date()
            if terminal {
                guard done == total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
                lastDraw = now
                let width = 28
                let filled = width * done / total
                let elapsed = now.timeIntervalSince(start)
                let eta = done > 0 ? elapsed * Double(total - done) / Double(done) : 0
                let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
                var line = "\r\(label) [\(bar)] \(done)/\(total) \(unit)\(suffix)"
                line += done < total ? String(format: ", ETA %.0f s", eta) : String(format: ", %.1f s", elapsed)
                FileHandle.standardError.write(Data(line.utf8))
                if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
            } else {
                let quarter = 4 * done / total
                guard quarter > lastQuarter || done == total && lastQuarter < 4 else { return }
                lastQuarter = quarter
                printError("\(label): \(done)/\(total) \(unit)\(suffix)")
            }
        }
    }
}

/// A number for terminal tables (4 significant digits, `-` when missing).
func short(_ v: Double?) -> String { TextTable.number(v) }

/// Left-aligned text table with two spaces between columns.
func textTable(_ header: [String], _ rows: [[String]]) -> String { TextTable.render(header, rows) }

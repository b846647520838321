import EchoflowTestSupport
import Foundation
import Testing

@Suite("Progress that behaves", .serialized)
struct ProgressTests {
    @Test("on a terminal: a checking line, each update cleared first and cut to the width; a summary within 80 columns")
    func terminalLines() throws {
        let folder = TestPaths.temporaryFolder("progress")
        let run = try runEchoflow(
            ["batch", TestPaths.study, "--output", "results", "--jobs", "1"], in: folder,
            environment: ["ECHOFLOW_PROGRESS": "terminal", "COLUMNS": "50"])
        #expect(run.status == 0, "\(run.stderr)")
        let clear = "\r\u{1B}[K"
        let updates = run.stderr.components(separatedBy: clear).dropFirst()
        #expect(updates.count >= 3, "\(run.stderr.debugDescription)")
        #expect(updates.first?.hasPrefix("batch: checking 6 clips") == true)
        for update in updates {
            let text = update.trimmingCharacters(in: .newlines)
            #expect(text.count <= 49, "wider than the 50-column terminal: \(text)")
            #expect(!text.contains("\r"))
        }
        // The first estimate comes only after three clips of work.
        for update in updates where update.contains(" left") {
            let done = try #require(update.firstMatch(of: /batch (\d)\/6/)).1
            #expect(Int(done)! >= 3, "an estimate after \(done) clips: \(update)")
        }
        #expect(updates.contains { $0.contains("0/6 clips, estimating") })
        for line in run.stdout.split(separator: "\n") { #expect(line.count <= 80, "summary line: \(line)") }
    }

    @Test("Ctrl-C: the batch stops with exit 130, says how to resume, releases the folder; the next run finishes")
    func interrupt() throws {
        let results = TestPaths.temporaryFolder("interrupt")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.echoflow)
        process.arguments = ["batch", TestPaths.study, "--output", results, "--jobs", "1"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Interrupt once the first clip is recorded, while the others are still to do.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && process.isRunning {
            let manifest = (try? String(contentsOfFile: results + "/run.json", encoding: .utf8)) ?? ""
            if manifest.contains("\"status\" : \"ok\"") { break }
            usleep(10_000)
        }
        try #require(process.isRunning, "the batch ended before it could be interrupted")
        process.interrupt()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(stderr.contains("run the same command again to resume"), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: results + "/.echoflow.lock"))
        let resumed = try runEchoflow(["batch", TestPaths.study, "--output", results, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(!resumed.stderr.contains("took over"))
        #expect(
            resumed.stdout.range(of: #"[1-5] already done"#, options: .regularExpression) != nil, "\(resumed.stdout)")
    }
}

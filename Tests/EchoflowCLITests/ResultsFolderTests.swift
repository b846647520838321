import EchoflowTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a lock file naming `pid` on `host`, as a run of `batch` would, and returns its path.
private func writeLockFile(_ folder: String, pid: Int32, host: String) throws -> String {
    let path = folder + "/.echoflow.lock"
    let text = #"{"pid": \#(pid), "host": "\#(host)", "command": "batch", "started": "2026-12-01T09:00:00Z"}"#
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    return path
}

private var hostName: String {
    var buffer = [CChar](repeating: 0, count: 256)
    gethostname(&buffer, 255)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

@Suite("One run per results folder", .serialized)
struct ResultsLockTests {
    @Test("while another process holds the folder's lock, batch, compare and merge exit 75 and name the holder")
    func heldLock() throws {
        let results = TestPaths.temporaryFolder("locked")
        #expect(try runEchoflow(["batch", TestPaths.study, "--output", results, "--quiet"]).status == 0)
        // This test process holds the lock, as a running batch would: flock(2) on the file, pid and host in it.
        let path = try writeLockFile(results, pid: getpid(), host: hostName)
        let fd = open(path, O_RDWR)
        try #require(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        defer { close(fd) }
        for arguments in [
            ["batch", TestPaths.study, "--output", results, "--quiet"], ["compare", results],
            ["merge", results, "--output", results],
        ] {
            let refused = try runEchoflow(arguments)
            #expect(refused.status == 75, "\(arguments[0]): \(refused.stderr)")
            #expect(refused.stderr.contains("in use by `echoflow batch` (pid \(getpid())"), "\(refused.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: results + "/report.html"))
    }

    @Test("two batches started together into one folder: the second is refused with exit 75 while the first runs")
    func concurrentBatches() throws {
        let results = TestPaths.temporaryFolder("concurrent")
        let first = Process()
        first.executableURL = URL(fileURLWithPath: TestPaths.echoflow)
        first.arguments = ["batch", TestPaths.study, "--output", results, "--quiet", "--jobs", "1"]
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        // Wait for the first run to take the lock (its file names the holder once taken).
        let lockFile = results + "/.echoflow.lock"
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline,
            (try? String(contentsOfFile: lockFile, encoding: .utf8))?.contains("\(first.processIdentifier)") != true
        {
            usleep(5_000)
        }
        let second = try runEchoflow(["batch", TestPaths.study, "--output", results, "--quiet"])
        let stillRunning = first.isRunning
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        // The first run (six clips, one at a time) takes far longer than the second needs to be refused.
        try #require(stillRunning, "the first batch ended before the second started; the test proves nothing")
        #expect(second.status == 75, "\(second.stderr)")
        #expect(second.stderr.contains("pid \(first.processIdentifier)"))
        // The first run released its lock: the folder is usable again and complete.
        #expect(!FileManager.default.fileExists(atPath: lockFile))
        let again = try runEchoflow(["batch", TestPaths.study, "--output", results, "--quiet"])
        #expect(again.status == 0 && again.stdout.contains("6 already done"), "\(again.stdout)")
    }

    @Test("a lock file left by a process that is gone is taken over with a warning; one from another host is refused")
    func staleLocks() throws {
        let results = TestPaths.temporaryFolder("stale")
        // A pid that was just used and has exited: nothing holds the lock.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        _ = try writeLockFile(results, pid: gone.processIdentifier, host: hostName)
        let taken = try runEchoflow(["batch", TestPaths.study, "--output", results, "--quiet"])
        #expect(taken.status == 0, "\(taken.stderr)")
        #expect(
            taken.stderr.contains("warning: took over the lock")
                && taken.stderr.contains("pid \(gone.processIdentifier)"))

        let path = try writeLockFile(results, pid: 4242, host: "node-17.cluster.example")
        let refused = try runEchoflow(["compare", results])
        #expect(refused.status == 75)
        #expect(refused.stderr.contains("node-17.cluster.example") && refused.stderr.contains("delete \(path)"))
    }
}

@Suite("Results folders hold one study, one setting, one shard", .serialized)
struct ResultsFolderTests {
    @Test("a second shard, or other settings, into a folder of results is refused with the fix")
    func mixedRuns() throws {
        let results = TestPaths.temporaryFolder("mixed")
        #expect(
            try runEchoflow(["batch", TestPaths.study, "--output", results, "--shard", "1/2", "--quiet"]).status == 0)
        let shard = try runEchoflow(["batch", TestPaths.study, "--output", results, "--shard", "2/2", "--quiet"])
        #expect(shard.status == 65)
        #expect(shard.stderr.contains("holds the results of shard 1/2") && shard.stderr.contains("echoflow merge"))
        let whole = try runEchoflow(["batch", TestPaths.study, "--output", results, "--quiet"])
        #expect(whole.status == 65 && whole.stderr.contains("this is an unsharded run"), "\(whole.stderr)")
        // The same shard again resumes.
        let resumed = try runEchoflow(["batch", TestPaths.study, "--output", results, "--shard", "1/2", "--quiet"])
        #expect(resumed.status == 0 && resumed.stdout.contains("3 already done"), "\(resumed.stdout)")

        let settings = try runEchoflow([
            "batch", TestPaths.study, "--output", results, "--shard", "1/2", "--model", "gamma", "--quiet",
        ])
        #expect(settings.status == 65)
        #expect(
            settings.stderr.contains("holds results of other settings (model lognormal, weighting noise)"),
            "\(settings.stderr)")
        let unweighted = try runEchoflow([
            "batch", TestPaths.study, "--output", results, "--shard", "1/2", "--weighting", "none", "--quiet",
        ])
        #expect(unweighted.status == 65 && unweighted.stderr.contains("weighting noise"), "\(unweighted.stderr)")
        let table = try CSVFile(path: results + "/parameters.csv").dictionaries
        #expect(Set(table.map { $0["model"] }) == ["lognormal"])
        #expect(Set(table.map { $0["weighting"] }) == ["noise"])
        // A run.json from before weighted fits (no weighting in its settings) held unweighted fits: not resumed.
        let runFile = results + "/run.json"
        var run = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: runFile))) as? [String: Any])
        var saved = try #require(run["settings"] as? [String: Any])
        saved.removeValue(forKey: "weighting")
        run["settings"] = saved
        try JSONSerialization.data(withJSONObject: run).write(to: URL(fileURLWithPath: runFile))
        let old = try runEchoflow(["batch", TestPaths.study, "--output", results, "--shard", "1/2", "--quiet"])
        #expect(
            old.status == 65 && old.stderr.contains("weighting none (before weighted fits)"), "\(old.stderr)")
    }

    @Test("a failing clip removes only its own folder below clips/; nothing else in the results folder is touched")
    func deletesOnlyItsOwn() throws {
        let study = TestPaths.temporaryFolder("delete-study")
        try copyClip("S01/baseline/clip01", to: study + "/S01/baseline/clip01")
        try copyClip("S02/baseline/clip01", to: study + "/S02/baseline/clip01")
        let results = TestPaths.temporaryFolder("delete-results")
        // The user's own files beside the results, and a stale folder where the failing clip's output goes.
        try "mine".write(toFile: results + "/notes.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: results + "/figures", withIntermediateDirectories: true)
        try "mine".write(toFile: results + "/figures/keep.txt", atomically: true, encoding: .utf8)
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: study + "/S02/baseline/clip01/frame_0100.png"))
        let run = try runEchoflow(["batch", study, "--output", results, "--quiet"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: results + "/notes.txt"))
        #expect(FileManager.default.fileExists(atPath: results + "/figures/keep.txt"))
        #expect(FileManager.default.fileExists(atPath: results + "/clips/S01/clip01/baseline/parameters.csv"))
        #expect(!FileManager.default.fileExists(atPath: results + "/clips/S02/clip01/baseline"))
        // The study itself is never written to or removed from.
        #expect(FileManager.default.fileExists(atPath: study + "/S02/baseline/clip01/frame_0100.png"))
    }

    @Test("a no-op resume leaves the study tables as they were; a deleted study table is written again")
    func noOpResume() throws {
        let results = TestPaths.temporaryFolder("noop")
        #expect(try runEchoflow(["batch", TestPaths.study, "--output", results, "--quiet"]).status == 0)
        let tic = results + "/tic.csv"
        let before = try FileManager.default.attributesOfItem(atPath: tic)[.modificationDate] as? Date
        let text = try String(contentsOfFile: tic, encoding: .utf8)
        usleep(20_000)
        let again = try runEchoflow(["batch", TestPaths.study, "--output", results, "--quiet"])
        #expect(again.status == 0 && again.stdout.contains("6 already done"))
        #expect(try FileManager.default.attributesOfItem(atPath: tic)[.modificationDate] as? Date == before)
        try FileManager.default.removeItem(atPath: tic)
        #expect(try runEchoflow(["batch", TestPaths.study, "--output", results, "--quiet"]).status == 0)
        #expect(try String(contentsOfFile: tic, encoding: .utf8) == text)
    }

    @Test("an output folder inside the study folder is refused")
    func outputInsideStudy() throws {
        let study = TestPaths.temporaryFolder("inside")
        try copyClip("S01/baseline/clip01", to: study + "/S01/baseline/clip01")
        let refused = try runEchoflow(["batch", study, "--output", study + "/results", "--quiet"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("inside the study folder"))
        #expect(!FileManager.default.fileExists(atPath: study + "/results/parameters.csv"))
    }

    @Test("a clip removed from the study loses its outputs; a deleted per-clip file is written again")
    func clipsFollowTheStudy() throws {
        let study = TestPaths.temporaryFolder("follow")
        for subject in ["S01", "S02"] {
            try copyClip("\(subject)/baseline/clip01", to: study + "/\(subject)/baseline/clip01")
        }
        let results = TestPaths.temporaryFolder("follow-results")
        #expect(try runEchoflow(["batch", study, "--output", results, "--quiet"]).status == 0)
        let plot = results + "/clips/S01/clip01/baseline/tic-lesion.svg"
        try #require(FileManager.default.fileExists(atPath: plot))
        try FileManager.default.removeItem(atPath: plot)
        try FileManager.default.removeItem(atPath: study + "/S02")
        let again = try runEchoflow(["batch", study, "--output", results, "--quiet"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("1 clips: 1 analysed"), "\(again.stdout)")
        #expect(FileManager.default.fileExists(atPath: plot))
        #expect(!FileManager.default.fileExists(atPath: results + "/clips/S02"))
        let table = try CSVFile(path: results + "/parameters.csv").dictionaries
        #expect(Set(table.map { $0["subject"] }) == ["S01"])
    }
}

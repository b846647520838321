import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionAnalysis

@Suite("Other commands, end to end")
struct CommandsTests {
    @Test("every command's help shows an example", arguments: ["analyze", "demo", "synth", "inspect", "fit", "bench"])
    func helpHasExamples(command: String) throws {
        let r = try runEchoflow([command, "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Example"))
        #expect(r.stdout.contains("echoflow \(command)"))
    }

    @Test("demo analyses the fixture study and writes study-wide tables")
    func demo() throws {
        let out = TestPaths.temporaryFolder("demo")
        let r = try runEchoflow(["demo", "--output", out, "--quiet"], in: TestPaths.packageRoot)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("6 clips"))
        #expect(r.stdout.contains("S03"))
        let table = try CSVFile(path: out + "/parameters.csv")
        #expect(Array(table.header.prefix(4)) == ["subject", "lesion", "timepoint", "clip"])
        #expect(table.rows.count == 12)
        #expect(table.dictionaries.allSatisfy { $0["status"] == "converged" })
        #expect(FileManager.default.fileExists(atPath: out + "/clips/S02/clip01/post-prrt/tic-lesion.svg"))
        #expect(FileManager.default.fileExists(atPath: out + "/report.html"))
        #expect(r.stdout.contains("Cohort"))
    }

    @Test("synth writes a clip that analyze recovers, and the same seed gives the same bytes")
    func synthThenAnalyze() throws {
        let a = TestPaths.temporaryFolder("synth-a")
        let b = TestPaths.temporaryFolder("synth-b")
        for folder in [a, b] {
            let r = try runEchoflow(["synth", "--output", folder, "--seed", "11", "--duration", "60", "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        for name in ["truth.json", "clip.json", "roi.json", "frame_0150.png"] {
            #expect(
                FileManager.default.contents(atPath: a + "/" + name)
                    == FileManager.default.contents(atPath: b + "/" + name), "\(name)")
        }
        let out = TestPaths.temporaryFolder("synth-out")
        #expect(try runEchoflow(["analyze", a, "--output", out, "--quiet"]).status == 0)
        let lesion = try #require(
            try CSVFile(path: out + "/parameters.csv").dictionaries.first { $0["roi"] == "lesion" })
        let truth = try SyntheticTruth.load(a + "/truth.json").regions[0].parameters
        #expect(abs(Double(lesion["ttp_s"]!)! / truth.ttp_s - 1) < 0.05)
    }

    @Test("inspect reports frames, size and timing")
    func inspect() throws {
        let r = try runEchoflow(["inspect", TestPaths.baselineClip])
        #expect(r.status == 0)
        #expect(r.stdout.contains("321"))
        #expect(r.stdout.contains("64 x 56 px, 8-bit grey"))
        #expect(r.stdout.contains("5.000 frames/s"))
    }

    @Test("the README's examples run as written")
    func readmeExamples() throws {
        let readme = try String(contentsOfFile: TestPaths.packageRoot + "/README.md", encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## Examples").dropFirst().first)
        let block = try #require(section.components(separatedBy: "```").dropFirst().first)
        let commands = block.split(separator: "\n").filter { $0.hasPrefix("echoflow ") }
        #expect(commands.count >= 4)
        // Run in a scratch folder that sees the repository's Fixtures, so outputs land outside the repository.
        let scratch = TestPaths.temporaryFolder("readme")
        try FileManager.default.createSymbolicLink(
            atPath: scratch + "/Fixtures", withDestinationPath: TestPaths.fixtures)
        for line in commands {
            // Words split at spaces outside double quotes, as a shell would for these lines.
            var arguments: [String] = []
            var word = ""
            var quoted = false
            for ch in line.dropFirst("echoflow ".count) {
                if ch == "\"" {
                    quoted.toggle()
                } else if ch == " " && !quoted {
                    if !word.isEmpty { arguments.append(word) }
                    word = ""
                } else {
                    word.append(ch)
                }
            }
            if !word.isEmpty { arguments.append(word) }
            let r = try runEchoflow(arguments, in: scratch)
            #expect(r.status == 0, "\(line): \(r.stderr)")
        }
    }
}

@Suite("echoflow bench arguments")
struct BenchArgumentTests {
    @Test(
        "--phases with --check or --json is a usage error, not a silently skipped gate",
        arguments: ["--check", "--json"])
    func phasesAlone(other: String) throws {
        let r = try runEchoflow(["bench", "--phases", other])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--phases prints only the phase times"))
    }
}

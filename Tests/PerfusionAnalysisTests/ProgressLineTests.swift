import Testing

@testable import PerfusionAnalysis

@Suite("Progress lines")
struct ProgressLineTests {
    let line = ProgressLine(label: "batch", unit: "clips")

    @Test("no estimate before three clips of this run's work and a second; then one from this run's pace only")
    func estimate() {
        #expect(line.render(done: 2, total: 80, elapsed: 30, width: 80).contains("estimating"))
        #expect(line.render(done: 3, total: 80, elapsed: 0.5, width: 80).contains("estimating"))
        // 50 clips were already done and cost nothing: 3 analysed in 30 s is 10 s a clip, 47 to go.
        let resumed = line.render(done: 53, total: 100, skipped: 50, elapsed: 30, width: 120)
        #expect(resumed.contains("about 7 min 50 s left"), "\(resumed)")
        #expect(resumed.contains("50 already done"))
        #expect(line.render(done: 80, total: 80, elapsed: 75, width: 80).hasSuffix("1 min 15 s"))
    }

    @Test(
        "the line never reaches the terminal's last column, with a bar only when there is room",
        arguments: [20, 40, 60, 80, 132])
    func width(columns: Int) {
        for done in [0, 1, 5, 40, 79, 80] {
            let text = line.render(done: done, total: 80, skipped: 0, failed: done / 10, elapsed: 12, width: columns)
            #expect(text.count <= columns - 1, "\(columns) columns: \(text)")
        }
        #expect(!line.render(done: 5, total: 80, elapsed: 12, width: 40).hasPrefix("["))
        // The bar keeps its size (a fifth of the width, at most 30: 26 of 132) from start to end, so it does not jump.
        #expect(line.render(done: 40, total: 80, elapsed: 12, width: 132).hasPrefix("[#############-------------]"))
        #expect(line.render(done: 0, total: 80, elapsed: 0, width: 80).hasPrefix("[----------------] "))
        #expect(line.render(done: 80, total: 80, elapsed: 75, width: 80).hasPrefix("[################] "))
    }

    @Test(
        "durations read as seconds, minutes or hours",
        arguments: [(4.25, "4.2 s"), (65, "1 min 05 s"), (3725, "1 h 02 min")])
    func durations(seconds: Double, text: String) {
        #expect(ProgressLine.duration(seconds) == text)
    }
}

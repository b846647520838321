import EchoflowTestSupport
import Foundation
import PerfusionAnalysis
import Testing

@Suite("CSV output")
struct CSVTests {
    @Test(
        "numbers use a dot, up to 7 significant digits, and an empty cell when not computable",
        arguments: [
            (1234567.891, "1234568"), (0.000012345678, "1.234568e-05"), (-0.157003, "-0.157003"), (0, "0"),
            (Double.nan, ""), (Double.infinity, ""), (14.890745, "14.89075"), (3, "3"),
        ])
    func numbers(value: Double, text: String) {
        #expect(CSVTable.formatNumber(value) == text)
    }

    @Test("text with commas, quotes or line breaks is quoted as RFC 4180 says")
    func quoting() {
        var table = CSVTable(columns: ["a", "b"])
        table.append([.text("x,y"), .text("say \"hi\"\nthere")])
        #expect(table.render() == "a,b\n\"x,y\",\"say \"\"hi\"\"\nthere\"\n")
    }

    @Test("parameters.csv columns are unique, snake_case and follow DESIGN.md's order")
    func parameterColumns() {
        let names = ParameterTable.columns.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0.range(of: "^[a-z0-9_]+$", options: .regularExpression) != nil })
        #expect(Array(names.prefix(6)) == ["clip", "roi", "model", "status", "n_frames", "n_excluded"])
        let reference = [
            "pe_au", "ttp_s", "wir_au_per_s", "ti_s", "rt_s", "mtti_s", "wiauc_au_s", "wipi_au", "wor_au_per_s",
            "to_s", "ft_s", "woauc_au_s", "wiwoauc_au_s", "auc_au_s", "mtt_s", "qof_pct",
        ]
        #expect(Array(names[6..<22]) == reference)
        #expect(names.firstIndex(of: "dynamic_range_db")! + 1 == names.firstIndex(of: "echoflow_version")!)
    }

    @Test("the README documents every output column")
    func readmeDocumentsColumns() throws {
        let readme = try String(contentsOfFile: TestPaths.packageRoot + "/README.md", encoding: .utf8)
        let study = Comparison.comparisonColumns + Comparison.cohortColumns + StudyTables.errorColumns
        for column in ParameterTable.columns.map(\.name) + TICTable.columns.map(\.name) + study {
            #expect(readme.contains("`\(column)`"), "README.md does not document \(column)")
        }
    }
}

@Suite("Atomic files")
struct AtomicFileTests {
    @Test("writes and replaces a file and leaves no temporary file behind")
    func replaces() throws {
        let folder = TestPaths.temporaryFolder("atomic") + "/nested/deeper"
        let path = folder + "/out.csv"
        try AtomicFile.write("first\n", to: path)
        try AtomicFile.write("second\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.csv"])
    }

    @Test("a folder that cannot be created is an error naming it")
    func unwritable() throws {
        let blocker = TestPaths.temporaryFolder("atomic") + "/file"
        try AtomicFile.write("x", to: blocker)
        #expect(throws: PerfusionAnalysisError.self) { try AtomicFile.write("y", to: blocker + "/sub/out.csv") }
    }
}

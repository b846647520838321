import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionAnalysis
@testable import PerfusionFitting

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
        let names = ParameterTable.schema.names
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0.range(of: "^[a-z0-9_]+$", options: .regularExpression) != nil })
        #expect(Array(names.prefix(6)) == ["clip", "roi", "model", "status", "n_frames", "n_excluded"])
        let reference = [
            "pe_au", "ttp_s", "wir_au_per_s", "ti_s", "rt_s", "mtti_s", "wiauc_au_s", "wipi_au", "wor_au_per_s",
            "to_s", "ft_s", "woauc_au_s", "wiwoauc_au_s", "auc_au_s", "mtt_s", "qof_pct",
        ]
        #expect(Array(names[6..<22]) == reference)
        #expect(ParameterTable.perfusion.map(\.name) == reference)
        #expect(names.firstIndex(of: "dynamic_range_db")! + 1 == names.firstIndex(of: "echoflow_version")!)
        // `fit` writes the same columns after its `curve` column; parameters.csv adds the clip's own at the end.
        let clipOnly = ParameterTable.clipColumns.map(\.name)
        #expect(clipOnly == ["colormap_unmatched_pct"] && Array(names.suffix(clipOnly.count)) == clipOnly)
        #expect(ParameterTable.fitSchema.names == ["curve"] + names.dropFirst(2).dropLast(clipOnly.count))
    }

    @Test("every registered model has its parameter block, value and standard error, in parameters.csv")
    func modelBlocks() {
        let names = Set(ParameterTable.schema.names)
        for model in ModelRegistry.models {
            for p in model.parameters {
                #expect(names.contains("\(model.name)_\(p.name)") && names.contains("\(model.name)_\(p.name)_se"))
            }
        }
    }

    /// The README's column tables, each between `<!-- columns: FILE -->` and `<!-- end columns -->`.
    static let documented: [(file: String, markdown: String)] = [
        (TICTable.file, TICTable.schema.markdown),
        (ParameterTable.file, ParameterTable.schema.markdown),
        (MotionTable.file, MotionTable.schema.markdown),
        ("study tables", TableSchema(file: "study tables", columns: StudyTables.leading).markdown),
        (ErrorTable.file, ErrorTable.schema.markdown),
        (Comparison.comparisonSchema.file, Comparison.comparisonSchema.markdown),
        (Comparison.cohortSchema.file, Comparison.cohortSchema.markdown),
    ]

    @Test("the README's column tables are exactly the declared schemas (ECHOFLOW_UPDATE_README=1 rewrites them)")
    func readmeMatchesSchemas() throws {
        let path = TestPaths.packageRoot + "/README.md"
        var readme = try String(contentsOfFile: path, encoding: .utf8)
        let update = ProcessInfo.processInfo.environment["ECHOFLOW_UPDATE_README"] == "1"
        for (file, markdown) in Self.documented {
            let start = "<!-- columns: \(file) -->\n"
            let end = "<!-- end columns -->"
            let opening = try #require(readme.range(of: start), "README.md has no \(start)")
            let closing = try #require(
                readme.range(of: end, range: opening.upperBound..<readme.endIndex), "README.md: \(file) not closed")
            let documented = String(readme[opening.upperBound..<closing.lowerBound])
            if update {
                readme.replaceSubrange(opening.upperBound..<closing.lowerBound, with: markdown + "\n")
            } else {
                #expect(documented == markdown + "\n", "README.md's table of \(file) differs from the schema")
            }
        }
        if update { try readme.write(toFile: path, atomically: true, encoding: .utf8) }
    }

    @Test("chart labels moved apart keep their order, a gap of 12 px and the plot's bounds", arguments: 0..<20)
    func labelSpread(seed: Int) {
        var rng = TestRandom(seed: UInt64(300 + seed))
        let count = 2 + seed % 15
        let ys = (0..<count).map { _ in 40 + 80 * rng.uniform() }  // crowded: up to 16 labels in 80 px
        let placed = Charts.spread(ys, gap: 12, low: 20, high: 260)
        let order = ys.indices.sorted { ys[$0] < ys[$1] }
        for (a, b) in zip(order, order.dropFirst()) {
            #expect(placed[b] - placed[a] >= 12 - 1e-9, "labels \(a), \(b): \(placed[a]) \(placed[b])")
        }
        #expect(placed.allSatisfy { $0 >= 20 - 1e-9 && $0 <= 260 + 1e-9 })
        // A label already clear of its neighbours does not move.
        #expect(Charts.spread([50, 100, 150], gap: 12, low: 0, high: 300) == [50, 100, 150])
    }

    @Test("the wide comparison table has three columns per compared parameter, as the README says")
    func wideColumns() throws {
        let names = Comparison.wideSchema.names
        let tail = [
            "responder", "baseline_timepoint", "model", "baseline_status", "followup_status", "excluded", "rule",
            "verdict",
        ]
        #expect(names.count == 4 + 3 * Comparison.parameters.count + tail.count)
        #expect(Array(names.suffix(tail.count)) == tail)
        #expect(names[4...6] == ["pe_au_baseline", "pe_au_followup", "pe_au_change_pct"])
        let readme = try String(contentsOfFile: TestPaths.packageRoot + "/README.md", encoding: .utf8)
        #expect(readme.contains("`<parameter>_baseline`"))
    }

    @Test("a row read back from our own table is written again byte for byte")
    func typedRoundTrip() {
        let schema = ParameterTable.schema
        let fields = schema.names.indices.map { i -> String in
            switch schema.columns[i].type {
            case .text: return i == 0 ? "clip, with comma" : "t\(i)"
            case .integer: return String(i)
            case .number: return CSVTable.formatNumber(Double(i) * 1.2345678e-3)
            }
        }
        var table = CSVTable(columns: schema.names)
        table.append(schema.typedCells(fields))
        let line = table.render().split(separator: "\n")[1]
        #expect(line == fields.map(CSVTable.quote).joined(separator: ","))
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

@Suite("Methods document")
struct MethodsDocumentTests {
    @Test("every section of docs/METHODS.md cited in the sources, the README and --help exists")
    func citedSectionsExist() throws {
        let root = TestPaths.packageRoot
        let methods = try String(contentsOfFile: root + "/docs/METHODS.md", encoding: .utf8)
        let headings = Set(
            methods.split(separator: "\n").compactMap { line -> Int? in
                guard line.hasPrefix("## ") else { return nil }
                return Int(line.dropFirst(3).prefix { $0.isNumber })
            })
        var cited: [(String, Int)] = []
        let enumerator = FileManager.default.enumerator(atPath: root + "/Sources")!
        var files = ["README.md"]
        while let path = enumerator.nextObject() as? String {
            if path.hasSuffix(".swift") { files.append("Sources/" + path) }
        }
        for file in files {
            let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8)
            var rest = text[...]
            while let range = rest.range(of: "METHODS.md §") {
                if let n = Int(rest[range.upperBound...].prefix { $0.isNumber }) { cited.append((file, n)) }
                rest = rest[range.upperBound...]
            }
        }
        #expect(cited.count >= 10, "the sources cite the methods document")
        for (file, n) in cited {
            #expect(headings.contains(n), "\(file) cites docs/METHODS.md §\(n), which does not exist")
        }
        let readme = try String(contentsOfFile: root + "/README.md", encoding: .utf8)
        #expect(readme.contains("docs/METHODS.md") && !readme.contains("REFERENCE.md"))
    }
}

@Suite("Reading our own results")
struct ResultTableTests {
    @Test("a table without a needed column, or with a damaged row, is an error naming the file and the problem")
    func errors() throws {
        let folder = TestPaths.temporaryFolder("results-read")
        try "subject,roi\nS1,lesion\n".write(toFile: folder + "/p.csv", atomically: true, encoding: .utf8)
        let table = try ResultTable.read(folder + "/p.csv")
        #expect(table.records.first?["roi"] == "lesion")
        #expect(throws: PerfusionAnalysisError.self) { try table.require(["subject", "selected"]) }
        do {
            try table.require(["selected"])
        } catch {
            #expect("\(error)".contains("p.csv") && "\(error)".contains("\"selected\""))
        }
        try "a,b\n1,2,3\n".write(toFile: folder + "/d.csv", atomically: true, encoding: .utf8)
        #expect(throws: PerfusionAnalysisError.self) { try ResultTable.read(folder + "/d.csv") }
        #expect(throws: PerfusionAnalysisError.self) { try ResultTable.read(folder + "/missing.csv") }
    }
}

import EchoflowTestSupport
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The elements of an XHTML report that the tests look at: each chart's texts and bars, the lesion table's rows.
final class ReportOutline: NSObject, XMLParserDelegate {
    struct Text {
        var attributes: [String: String]
        var content = ""
        var x: Double { Double(attributes["x"] ?? "") ?? .nan }
        var y: Double { Double(attributes["y"] ?? "") ?? .nan }
    }
    struct Chart {
        var height = 0.0
        var texts: [Text] = []
        var bars = 0
    }
    var charts: [Chart] = []
    var lesionRows: [[String]] = []
    private var inChart = false
    private var text: Text?
    private var row: [String]?
    private var cell: String?

    static func parse(_ path: String) throws -> ReportOutline {
        let outline = ReportOutline()
        let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: path)))
        parser.delegate = outline
        try #require(parser.parse(), "\(path) is not well-formed: \(String(describing: parser.parserError))")
        return outline
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch name {
        case "svg":
            inChart = true
            charts.append(Chart(height: Double(attributes["height"] ?? "") ?? 0))
        case "text" where inChart: text = Text(attributes: attributes)
        case "rect" where inChart && attributes["class"] == "bar": charts[charts.count - 1].bars += 1
        case "tr" where attributes["class"] == "lesion-row": row = []
        case "td" where row != nil: cell = ""
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text?.content += string
        cell? += string
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "svg": inChart = false
        case "text" where text != nil:
            charts[charts.count - 1].texts.append(text!)
            text = nil
        case "td" where cell != nil:
            row?.append(cell!)
            cell = nil
        case "tr" where row != nil:
            lesionRows.append(row!)
            row = nil
        default: break
        }
    }
}

@Suite("A study report that answers the question", .serialized)
struct StudyReportTests {
    /// Every chart has a legend (an entry naming what its marks are) and a title with a unit in parentheses.
    func checkLegendsAndTitles(_ outline: ReportOutline) {
        for (k, chart) in outline.charts.enumerated() {
            let words = chart.texts.map(\.content)
            #expect(
                words.contains { ["responder", "decrease", "dots: measured; lines: fitted"].contains($0) },
                "chart \(k) has no legend: \(words)")
            #expect(words.contains { $0.range(of: #"\((%|s|a\.u\.|a\.u\. s)\)"#, options: .regularExpression) != nil })
        }
    }

    @Test("the fixture study's report opens with the per-lesion verdicts; pair labels never overlap")
    func fixtureReport() throws {
        let results = TestPaths.temporaryFolder("report3")
        #expect(try runEchoflow(["batch", TestPaths.study, "--output", results, "--quiet"]).status == 0)
        #expect(try runEchoflow(["compare", results]).status == 0)
        let html = try String(contentsOfFile: results + "/report.html", encoding: .utf8)
        // The answer comes first: the per-lesion table precedes the cohort table and every chart.
        let table = try #require(html.range(of: "class=\"lesions\""))
        #expect(table.lowerBound < html.range(of: "<h2>Cohort</h2>")!.lowerBound)
        #expect(table.lowerBound < html.range(of: "<svg")!.lowerBound)
        let outline = try ReportOutline.parse(results + "/report.html")
        let csv = try CSVFile(path: results + "/comparison.csv").dictionaries.filter {
            $0["parameter"] == "wiauc_rel_pct" && $0["region"] == "lesion"
        }
        #expect(outline.lesionRows.map { $0[0] } == csv.map { $0["subject"]! })
        #expect(outline.lesionRows.map { $0[8] } == csv.map { $0["verdict"]! })
        // The interval shown is the one in comparison.csv (4 significant digits).
        let s01 = try #require(outline.lesionRows.first)
        #expect(s01[7].hasPrefix(String(format: "%.4g", Double(csv[0]["change_pct_ci_low"]!)!)))
        // Each lesion card carries its numbers and the reference region's curves.
        #expect(html.contains("parenchyma, baseline (reference)"))
        #expect(html.contains("smallest possible p"))
        checkLegendsAndTitles(outline)
        // Labels of the before/after plots: at least a line (12 px) apart, S01 and S02 in the mTT plot included.
        for chart in outline.charts {
            let ys = chart.texts.filter { $0.attributes["class"] == "pair-label" }.map(\.y).sorted()
            for (a, b) in zip(ys, ys.dropFirst()) { #expect(b - a >= 11.99, "labels at \(a) and \(b)") }
        }
    }

    @Test(
        "a generated 40-lesion study: one table row per lesion, a readable waterfall, labels left out of crowded plots")
    func fortyLesions() throws {
        let study = TestPaths.temporaryFolder("report40-study")
        let synth = try runEchoflow([
            "synth", "--study", "--subjects", "40", "--width", "32", "--height", "32", "--frame-rate", "2", "--seed",
            "5", "--output", study, "--quiet",
        ])
        try #require(synth.status == 0, "\(synth.stderr)")
        let results = TestPaths.temporaryFolder("report40")
        #expect(try runEchoflow(["batch", study + "/manifest.csv", "--output", results, "--quiet"]).status == 0)
        let compared = try runEchoflow(["compare", results])
        #expect(compared.status == 0, "\(compared.stderr)")
        let outline = try ReportOutline.parse(results + "/report.html")
        #expect(outline.lesionRows.count == 40)
        let csv = try CSVFile(path: results + "/comparison.csv").dictionaries.filter {
            $0["parameter"] == "wiauc_rel_pct" && $0["region"] == "lesion"
        }
        #expect(outline.lesionRows.map { $0[8] } == csv.map { $0["verdict"]! })
        checkLegendsAndTitles(outline)
        let waterfall = try #require(outline.charts.first { $0.bars > 0 })
        #expect(waterfall.bars == 40)
        let labels = waterfall.texts.filter { $0.attributes["class"] == "bar-label" }
        #expect(labels.count == 40)
        // Upright labels 10 px high need at least 10 px between neighbours; the axis title sits below all of them
        // and inside the chart.
        let xs = labels.map(\.x).sorted()
        for (a, b) in zip(xs, xs.dropFirst()) { #expect(b - a >= 12, "bar labels at \(a) and \(b)") }
        #expect(labels.allSatisfy { $0.attributes["transform"]?.hasPrefix("rotate(-90") == true })
        let title = try #require(waterfall.texts.first { $0.content.hasPrefix("lesions, ordered by change") })
        let longest = labels.map { Double($0.content.count) * 10 * 0.67 }.max()!
        #expect(title.y > labels[0].y + longest && title.y < waterfall.height)
        // The before/after plots are too crowded for 40 names: the labels are left out and the plot says so.
        let paired = outline.charts.filter { $0.texts.contains { $0.content == "decrease" } }
        #expect(paired.count == 5)
        for chart in paired {
            #expect(!chart.texts.contains { $0.attributes["class"] == "pair-label" })
            #expect(chart.texts.contains { $0.content.hasPrefix("40 lesions: labels left out") })
        }
        let cohort = try CSVFile(path: results + "/cohort.csv").dictionaries
        // 40 lesions: the normal approximation, so no smallest exact p.
        #expect(cohort.first { $0["parameter"] == "wiauc_rel_pct" }?["smallest_p"]?.isEmpty == true)
    }
}

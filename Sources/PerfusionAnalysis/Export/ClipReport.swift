import Foundation

/// A self-contained XHTML page for one clip: the parameters of every region and its TIC plots (inline SVG).
enum ClipReport {
    static let fileName = "report.html"

    static let style = """
        body { font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #222; max-width: 1100px; }
        h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
        table { border-collapse: collapse; font-size: 13px; }
        th, td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: right; }
        th:first-child, td:first-child { text-align: left; }
        .note { color: #666; font-size: 12px; }
        """

    static func render(_ analysis: ClipAnalysis, title: String) -> String {
        let header = [
            "region", "model", "status", "PE (a.u.)", "TTP (s)", "WiAUC (a.u. s)", "RT (s)", "mTT (s)", "QOF (%)",
            "excluded frames", "flags",
        ]
        let rows = analysis.regions.map { r -> [String] in
            let p = r.parameters
            let row = ParameterRow.rows(analysis, r)[r.selectedIndex]
            return [
                r.region, r.model, r.fit.status.rawValue, HTMLPage.number(p?.peakEnhancement),
                HTMLPage.number(p?.timeToPeak),
                HTMLPage.number(p?.washInArea), HTMLPage.number(p?.riseTime), HTMLPage.number(p?.meanTransitTime),
                HTMLPage.number(p?.qualityOfFit), String(row.excluded), row.flags.joined(separator: ", "),
            ]
        }
        var body: [MarkupElement] = [
            MarkupElement("h1", text: title),
            MarkupElement(
                "p", [("class", "note")],
                text:
                    "\(analysis.clipPath): \(analysis.frameCount) frames, dynamic range \(HTMLPage.number(analysis.dynamicRangeDB)) dB, Echoflow \(Echoflow.version)"
            ),
            HTMLPage.table(header, rows),
        ]
        for warning in analysis.warnings {
            body.append(MarkupElement("p", [("class", "note")], text: "warning: \(warning)"))
        }
        if let overview = analysis.overview {
            body.append(MarkupElement("h2", text: "What was measured"))
            let frame = analysis.overviewFrame.map { "frame \($0), " } ?? ""
            body.append(
                MarkupElement(
                    "p", [("class", "note")],
                    text:
                        "The contrast pane at peak enhancement (\(frame)the frame where the regions are brightest), every region outlined, the reference region dashed\(analysis.frames.motion != nil ? ", regions where they were read in that frame (moved with its motion where it could be measured)" : ""); overview.png."
                ))
            body.append(
                MarkupElement(
                    "img",
                    [
                        ("src", "data:image/png;base64," + Data(overview).base64EncodedString()),
                        ("alt", "contrast pane with the regions outlined"), ("style", "image-rendering: pixelated"),
                    ]))
        }
        if let motion = MotionPlot.element(analysis) {
            body.append(MarkupElement("h2", text: "Motion"))
            body.append(motion)
        }
        let plot = TICPlot()
        for region in analysis.regions {
            body.append(MarkupElement("h2", text: region.region))
            body.append(plot.element(analysis, region))
        }
        return HTMLPage.document(title: title, style: style, body: body)
    }
}

/// Helpers for well-formed, self-contained XHTML pages.
enum HTMLPage {
    static func document(title: String, style: String, body: [MarkupElement]) -> String {
        let html = MarkupElement(
            "html", [("xmlns", "http://www.w3.org/1999/xhtml"), ("lang", "en")],
            children: [
                MarkupElement(
                    "head",
                    children: [
                        MarkupElement("meta", [("charset", "utf-8")]), MarkupElement("title", text: title),
                        MarkupElement("style", text: style),
                    ]),
                MarkupElement("body", children: body),
            ])
        return "<!DOCTYPE html>\n" + html.render() + "\n"
    }

    static func table(_ header: [String], _ rows: [[String]]) -> MarkupElement {
        MarkupElement(
            "table",
            children: [MarkupElement("tr", children: header.map { MarkupElement("th", text: $0) })]
                + rows.map { row in MarkupElement("tr", children: row.map { MarkupElement("td", text: $0) }) })
    }

    static func number(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "-" }
        if v != 0 && (abs(v) >= 1e5 || abs(v) < 1e-3) { return String(format: "%.3e", v) }
        return String(format: "%.4g", v)
    }
}

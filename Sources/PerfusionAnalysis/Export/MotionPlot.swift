import CEUSImaging
import Foundation

/// An SVG plot of the motion compensation (`motion.svg`): dx and dy against time in the upper panel, the
/// correlation with the reference frame in the lower one with the out-of-plane threshold, excluded frames marked.
enum MotionPlot {
    static let fileName = "motion.svg"

    static func element(_ analysis: ClipAnalysis) -> MarkupElement? {
        guard let motion = analysis.frames.motion else { return nil }
        let (width, height) = (720.0, 420.0)
        let margin = (left: 70.0, right: 20.0, top: 46.0, bottom: 44.0)
        let gap = 34.0
        let plotW = width - margin.left - margin.right
        let upperH = (height - margin.top - margin.bottom - gap) * 0.6
        let lowerH = (height - margin.top - margin.bottom - gap) * 0.4
        let times = analysis.frames.times
        let t0 = times.first ?? 0
        let t1 = max(times.last ?? 1, t0 + 1e-9)
        let shifts = (motion.dx + motion.dy).filter(\.isFinite)
        let bound = max(1, (shifts.map(abs).max() ?? 1) * 1.1)
        let cLow = min(0, (motion.correlation.filter(\.isFinite).min() ?? 0) - 0.05)
        func f(_ v: Double) -> String { String(format: "%.2f", v) }
        func px(_ t: Double) -> Double { margin.left + (t - t0) / (t1 - t0) * plotW }
        func pyUpper(_ v: Double) -> Double { margin.top + upperH / 2 - v / bound * upperH / 2 }
        let lowerTop = margin.top + upperH + gap
        func pyLower(_ c: Double) -> Double { lowerTop + lowerH - (c - cLow) / (1 - cLow) * lowerH }
        // Lines broken where a value is missing (a displacement that could not be trusted).
        func path(_ values: [Double], _ y: (Double) -> Double) -> String {
            var out = ""
            var pen = false
            for i in times.indices {
                guard values[i].isFinite else {
                    pen = false
                    continue
                }
                out += (pen ? " L" : (out.isEmpty ? "M" : " M")) + "\(f(px(times[i]))) \(f(y(values[i])))"
                pen = true
            }
            return out.isEmpty ? "M0 0" : out
        }
        func text(
            _ x: Double, _ y: Double, _ s: String, size: Int = 11, anchor: String = "start", fill: String = "#222"
        )
            -> MarkupElement
        {
            MarkupElement(
                "text",
                [("x", f(x)), ("y", f(y)), ("font-size", "\(size)"), ("text-anchor", anchor), ("fill", fill)], text: s)
        }
        func frame(_ top: Double, _ h: Double) -> MarkupElement {
            MarkupElement(
                "rect",
                [
                    ("x", f(margin.left)), ("y", f(top)), ("width", f(plotW)), ("height", f(h)), ("fill", "none"),
                    ("stroke", "#444"),
                ])
        }
        func hline(_ y: Double, _ colour: String, dash: Bool = false) -> MarkupElement {
            var a = [
                ("x1", f(margin.left)), ("y1", f(y)), ("x2", f(margin.left + plotW)), ("y2", f(y)), ("stroke", colour),
            ]
            if dash { a.append(("stroke-dasharray", "5 4")) }
            return MarkupElement("line", a)
        }
        var nodes: [MarkupElement] = [
            MarkupElement("rect", [("width", f(width)), ("height", f(height)), ("fill", "white")]),
            MarkupElement(
                "text", [("x", f(margin.left)), ("y", "22"), ("font-size", "15"), ("font-weight", "bold")],
                text: "\(TICPlot.clipTitle(analysis.clipPath)) - motion"),
            text(
                margin.left, 38,
                "against frame \(motion.referenceFrame) (\(motion.rule.rawValue)), measured on the \(motion.onBmodePane ? "B-mode" : "contrast") pane",
                size: 12, fill: "#555"),
        ]
        // Excluded frames as light bands in both panels.
        for i in times.indices where analysis.frames.exclusions[i] != nil {
            let x = px(times[i])
            nodes.append(
                MarkupElement(
                    "line",
                    [
                        ("x1", f(x)), ("y1", f(margin.top)), ("x2", f(x)), ("y2", f(lowerTop + lowerH)),
                        ("stroke", "#f2c4c4"), ("class", "excluded"),
                    ]))
        }
        nodes += [frame(margin.top, upperH), frame(lowerTop, lowerH), hline(pyUpper(0), "#bbb")]
        nodes.append(
            MarkupElement(
                "path",
                [("d", path(motion.dx, pyUpper)), ("fill", "none"), ("stroke", "#1f77b4"), ("stroke-width", "1.5")]))
        nodes.append(
            MarkupElement(
                "path",
                [("d", path(motion.dy, pyUpper)), ("fill", "none"), ("stroke", "#ff7f0e"), ("stroke-width", "1.5")]))
        nodes.append(
            MarkupElement(
                "path",
                [
                    ("d", path(motion.correlation, pyLower)), ("fill", "none"), ("stroke", "#2ca02c"),
                    ("stroke-width", "1.5"),
                ]))
        if motion.onBmodePane {
            let threshold = analysis.frameRules.minimumCorrelation
            if threshold > cLow {
                nodes.append(hline(pyLower(threshold), "#d62728", dash: true))
                nodes.append(
                    text(
                        margin.left + plotW - 4, pyLower(threshold) - 4,
                        "out-of-plane threshold \(TICPlot.label(threshold))", anchor: "end", fill: "#d62728"))
            }
        }
        nodes += [
            text(margin.left - 6, pyUpper(bound / 1.1) + 4, "+\(TICPlot.label(bound / 1.1))", anchor: "end"),
            text(margin.left - 6, pyUpper(0) + 4, "0", anchor: "end"),
            text(margin.left - 6, pyUpper(-bound / 1.1) + 4, "-\(TICPlot.label(bound / 1.1))", anchor: "end"),
            text(margin.left - 6, pyLower(1) + 4, "1", anchor: "end"),
            text(margin.left - 6, pyLower(cLow) + 4, TICPlot.label(cLow), anchor: "end"),
            text(margin.left + 6, margin.top + 14, "dx (px, right)", fill: "#1f77b4"),
            text(margin.left + 100, margin.top + 14, "dy (px, down)", fill: "#ff7f0e"),
            text(margin.left + 6, lowerTop + 14, "correlation with the reference frame", fill: "#2ca02c"),
            text(margin.left, lowerTop + lowerH + 18, TICPlot.label(t0)),
            text(margin.left + plotW, lowerTop + lowerH + 18, "\(TICPlot.label(t1)) s", anchor: "end"),
            text(
                margin.left + plotW / 2, height - 10,
                "time (s); pink: excluded frames; gaps: displacement not measured (regions not moved)", size: 12,
                anchor: "middle"),
        ]
        return MarkupElement(
            "svg",
            [
                ("xmlns", "http://www.w3.org/2000/svg"), ("width", f(width)), ("height", f(height)),
                ("viewBox", "0 0 \(f(width)) \(f(height))"), ("font-family", "Helvetica, Arial, sans-serif"),
            ],
            children: nodes)
    }
}

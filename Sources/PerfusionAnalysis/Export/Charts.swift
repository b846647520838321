import Foundation

/// Small SVG charts for reports, built as markup values.
enum Charts {
    struct Frame {
        let width: Double, height: Double
        let left = 64.0, right = 14.0, top = 26.0, bottom = 40.0
        var plotWidth: Double { width - left - right }
        var plotHeight: Double { height - top - bottom }
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func svg(_ frame: Frame, _ children: [MarkupElement]) -> MarkupElement {
        MarkupElement(
            "svg",
            [
                ("xmlns", "http://www.w3.org/2000/svg"), ("width", f(frame.width)), ("height", f(frame.height)),
                ("viewBox", "0 0 \(f(frame.width)) \(f(frame.height))"),
                ("font-family", "Helvetica, Arial, sans-serif"),
                ("font-size", "11"),
            ],
            children: [
                MarkupElement("rect", [("width", f(frame.width)), ("height", f(frame.height)), ("fill", "white")])
            ] + children)
    }

    static func text(_ x: Double, _ y: Double, _ s: String, anchor: String = "start", colour: String = "#333")
        -> MarkupElement
    {
        MarkupElement("text", [("x", f(x)), ("y", f(y)), ("text-anchor", anchor), ("fill", colour)], text: s)
    }

    static func line(
        _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ colour: String, dash: Bool = false, width: Double = 1
    ) -> MarkupElement {
        var a = [
            ("x1", f(x1)), ("y1", f(y1)), ("x2", f(x2)), ("y2", f(y2)), ("stroke", colour), ("stroke-width", f(width)),
        ]
        if dash { a.append(("stroke-dasharray", "5 4")) }
        return MarkupElement("line", a)
    }

    /// Axes with ticks for [x0, x1] x [y0, y1]; returns the elements and the mapping functions.
    static func axes(
        _ frame: Frame, x: (Double, Double), y: (Double, Double), xLabel: String, yLabel: String, xTicks: Bool = true
    ) -> ([MarkupElement], (Double) -> Double, (Double) -> Double) {
        let xs = xTicks ? TICPlot.ticks(x.0, x.1).filter { $0 >= x.0 - 1e-9 && $0 <= x.1 + 1e-9 } : []
        let ys = TICPlot.ticks(y.0, y.1)
        let yr = (ys.first ?? y.0, max(ys.last ?? y.1, y.1))
        func px(_ v: Double) -> Double { frame.left + (v - x.0) / max(x.1 - x.0, 1e-12) * frame.plotWidth }
        func py(_ v: Double) -> Double {
            frame.top + frame.plotHeight - (v - yr.0) / max(yr.1 - yr.0, 1e-12) * frame.plotHeight
        }
        var out: [MarkupElement] = []
        for t in xs {
            out.append(line(px(t), frame.top, px(t), frame.top + frame.plotHeight, "#eee"))
            out.append(text(px(t), frame.top + frame.plotHeight + 14, TICPlot.label(t), anchor: "middle"))
        }
        for v in ys {
            out.append(line(frame.left, py(v), frame.left + frame.plotWidth, py(v), "#eee"))
            out.append(text(frame.left - 5, py(v) + 4, TICPlot.label(v), anchor: "end"))
        }
        out.append(
            MarkupElement(
                "rect",
                [
                    ("x", f(frame.left)), ("y", f(frame.top)), ("width", f(frame.plotWidth)),
                    ("height", f(frame.plotHeight)),
                    ("fill", "none"), ("stroke", "#555"),
                ]))
        out.append(text(frame.left + frame.plotWidth / 2, frame.height - 6, xLabel, anchor: "middle"))
        out.append(text(frame.left, frame.top - 8, yLabel))
        return (out, px, py)
    }

    /// Curves: measured points and fitted lines per series.
    static func curves(
        title: String, series: [(label: String, colour: String, times: [Double], values: [Double], fitted: [Double])]
    ) -> MarkupElement {
        let frame = Frame(width: 520, height: 300)
        let allTimes = series.flatMap(\.times)
        let allValues = series.flatMap { $0.values + $0.fitted.filter(\.isFinite) }.filter(\.isFinite)
        let (axes, px, py) = axes(
            frame, x: (min(allTimes.min() ?? 0, 0), allTimes.max() ?? 1),
            y: (min(allValues.min() ?? 0, 0), (allValues.max() ?? 1) * 1.05),
            xLabel: "time (s)", yLabel: title)
        var children = axes
        for (k, s) in series.enumerated() {
            let points = zip(s.times, s.values).filter { $0.1.isFinite }.map { t, v in
                MarkupElement(
                    "circle",
                    [("cx", f(px(t))), ("cy", f(py(v))), ("r", "1.6"), ("fill", s.colour), ("fill-opacity", "0.45")])
            }
            children.append(MarkupElement("g", [("class", "samples")], children: points))
            let fitted = zip(s.times, s.fitted).filter { $0.1.isFinite }
            if !fitted.isEmpty {
                let d = fitted.enumerated().map { i, p in (i == 0 ? "M" : "L") + "\(f(px(p.0))) \(f(py(p.1)))" }.joined(
                    separator: " ")
                children.append(
                    MarkupElement(
                        "path",
                        [("class", "fit"), ("d", d), ("fill", "none"), ("stroke", s.colour), ("stroke-width", "2")]))
            }
            children.append(
                MarkupElement(
                    "rect",
                    [
                        ("x", f(frame.left + 10)), ("y", f(frame.top + 8 + Double(k) * 16)), ("width", "10"),
                        ("height", "10"), ("fill", s.colour),
                    ]))
            children.append(text(frame.left + 26, frame.top + 17 + Double(k) * 16, s.label))
        }
        return svg(frame, children)
    }

    /// Waterfall: one bar per lesion, sorted from largest increase to largest decrease, threshold dashed.
    static func waterfall(title: String, bars: [(label: String, value: Double, responder: Bool?)], threshold: Double?)
        -> MarkupElement
    {
        let frame = Frame(width: 640, height: 320)
        let sorted = bars.filter { $0.value.isFinite }.sorted { $0.value > $1.value }
        let values = sorted.map(\.value) + [threshold ?? 0, 0]
        let (axes, _, py) = axes(
            frame, x: (0, Double(max(sorted.count, 1))),
            y: (min(values.min()!, 0) * 1.1, max(values.max()!, 0) * 1.1 + 1),
            xLabel: "lesions, ordered by change", yLabel: title, xTicks: false)
        var children = axes
        let slot = frame.plotWidth / Double(max(sorted.count, 1))
        for (i, bar) in sorted.enumerated() {
            let x = frame.left + Double(i) * slot + slot * 0.15
            let y0 = py(0)
            let y1 = py(bar.value)
            let colour = bar.responder == true ? "#2ca02c" : "#7f8c99"
            children.append(
                MarkupElement(
                    "rect",
                    [
                        ("class", "bar"), ("x", f(x)), ("y", f(min(y0, y1))), ("width", f(slot * 0.7)),
                        ("height", f(abs(y1 - y0))), ("fill", colour),
                    ]))
            children.append(text(x + slot * 0.35, frame.top + frame.plotHeight + 14, bar.label, anchor: "middle"))
        }
        children.append(line(frame.left, py(0), frame.left + frame.plotWidth, py(0), "#333"))
        if let threshold {
            children.append(
                line(
                    frame.left, py(threshold), frame.left + frame.plotWidth, py(threshold), "#d62728", dash: true,
                    width: 1.5))
            children.append(
                text(
                    frame.left + frame.plotWidth - 4, py(threshold) - 4,
                    "response threshold \(TICPlot.label(threshold)) %", anchor: "end", colour: "#d62728"))
        }
        return svg(frame, children)
    }

    /// Before/after: each lesion's baseline and follow-up value joined by a line.
    static func paired(
        title: String, pairs: [(label: String, before: Double, after: Double)], timepoints: (String, String)
    ) -> MarkupElement {
        let frame = Frame(width: 300, height: 260)
        let values = pairs.flatMap { [$0.before, $0.after] }.filter(\.isFinite)
        let (axes, _, py) = axes(
            frame, x: (0, 1), y: (min(values.min() ?? 0, 0), (values.max() ?? 1) * 1.08), xLabel: "", yLabel: title,
            xTicks: false)
        var children = axes
        let xa = frame.left + frame.plotWidth * 0.2
        let xb = frame.left + frame.plotWidth * 0.8
        for p in pairs where p.before.isFinite && p.after.isFinite {
            children.append(
                line(xa, py(p.before), xb, py(p.after), p.after < p.before ? "#1f77b4" : "#ff7f0e", width: 1.5))
            children.append(
                MarkupElement("circle", [("cx", f(xa)), ("cy", f(py(p.before))), ("r", "3"), ("fill", "#333")]))
            children.append(
                MarkupElement("circle", [("cx", f(xb)), ("cy", f(py(p.after))), ("r", "3"), ("fill", "#333")]))
            children.append(text(xb + 6, py(p.after) + 4, p.label))
        }
        children.append(text(xa, frame.top + frame.plotHeight + 14, timepoints.0, anchor: "middle"))
        children.append(text(xb, frame.top + frame.plotHeight + 14, timepoints.1, anchor: "middle"))
        return svg(frame, children)
    }
}

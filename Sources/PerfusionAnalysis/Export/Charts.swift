import Foundation

/// Small SVG charts for reports, built as markup values.
enum Charts {
    struct Frame {
        let width: Double, height: Double
        var left = 64.0, right = 14.0, top = 26.0, bottom = 40.0
        var plotWidth: Double { width - left - right }
        var plotHeight: Double { height - top - bottom }
    }

    /// Width of `s` in pixels at a font size of `size`, on the safe side: 0.65 em a character (digits and capitals
    /// of Helvetica and its substitutes are 0.56 to 0.67 em wide).
    static func textWidth(_ s: String, size: Double = 11) -> Double { Double(s.count) * 0.65 * size }

    /// How a legend entry is drawn.
    enum LegendMark {
        case box, line, dashed, dot
    }

    /// A legend in one or more rows starting at (`x`, `y`), wrapping before `maxX`.
    static func legend(_ items: [(colour: String, label: String, mark: LegendMark)], x: Double, y: Double, maxX: Double)
        -> [MarkupElement]
    {
        var out: [MarkupElement] = []
        var cx = x
        var cy = y
        for item in items {
            let width = 18 + textWidth(item.label) + 14
            if cx + width > maxX && cx > x {
                cx = x
                cy += 15
            }
            switch item.mark {
            case .box:
                out.append(
                    MarkupElement(
                        "rect",
                        [("x", f(cx)), ("y", f(cy - 9)), ("width", "10"), ("height", "10"), ("fill", item.colour)]))
            case .line: out.append(line(cx, cy - 4, cx + 14, cy - 4, item.colour, width: 2))
            case .dashed: out.append(line(cx, cy - 4, cx + 14, cy - 4, item.colour, dash: true, width: 1.5))
            case .dot:
                out.append(
                    MarkupElement(
                        "circle", [("cx", f(cx + 5)), ("cy", f(cy - 4)), ("r", "3"), ("fill", item.colour)]))
            }
            out.append(text(cx + 18, cy, item.label))
            cx += width
        }
        return out
    }

    /// `s` broken at spaces into lines of at most `width` pixels.
    static func wrap(_ s: String, width: Double) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in s.split(separator: " ") {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if textWidth(candidate) > width && !current.isEmpty {
                lines.append(current)
                current = String(word)
            } else {
                current = candidate
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// Moves label positions `ys` (any order) apart so that neighbours are at least `gap` apart, staying inside
    /// [`low`, `high`] when there is room, and keeping their order; returns the new positions in the input order.
    static func spread(_ ys: [Double], gap: Double, low: Double, high: Double) -> [Double] {
        let order = ys.indices.sorted { ys[$0] < ys[$1] }
        var placed = order.map { ys[$0] }
        for i in placed.indices.dropFirst() where placed[i] < placed[i - 1] + gap { placed[i] = placed[i - 1] + gap }
        if let last = placed.last, last > high {
            placed[placed.count - 1] = high
            for i in placed.indices.dropLast().reversed() where placed[i] > placed[i + 1] - gap {
                placed[i] = placed[i + 1] - gap
            }
        }
        if let first = placed.first, first < low {
            let shift = low - first
            for i in placed.indices { placed[i] += shift }
        }
        var out = ys
        for (k, index) in order.enumerated() { out[index] = placed[k] }
        return out
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
        title: String,
        series: [(label: String, colour: String, times: [Double], values: [Double], fitted: [Double], dashed: Bool)]
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
                var attributes = [
                    ("class", "fit"), ("d", d), ("fill", "none"), ("stroke", s.colour), ("stroke-width", "2"),
                ]
                if s.dashed { attributes += [("stroke-dasharray", "6 4"), ("stroke-opacity", "0.8")] }
                children.append(MarkupElement("path", attributes))
            }
            children += legend(
                [(s.colour, s.label, s.dashed ? .dashed : .line)], x: frame.left + frame.plotWidth - 200,
                y: frame.top + 16 + Double(k) * 15, maxX: frame.width)
        }
        children.append(
            text(
                frame.left + frame.plotWidth - 4, frame.top + frame.plotHeight - 6,
                "dots: measured; lines: fitted", anchor: "end", colour: "#666"))
        return svg(frame, children)
    }

    /// Colours of the verdicts in charts.
    static func colour(_ verdict: Comparison.Verdict) -> String {
        switch verdict {
        case .responder: return "#2ca02c"
        case .nonResponder: return "#7f8c99"
        case .indeterminate: return "#e6a700"
        case .notComparable: return "#cccccc"
        }
    }

    /// One bar of a waterfall: a lesion's change, its 95 % interval and its verdict.
    struct Bar {
        let label: String
        let value: Double
        let interval: ClosedRange<Double>?
        let verdict: Comparison.Verdict
    }

    /// Waterfall: one bar per lesion, sorted from largest increase to largest decrease, with its 95 % interval as a
    /// whisker, coloured by verdict; the threshold dashed. Labels turn upright when they would not fit side by side,
    /// and the chart widens so that every bar keeps at least 14 px.
    static func waterfall(title: String, unit: String, bars: [Bar], threshold: Double?) -> MarkupElement {
        let sorted = bars.filter { $0.value.isFinite }.sorted { $0.value > $1.value }
        let count = Double(max(sorted.count, 1))
        let slot = max(14, 562 / count)
        let barWidth = min(slot * 0.7, 48)
        let longest = sorted.map { textWidth($0.label, size: 10) }.max() ?? 0
        let upright = longest > slot * 0.9
        var frame = Frame(width: max(640, 64 + 14 + slot * count), height: 340 + (upright ? longest : 0))
        frame.bottom = 64 + (upright ? longest : 0)
        let ends = sorted.flatMap { [$0.interval?.lowerBound, $0.interval?.upperBound].compactMap { $0 } }
        let values = sorted.map(\.value) + ends.filter(\.isFinite) + [threshold ?? 0, 0]
        let (axes, _, py) = axes(
            frame, x: (0, count), y: (min(values.min()!, 0) * 1.1, max(values.max()!, 0) * 1.1 + 1),
            xLabel: "", yLabel: "\(title) (\(unit))", xTicks: false)
        var children = axes
        let labelY = frame.top + frame.plotHeight + 12
        for (i, bar) in sorted.enumerated() {
            let centre = frame.left + (Double(i) + 0.5) * slot
            let x = centre - barWidth / 2
            let (y0, y1) = (py(0), py(bar.value))
            children.append(
                MarkupElement(
                    "rect",
                    [
                        ("class", "bar"), ("x", f(x)), ("y", f(min(y0, y1))), ("width", f(barWidth)),
                        ("height", f(abs(y1 - y0))), ("fill", colour(bar.verdict)),
                    ]))
            if let interval = bar.interval {
                let (a, b) = (py(interval.lowerBound), py(interval.upperBound))
                children.append(line(centre, a, centre, b, "#222", width: 1.2))
                let cap = barWidth * 0.3
                children.append(line(centre - cap, a, centre + cap, a, "#222", width: 1.2))
                children.append(line(centre - cap, b, centre + cap, b, "#222", width: 1.2))
            }
            if upright {
                children.append(
                    MarkupElement(
                        "text",
                        [
                            ("class", "bar-label"), ("x", f(centre + 3)), ("y", f(labelY)), ("text-anchor", "end"),
                            ("font-size", "10"), ("fill", "#333"),
                            ("transform", "rotate(-90 \(f(centre + 3)) \(f(labelY)))"),
                        ], text: bar.label))
            } else {
                children.append(
                    MarkupElement(
                        "text",
                        [
                            ("class", "bar-label"), ("x", f(centre)), ("y", f(labelY + 2)), ("text-anchor", "middle"),
                            ("font-size", "10"), ("fill", "#333"),
                        ], text: bar.label))
            }
        }
        children.append(line(frame.left, py(0), frame.left + frame.plotWidth, py(0), "#333"))
        if let threshold {
            children.append(
                line(
                    frame.left, py(threshold), frame.left + frame.plotWidth, py(threshold), "#d62728", dash: true,
                    width: 1.5))
        }
        let axisTitleY = frame.top + frame.plotHeight + 14 + (upright ? longest + 8 : 12)
        children.append(
            text(
                frame.left + frame.plotWidth / 2, axisTitleY, "lesions, ordered by change (95 % interval as whiskers)",
                anchor: "middle"))
        var items: [(colour: String, label: String, mark: LegendMark)] = [
            (colour(.responder), "responder", .box), (colour(.nonResponder), "non-responder", .box),
            (colour(.indeterminate), "indeterminate", .box),
        ]
        if let threshold { items.append(("#d62728", "threshold \(TICPlot.label(threshold)) \(unit)", .dashed)) }
        children += legend(items, x: frame.left, y: axisTitleY + 18, maxX: frame.width - frame.right)
        return svg(frame, children)
    }

    /// Before/after: each lesion's baseline and follow-up value joined by a line, labels moved apart so that they
    /// never overlap (left out above 20 lesions: the table names them).
    static func paired(
        title: String, unit: String, pairs: [(label: String, before: Double, after: Double)],
        timepoints: (String, String)
    ) -> MarkupElement {
        var frame = Frame(width: 330, height: 316)
        frame.bottom = 62
        frame.right = 70
        frame.top = 42
        let values = pairs.flatMap { [$0.before, $0.after] }.filter(\.isFinite)
        let (axes, _, py) = axes(
            frame, x: (0, 1), y: (min(values.min() ?? 0, 0), (values.max() ?? 1) * 1.08), xLabel: "",
            yLabel: "", xTicks: false)
        var children = axes
        // The title in words, on two lines when it is longer than the chart is wide.
        for (k, line) in wrap("\(title) (\(unit))", width: frame.width - 16).prefix(2).enumerated() {
            children.append(text(8, 14 + Double(k) * 14, line))
        }
        let xa = frame.left + frame.plotWidth * 0.2
        let xb = frame.left + frame.plotWidth * 0.8
        let shown = pairs.filter { $0.before.isFinite && $0.after.isFinite }
        for p in shown {
            children.append(
                line(xa, py(p.before), xb, py(p.after), p.after < p.before ? "#1f77b4" : "#ff7f0e", width: 1.5))
            children.append(
                MarkupElement("circle", [("cx", f(xa)), ("cy", f(py(p.before))), ("r", "3"), ("fill", "#333")]))
            children.append(
                MarkupElement("circle", [("cx", f(xb)), ("cy", f(py(p.after))), ("r", "3"), ("fill", "#333")]))
        }
        if shown.count <= 20 {
            let ys = spread(
                shown.map { py($0.after) + 4 }, gap: 12, low: frame.top + 10, high: frame.top + frame.plotHeight + 4)
            for (p, y) in zip(shown, ys) {
                children.append(
                    MarkupElement(
                        "text", [("class", "pair-label"), ("x", f(xb + 8)), ("y", f(y)), ("fill", "#333")],
                        text: p.label))
            }
        }
        children.append(text(xa, frame.top + frame.plotHeight + 14, timepoints.0, anchor: "middle"))
        children.append(text(xb, frame.top + frame.plotHeight + 14, timepoints.1, anchor: "middle"))
        children += legend(
            [("#1f77b4", "decrease", .line), ("#ff7f0e", "increase", .line)], x: frame.left,
            y: frame.top + frame.plotHeight + 34, maxX: frame.width)
        if shown.count > 20 {
            children.append(
                text(
                    frame.left, frame.height - 6, "\(shown.count) lesions: labels left out (see the table)",
                    colour: "#666"))
        }
        return svg(frame, children)
    }
}

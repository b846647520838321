import CEUSImaging
import Foundation

/// An SVG plot of one region's time-intensity curve: measured points, excluded frames, the fitted curve,
/// and TTP and PE marked.
struct TICPlot: Sendable {
    var width = 720.0
    var height = 420.0

    init() {}

    /// The plot as a standalone SVG document.
    func render(_ analysis: ClipAnalysis, _ region: RegionAnalysis) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + element(analysis, region).render() + "\n"
    }

    /// The plot as an `svg` element (for inline use in reports).
    func element(_ analysis: ClipAnalysis, _ region: RegionAnalysis) -> MarkupElement {
        let margin = (left: 78.0, right: 20.0, top: 46.0, bottom: 52.0)
        let plotW = width - margin.left - margin.right
        let plotH = height - margin.top - margin.bottom
        let c = region.curve
        let t0 = min(c.times.first ?? 0, 0)
        let t1 = c.times.last ?? 1
        let values = c.intensities + region.fitted.filter(\.isFinite)
        let yMax = (values.max() ?? 1) * 1.05
        let yMin = min(values.min() ?? 0, 0)
        let yTicks = Self.ticks(yMin, yMax)
        // Time spans exactly the clip; amplitude extends to the next tick above the data.
        let xr = (lo: t0, hi: max(t1, t0 + 1e-9))
        let xTicks = Self.ticks(t0, t1).filter { $0 >= xr.lo - 1e-9 && $0 <= xr.hi + 1e-9 }
        let yr = (lo: yTicks.first ?? yMin, hi: max(yTicks.last ?? yMax, yMax))
        func px(_ t: Double) -> Double { margin.left + (t - xr.lo) / (xr.hi - xr.lo) * plotW }
        func py(_ v: Double) -> Double { margin.top + plotH - (v - yr.lo) / (yr.hi - yr.lo) * plotH }
        func f(_ v: Double) -> String { String(format: "%.2f", v) }

        var nodes: [MarkupElement] = [
            MarkupElement("rect", [("width", f(width)), ("height", f(height)), ("fill", "white")]),
            MarkupElement(
                "text", [("x", f(margin.left)), ("y", "22"), ("font-size", "15"), ("font-weight", "bold")],
                text: "\(Self.clipTitle(analysis.clipPath)) - \(region.region)"),
            MarkupElement(
                "text", [("x", f(margin.left)), ("y", "38"), ("font-size", "12"), ("fill", "#555")],
                text: subtitle(region)),
        ]
        // Grid and tick labels.
        for t in xTicks {
            nodes.append(line(px(t), margin.top, px(t), margin.top + plotH, "#e4e4e4"))
            nodes.append(
                MarkupElement(
                    "text",
                    [
                        ("x", f(px(t))), ("y", f(margin.top + plotH + 18)), ("font-size", "11"),
                        ("text-anchor", "middle"),
                    ],
                    text: Self.label(t)))
        }
        for v in yTicks {
            nodes.append(line(margin.left, py(v), margin.left + plotW, py(v), "#e4e4e4"))
            nodes.append(
                MarkupElement(
                    "text",
                    [("x", f(margin.left - 6)), ("y", f(py(v) + 4)), ("font-size", "11"), ("text-anchor", "end")],
                    text: Self.label(v)))
        }
        nodes.append(
            MarkupElement(
                "rect",
                [
                    ("x", f(margin.left)), ("y", f(margin.top)), ("width", f(plotW)), ("height", f(plotH)),
                    ("fill", "none"), ("stroke", "#444"),
                ]))
        nodes.append(
            MarkupElement(
                "text",
                [
                    ("x", f(margin.left + plotW / 2)), ("y", f(height - 12)), ("font-size", "12"),
                    ("text-anchor", "middle"),
                ],
                text: "time (s)"))
        nodes.append(
            MarkupElement(
                "text",
                [
                    ("transform", "translate(16 \(f(margin.top + plotH / 2))) rotate(-90)"), ("font-size", "12"),
                    ("text-anchor", "middle"),
                ],
                text: "mean linear echo power (a.u.)"))

        // Samples.
        var points: [MarkupElement] = []
        var reasons: [String] = []
        for i in c.times.indices where c.intensities[i].isFinite {
            let reason = Self.reason(c, i)
            if let reason, !reasons.contains(reason) { reasons.append(reason) }
            points.append(
                MarkupElement(
                    "circle",
                    [
                        ("cx", f(px(c.times[i]))), ("cy", f(py(c.intensities[i]))),
                        ("r", reason == nil ? "2.2" : "3"), ("fill", reason == nil ? "#7f8c99" : "none"),
                        ("stroke", reason.map { Self.reasonColours[$0] ?? "#d62728" } ?? "none"),
                        ("stroke-width", "1.5"),
                    ]))
        }
        nodes.append(MarkupElement("g", [("class", "samples")], children: points))
        // Legend of the exclusion reasons present, top right.
        var legendX = margin.left + plotW - 4
        for reason in reasons.reversed() {
            let label = "excluded: \(reason.replacingOccurrences(of: "_", with: " "))"
            let colour = Self.reasonColours[reason] ?? "#d62728"
            nodes.append(
                MarkupElement(
                    "text",
                    [
                        ("x", f(legendX)), ("y", f(margin.top - 6)), ("font-size", "11"), ("fill", colour),
                        ("text-anchor", "end"), ("class", "legend"),
                    ], text: label))
            legendX -= Double(label.count) * 6.2 + 22
            nodes.append(
                MarkupElement(
                    "circle",
                    [
                        ("cx", f(legendX + 12)), ("cy", f(margin.top - 10)), ("r", "3"), ("fill", "none"),
                        ("stroke", colour), ("stroke-width", "1.5"),
                    ]))
        }

        // Fitted curve, sampled finely.
        if region.fit.hasParameters, let p = region.parameters {
            let steps = 400
            var path = ""
            for s in 0...steps {
                let t = c.times[0] + (t1 - c.times[0]) * Double(s) / Double(steps)
                path += (s == 0 ? "M" : " L") + "\(f(px(t))) \(f(py(region.fittedValue(at: t))))"
            }
            nodes.append(
                MarkupElement(
                    "path",
                    [("class", "fit"), ("d", path), ("fill", "none"), ("stroke", "#1f77b4"), ("stroke-width", "2")]))
            let offset = region.fit.parameters[4]
            let peakY = offset + p.peakEnhancement
            nodes.append(
                line(px(p.timeToPeak), margin.top, px(p.timeToPeak), margin.top + plotH, "#d62728", dash: true))
            nodes.append(line(margin.left, py(peakY), margin.left + plotW, py(peakY), "#2ca02c", dash: true))
            nodes.append(
                MarkupElement(
                    "circle", [("cx", f(px(p.timeToPeak))), ("cy", f(py(peakY))), ("r", "4.5"), ("fill", "#d62728")]))
            nodes.append(
                MarkupElement(
                    "text",
                    [
                        ("x", f(px(p.timeToPeak) + 6)), ("y", f(margin.top + 14)), ("font-size", "11"),
                        ("fill", "#d62728"),
                    ],
                    text: "TTP \(Self.label(p.timeToPeak)) s"))
            nodes.append(
                MarkupElement(
                    "text",
                    [
                        ("x", f(margin.left + plotW - 4)), ("y", f(py(peakY) - 5)), ("font-size", "11"),
                        ("fill", "#2ca02c"),
                        ("text-anchor", "end"),
                    ],
                    text: "PE \(Self.label(p.peakEnhancement)) a.u."))
        }
        let root = MarkupElement(
            "svg",
            [
                ("xmlns", "http://www.w3.org/2000/svg"), ("width", f(width)), ("height", f(height)),
                ("viewBox", "0 0 \(f(width)) \(f(height))"), ("font-family", "Helvetica, Arial, sans-serif"),
            ],
            children: nodes)
        return root
    }

    private func subtitle(_ region: RegionAnalysis) -> String {
        var s = "\(region.model) fit: \(region.fit.status.rawValue)"
        if region.fits.count > 1 {
            s = "\(region.model) (selected by AIC among \(region.fits.count) models) fit: \(region.fit.status.rawValue)"
        }
        if let p = region.parameters { s += String(format: ", QOF %.1f %%", p.qualityOfFit) }
        s += "; \(region.curve.pixelCount) px; open circles: excluded frames, coloured by reason"
        return s
    }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ colour: String, dash: Bool = false)
        -> MarkupElement
    {
        var a: [(String, String)] = [
            ("x1", String(format: "%.2f", x1)), ("y1", String(format: "%.2f", y1)), ("x2", String(format: "%.2f", x2)),
            ("y2", String(format: "%.2f", y2)), ("stroke", colour),
        ]
        if dash { a.append(("stroke-dasharray", "5 4")) }
        return MarkupElement("line", a)
    }

    /// Why sample `i` of `curve` is excluded (`tic.csv`'s `exclusion`), nil when it is not.
    static func reason(_ curve: TimeIntensityCurve, _ i: Int) -> String? {
        if let r = curve.exclusions[i] { return r.rawValue }
        return curve.excluded[i] ? "outlier" : nil
    }

    /// Marker colours of the exclusion reasons.
    static let reasonColours: [String: String] = [
        "manual": "#d62728", "flash": "#ff7f0e", "duplicate": "#9467bd", "out_of_plane": "#8c564b",
        "outlier": "#e377c2",
    ]

    /// "Nice" tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart).
    static func ticks(_ lo: Double, _ hi: Double, target: Int = 6) -> [Double] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
        let raw = (hi - lo) / Double(target)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = floor(lo / step) * step
        var out: [Double] = []
        var v = first
        while v < hi + step * 0.999 {
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return out
    }

    /// The last three components of the clip path (for a study: subject / timepoint / clip).
    static func clipTitle(_ path: String) -> String {
        let parts = path.split(separator: "/").filter { $0 != "." }
        return parts.suffix(3).joined(separator: " / ")
    }

    static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e4 || a < 1e-3 { return String(format: "%.2g", v) }
        return String(format: "%.4g", v)
    }
}

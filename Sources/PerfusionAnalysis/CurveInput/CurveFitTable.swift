import CEUSImaging
import Foundation
import PerfusionFitting

/// Fits curves read from a table and writes the parameters table of `echoflow fit`: a `curve` column, then
/// the columns of `parameters.csv` from `model` on.
public enum CurveFitTable {
    /// Columns of the output, in order.
    static var columns: [String] { ParameterTable.fitSchema.names }

    /// Reads the curves of `path` (see ``CurveTableReader``); with `dynamicRangeDB`, display values are
    /// linearized to echo power first (clipped to the display range, then the inverse display law), as `analyze` does for clips.
    public static func read(
        _ path: String, layout: CurveTableReader.Layout, select: [String]? = nil, dynamicRangeDB: Double? = nil,
        maxDisplayValue: Double = 255, dialect: TableDialect? = nil, encoding: TableEncoding = .utf8
    ) throws -> [NamedCurve] {
        let curves = try CurveTableReader.read(
            path, layout: layout, select: select, dialect: dialect, encoding: encoding)
        guard let dynamicRangeDB else { return curves }
        let law = Linearization(dynamicRangeDB: dynamicRangeDB)
        return curves.map { linearized($0, law, maxDisplayValue: maxDisplayValue) }
    }

    /// Converts display values to linear power with `linearization` (values above `maxDisplayValue` or below
    /// zero are clipped to the display range first).
    static func linearized(_ curve: NamedCurve, _ linearization: Linearization, maxDisplayValue: Double)
        -> NamedCurve
    {
        let values = curve.samples.values.map {
            linearization.power(display: min(max($0, 0), maxDisplayValue), maxDisplayValue: maxDisplayValue)
        }
        return NamedCurve(id: curve.id, samples: CurveSamples(times: curve.samples.times, values: values))
    }

    /// The data-driven starting point of every curve and model (`curve,model,p1..p5`, empty when rejected).
    public static func startingPoints(_ curves: [NamedCurve], models: [any CurveModel]) -> CSVTable {
        var table = CSVTable(columns: ["curve", "model", "p1", "p2", "p3", "p4", "p5"])
        for curve in curves {
            for model in models {
                let start = try? model.initialGuess(for: curve.samples).get()
                table.append(
                    [.text(curve.id), .text(model.name)]
                        + (0..<5).map { k in start.map { .number($0[k]) } ?? .empty })
            }
        }
        return table
    }

    /// The fitted curves of the selected models, one row per sample: `curve,time_s,intensity,fitted,excluded`
    /// (`excluded` is 1 for an isolated outlier left out of the fit).
    public static func fittedCurves(_ curves: [NamedCurve], fits: [[CurveFit]]) -> CSVTable {
        var table = CSVTable(columns: ["curve", "time_s", "intensity", "fitted", "excluded"])
        for (curve, candidates) in zip(curves, fits) {
            let chosen = candidates.first { $0.selected } ?? candidates[0]
            let outliers = Set(chosen.outliers)
            for (i, t) in curve.samples.times.enumerated() {
                let value =
                    chosen.fit.hasParameters ? chosen.model.value(at: t, parameters: chosen.fit.parameters) : .nan
                table.append([
                    .text(curve.id), .number(t), .number(curve.samples.values[i]), .number(value),
                    .integer(outliers.contains(i) ? 1 : 0),
                ])
            }
        }
        return table
    }

    /// Fits every curve: the candidates of each (one per model; with `auto` the selected one marked).
    public static func fit(_ curves: [NamedCurve], analyzer: CurveAnalyzer) -> [[CurveFit]] {
        analyzer.fit(curves.map(\.samples))
    }

    /// The output table as CSV bytes: one row per curve and model, in order. The rows' cells are written as they are
    /// made, blocks of rows on every core.
    public static func parameters(_ curves: [NamedCurve], fits: [[CurveFit]], dynamicRangeDB: Double?) -> [UInt8] {
        let rows = zip(curves.indices, fits).flatMap { c, candidates in candidates.indices.map { (c, $0) } }
        return ParameterTable.fitSchema.render(count: rows.count) { i in
            let (c, k) = rows[i]
            let fitted = fits[c][k]
            return ParameterRow(
                source: curves[c].id, region: "", fitted: fitted, frames: curves[c].samples.count,
                excluded: fitted.outliers.count, dynamicRangeDB: dynamicRangeDB)
        }
    }
}

import CEUSImaging
import Foundation
import PerfusionFitting

/// Fits curves read from a table and writes the parameters table of `echoflow fit`: a `curve` column, then
/// the columns of `parameters.csv` from `model` on.
public enum CurveFitTable {
    /// Columns of the output, in order.
    public static var columns: [String] { ["curve"] + ParameterTable.columns.dropFirst(2).map(\.name) }

    /// Converts display values to linear power with `linearization` (values above `maxDisplayValue` or below
    /// zero are clipped to the display range first).
    public static func linearized(_ curve: NamedCurve, _ linearization: Linearization, maxDisplayValue: Double)
        -> NamedCurve
    {
        let values = curve.samples.values.map {
            linearization.power(display: min(max($0, 0), maxDisplayValue), maxDisplayValue: maxDisplayValue)
        }
        return NamedCurve(id: curve.id, samples: CurveSamples(times: curve.samples.times, values: values))
    }

    /// The data-driven starting point of every curve and model (`curve,model,p1..p5`, empty when rejected).
    public static func startingPoints(_ curves: [NamedCurve], kinds: [ModelKind]) -> CSVTable {
        var table = CSVTable(columns: ["curve", "model", "p1", "p2", "p3", "p4", "p5"])
        for curve in curves {
            for kind in kinds {
                let start = try? kind.model.initialGuess(for: curve.samples).get()
                table.append(
                    [.text(curve.id), .text(kind.rawValue)]
                        + (0..<5).map { k in start.map { .number($0[k]) } ?? .empty })
            }
        }
        return table
    }

    /// Fits every curve and returns the fits with the output table.
    public static func fit(
        _ curves: [NamedCurve], analyzer: CurveAnalyzer, dynamicRangeDB: Double?
    ) -> (fits: [[CurveFit]], table: CSVTable) {
        let fits = analyzer.fit(curves.map(\.samples))
        var table = CSVTable(columns: columns)
        for (curve, candidates) in zip(curves, fits) {
            for fitted in candidates {
                let values = ParameterTable.RowValues(
                    kind: fitted.kind, fit: fitted.fit, aic: fitted.aic, selected: fitted.selected,
                    parameters: fitted.parameters, replenishment: fitted.replenishment,
                    qualityOfFit: fitted.qualityOfFit, frames: curve.samples.count, dynamicRangeDB: dynamicRangeDB)
                table.append([.text(curve.id)] + ParameterTable.cells(values))
            }
        }
        return (fits, table)
    }
}

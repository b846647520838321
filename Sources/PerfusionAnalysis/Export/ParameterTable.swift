import CEUSImaging
import PerfusionFitting

/// One row of `parameters.csv` (or of the table `echoflow fit` writes): one model fitted to one region's
/// curve, with what is known about the curve.
struct ParameterRow: Sendable {
    /// Clip identifier (the clip folder's name), or the curve's id for `echoflow fit`.
    var source: String
    /// Region name (empty for `echoflow fit`).
    var region: String
    var fitted: CurveFit
    var relative: RelativeAmplitudes?
    var frames: Int
    var excluded: Int
    /// Dynamic range used to linearize (dB); nil when the values were not linearized by Echoflow.
    var dynamicRangeDB: Double?
    var pixelCount: Int?
    var saturatedPercentMax: Double?
    var reference: String?
    var areaMM2: Double?
    /// Share of contrast-pane pixels no colour-map entry matched (%); nil without a tinted map.
    var colorMapUnmatchedPercent: Double?

    init(
        source: String, region: String, fitted: CurveFit, relative: RelativeAmplitudes? = nil, frames: Int,
        excluded: Int = 0, dynamicRangeDB: Double? = nil, pixelCount: Int? = nil, saturatedPercentMax: Double? = nil,
        reference: String? = nil, areaMM2: Double? = nil, colorMapUnmatchedPercent: Double? = nil
    ) {
        self.colorMapUnmatchedPercent = colorMapUnmatchedPercent
        self.source = source
        self.region = region
        self.fitted = fitted
        self.relative = relative
        self.frames = frames
        self.excluded = excluded
        self.dynamicRangeDB = dynamicRangeDB
        self.pixelCount = pixelCount
        self.saturatedPercentMax = saturatedPercentMax
        self.reference = reference
        self.areaMM2 = areaMM2
    }

    /// Quality flags of the row (the `flags` column): `saturated`, `outliers_removed`, `short_washout`.
    var flags: [String] {
        var flags: [String] = []
        if (saturatedPercentMax ?? 0) > ClipAnalysis.saturationWarningPercent { flags.append("saturated") }
        if !fitted.outliers.isEmpty { flags.append("outliers_removed") }
        if fitted.shortWashout { flags.append("short_washout") }
        return flags
    }

    /// The rows of one region of a clip analysis, one per model fitted.
    static func rows(_ analysis: ClipAnalysis, _ region: RegionAnalysis) -> [ParameterRow] {
        region.fits.enumerated().map { k, fitted in
            let relative = region.relatives[k]
            return ParameterRow(
                source: analysis.clipName, region: region.region, fitted: fitted, relative: relative,
                frames: region.curve.times.count, excluded: region.curve.excluded.filter { $0 }.count,
                dynamicRangeDB: analysis.dynamicRangeDB, pixelCount: region.curve.pixelCount,
                saturatedPercentMax: region.curve.maximumSaturatedPercent,
                reference: relative != nil ? analysis.reference : nil,
                areaMM2: analysis.pixelAreaMM2.map { $0 * Double(region.curve.pixelCount) },
                colorMapUnmatchedPercent: analysis.frames.colorMapUnmatchedPercent)
        }
    }
}

/// The columns of `parameters.csv` (one row per clip, region and model), declared once.
enum ParameterTable {
    static let file = "parameters.csv"

    /// The perfusion parameters of docs/METHODS.md §6 in order: computed on the fitted curve with the offset
    /// removed, times on the clip time axis. `echoflow compare` compares these (and ``relativePercent``).
    static let perfusion: [Column<ParameterRow>] = {
        func p(
            _ name: String, _ unit: String, _ meaning: String,
            _ value: @escaping @Sendable (PerfusionParameters) -> Double
        ) -> Column<ParameterRow> {
            .number(name, unit, meaning) { $0.fitted.parameters.map(value) }
        }
        return [
            p("pe_au", "a.u.", "PE: peak enhancement, max f", \.peakEnhancement),
            p("ttp_s", "s", "TTP: time of the peak", \.timeToPeak),
            .number(
                "wir_au_per_s", "a.u./s",
                "WiR: wash-in rate, the largest slope of f (replenishment: the perfusion index, the slope at the flash)"
            ) { $0.fitted.parameters?.washInRate ?? $0.fitted.replenishment?.perfusionIndex },
            p(
                "ti_s", "s", "TI: where the tangent at the largest slope crosses zero, t_WiR - f(t_WiR) / WiR",
                \.tangentIntercept),
            p("rt_s", "s", "RT: rise time, TTP - TI", \.riseTime),
            p("mtti_s", "s", "mTTI: mTT - TI", \.meanTransitTimeFromIntercept),
            p("wiauc_au_s", "a.u. s", "WiAUC: integral of f from TI to TTP", \.washInArea),
            p("wipi_au", "a.u.", "WiPI: WiAUC / RT", \.washInPerfusionIndex),
            p(
                "wor_au_per_s", "a.u./s", "WoR: wash-out rate, the most negative slope of f (reported negative)",
                \.washOutRate),
            p("to_s", "s", "TO: where the tangent at the most negative slope crosses zero", \.washOutIntercept),
            p("ft_s", "s", "FT: fall time, TO - TTP", \.fallTime),
            p("woauc_au_s", "a.u. s", "WoAUC: integral of f from TTP to TO", \.washOutArea),
            p("wiwoauc_au_s", "a.u. s", "WiWoAUC: WiAUC + WoAUC", \.washInOutArea),
            p("auc_au_s", "a.u. s", "AUC: total area under f (lognormal: A)", \.area),
            p(
                "mtt_s", "s", "mTT: first moment of f on the clip time axis (lognormal: t0 + exp(mu + sigma^2 / 2))",
                \.meanTransitTime),
            .number(
                "qof_pct", "%",
                "QOF: 100 R^2 = 100 (1 - SS_res / SS_tot) on the frames used in the fit, SS_res unweighted"
            ) {
                $0.fitted.qualityOfFit
            },
        ]
    }()

    /// Amplitude parameters with relative columns, by CSV stem, in order (see ``PerfusionParameters/amplitudes``).
    static let amplitudeStems = ["pe", "wir", "wiauc", "wipi", "wor", "woauc", "wiwoauc", "auc"]
    /// The field's abbreviations of the amplitude stems, for the column documentation.
    static let amplitudeLabels = ["PE", "WiR", "WiAUC", "WiPI", "WoR", "WoAUC", "WiWoAUC", "AUC"]

    /// Amplitudes relative to the reference region, in percent.
    static let relativePercent: [Column<ParameterRow>] = amplitudeStems.indices.map { i in
        let stem = amplitudeStems[i]
        return .number(
            "\(stem)_rel_pct", "%",
            "\(amplitudeLabels[i]) relative to the same parameter of the reference region, 100 x / x_ref"
        ) { $0.relative?.percent[i] }
    }

    /// Amplitudes relative to the reference region, in decibels.
    static let relativeDecibels: [Column<ParameterRow>] = amplitudeStems.indices.map { i in
        let stem = amplitudeStems[i]
        return .number(
            "\(stem)_rel_db", "dB",
            "\(amplitudeLabels[i]) relative to the reference region as a difference, 10 log10(x / x_ref)"
        ) { $0.relative?.decibels[i] }
    }

    /// A model's parameter block: each fitted parameter and its standard error, filled only in that model's rows.
    static func block(_ model: any CurveModel) -> [Column<ParameterRow>] {
        let name = model.name
        return model.parameters.enumerated().flatMap { k, parameter -> [Column<ParameterRow>] in
            @Sendable func own(_ row: ParameterRow) -> Bool {
                row.fitted.model.name == name && row.fitted.fit.hasParameters
            }
            return [
                .number(
                    model.columnName(parameter), parameter.unit,
                    "\(name): \(parameter.meaning); `_se`: its standard error"
                ) {
                    own($0) ? $0.fitted.fit.parameters[k] : nil
                },
                .number(
                    model.columnName(parameter) + "_se", parameter.unit,
                    "standard error of \(model.columnName(parameter))"
                ) {
                    own($0) ? $0.fitted.fit.standardErrors[k] : nil
                },
            ]
        }
    }

    /// Every column from `model` on: the columns `echoflow fit` writes after its `curve` column.
    static let fitColumns: [Column<ParameterRow>] = {
        let models = ModelRegistry.models
        var c: [Column<ParameterRow>] = [
            .text("model", "fitted model: \(models.map { "`\($0.name)`" }.joined(separator: ", "))") {
                $0.fitted.model.name
            },
            .text(
                "status",
                "`converged` (a minimum inside the bounds), `at_bound` (converged with a parameter on a bound, see `bound_parameters`), `max_iterations`, `failed`, `too_short` (fewer than 10 usable frames), `no_enhancement` (no bolus above the noise), `no_wash_in` (the clip starts after the bolus arrived) or `not_bolus` (a plateau or steady state, or no wash-out before the end or a destruction flash: see `termination`); parameter cells are empty unless converged, at_bound or max_iterations"
            ) { $0.fitted.fit.status.rawValue },
            .integer("n_frames", "frames", "frames in the curve") { $0.frames },
            .integer(
                "n_excluded", "frames",
                "frames left out of the fit: by the frame rules (manual, flash, duplicate, out of plane; docs/METHODS.md §9) and as isolated outliers (§3)"
            ) { $0.excluded },
        ]
        c += perfusion
        // Historic layout: the default model's block follows QOF and the next four models' blocks follow
        // `selected`; a model registered later appends its block at the end of the table.
        c += block(models[0])
        c += relativePercent + relativeDecibels
        c += [
            .number(
                "dynamic_range_db", "dB", "dynamic range used to linearize (empty when the values were not linearized)"
            ) {
                $0.dynamicRangeDB
            },
            .text("echoflow_version", "Echoflow version that wrote the row") { _ in Echoflow.version },
            .integer("iterations", "", "Levenberg–Marquardt iterations") { $0.fitted.fit.iterations },
            .text(
                "termination",
                "why the fit stopped, in words (converged on cost / step / gradient, iteration limit, singular, non-finite, not fitted and why)"
            ) { "\($0.fitted.fit.termination)" },
            .integer("pixel_count", "px", "pixels in the region") { $0.pixelCount },
            .number("saturated_pct_max", "%", "largest per-frame share of saturated pixels in the region") {
                $0.saturatedPercentMax
            },
            .text("reference_roi", "the region the `*_rel_*` columns refer to (empty without one)") { $0.reference },
            .number(
                "aic", "",
                "Akaike information criterion of the fit, n ln(WRSS / n) + 2 (m + 1) with WRSS the weighted residual sum of squares (every model of a curve has the same weights); lower is better, only differences between models of one curve matter"
            ) { $0.fitted.aic },
            .integer(
                "selected", "",
                "1 for the model the results use (the only model; with `--model auto` lognormal unless another converged model's AIC is lower by more than 6, see `aic_delta`), else 0"
            ) {
                $0.fitted.selected ? 1 : 0
            },
        ]
        for model in models[1..<min(5, models.count)] { c += block(model) }
        c += [
            .number("rbv_au", "a.u.", "replenishment: relative blood volume rBV = A") {
                $0.fitted.replenishment?.relativeBloodVolume
            },
            .number("replenishment_mtt_s", "s", "replenishment: mean transit time 1 / beta") {
                $0.fitted.replenishment?.meanTransitTime
            },
            .number(
                "pi_au_per_s", "a.u./s", "replenishment: perfusion index rBV / mTT = A beta (also in `wir_au_per_s`)"
            ) {
                $0.fitted.replenishment?.perfusionIndex
            },
            .number(
                "area_mm2", "mm^2",
                "region area from the pixel size of the DICOM ultrasound region of the contrast pane (empty when unknown)"
            ) { $0.areaMM2 },
        ]
        c += [
            .text(
                "bound_parameters",
                "the fitted parameters on a bound, by their symbols (`;`-separated, for example `t0;sigma`); empty when none"
            ) { row in
                let symbols = row.fitted.fit.boundSymbols(row.fitted.model)
                return symbols.isEmpty ? nil : symbols.joined(separator: ";")
            }
        ]
        c += [
            .number("aic_delta", "", "AIC minus the lowest AIC of the models fitted to this curve (0 for the best)") {
                $0.fitted.aicDelta
            },
            .number(
                "aic_weight", "",
                "Akaike weight, exp(-aic_delta / 2) over its sum across the models fitted to this curve (1 for a single model)"
            ) { $0.fitted.aicWeight },
        ]
        let errors: [(String, String, String, @Sendable (DerivedStandardErrors) -> Double)] = [
            ("pe_au_se", "a.u.", "PE", \.peakEnhancement), ("ttp_s_se", "s", "TTP", \.timeToPeak),
            ("wiauc_au_s_se", "a.u. s", "WiAUC", \.washInArea), ("rt_s_se", "s", "RT", \.riseTime),
            ("mtti_s_se", "s", "mTTI", \.meanTransitTimeFromIntercept), ("mtt_s_se", "s", "mTT", \.meanTransitTime),
            ("auc_au_s_se", "a.u. s", "AUC", \.area),
        ]
        c += errors.map { name, unit, label, value in
            .number(name, unit, "standard error of \(label), by the delta method from the parameters' covariance") {
                $0.fitted.standardErrors.map(value)
            }
        }
        c += [
            .text(
                "flags",
                "quality flags, `;`-separated: `saturated` (more than 1 % of the region's pixels saturated in a frame), `outliers_removed` (isolated outlier samples left out of the fit), `short_washout` (the curve ends before the fit falls to half its peak: WoAUC, AUC and mTT are extrapolated); empty when none"
            ) { $0.flags.isEmpty ? nil : $0.flags.joined(separator: ";") },
            .text(
                "weighting",
                "how the fit weighted its residuals: `noise` (by the curve's own noise, var = a + b m^2 with m its 9-sample running median: docs/METHODS.md §5) or `none` (ordinary least squares: `--weighting none`, or no sign that the noise grows with the signal)"
            ) { $0.fitted.fit.hasParameters ? ($0.fitted.weighted ? "noise" : "none") : nil },
        ]
        // Models registered after the first five append their blocks after every fixed column.
        for model in models.dropFirst(5) { c += block(model) }
        return c
    }()

    /// The table: `clip`, `roi`, then ``fitColumns``.
    static let schema = TableSchema<ParameterRow>(
        file: file,
        columns: [
            .text("clip", "clip identifier (the clip folder's or DICOM file's name)") { $0.source },
            .text("roi", "region name from the ROI file") { $0.region },
        ] + fitColumns + clipColumns)

    /// Columns about the clip rather than the fit (parameters.csv only), after every fit column.
    static let clipColumns: [Column<ParameterRow>] = [
        .number(
            "colormap_unmatched_pct", "%",
            "share of contrast-pane pixels (every second pixel of every second row, all frames) that matched no entry of the clip's tinted colour map within an RGB distance of 12; empty for grey clips"
        ) { $0.colorMapUnmatchedPercent }
    ]

    /// The table of `echoflow fit`: `curve`, then ``fitColumns``.
    static let fitSchema = TableSchema<ParameterRow>(
        file: "fit-parameters.csv",
        columns: [.text("curve", "curve id (long format) or column name (wide format)") { $0.source }] + fitColumns)
}

/// One row of `tic.csv`: one frame of one region's curve, with the selected fit's values.
struct TICRow: Sendable {
    var clip: String
    var curve: TimeIntensityCurve
    var fitted: [Double]
    var frame: Int
}

/// The columns of `tic.csv` (one row per clip, region and frame), declared once.
enum TICTable {
    static let file = "tic.csv"

    static let schema = TableSchema<TICRow>(
        file: file,
        columns: [
            .text("clip", "clip identifier (the clip folder's name)") { $0.clip },
            .text("roi", "region name") { $0.curve.region },
            .integer("frame", "", "frame index from 0") { $0.frame },
            .number("time_s", "s", "frame time (from the injection time when `clip.json` gives one)") {
                $0.curve.times[$0.frame]
            },
            .number("intensity_au", "a.u.", "mean linear echo power of the region (P_top = 1, so at most 1)") {
                $0.curve.intensities[$0.frame]
            },
            .number("saturated_pct", "%", "share of the region's pixels at the largest display value in that frame") {
                $0.curve.saturatedPercent[$0.frame]
            },
            .integer(
                "excluded", "",
                "1 when the frame is left out of the fit (the reason is in `exclusion`), else 0"
            ) {
                $0.curve.excluded[$0.frame] ? 1 : 0
            },
            .number("fitted_au", "a.u.", "fitted model value, offset included; empty without a fit") {
                $0.fitted[$0.frame]
            },
            .text(
                "exclusion",
                "why the frame is excluded: `manual`, `flash`, `duplicate`, `out_of_plane` (frame rules, docs/METHODS.md §9) or `outlier` (an isolated outlier of this region, §3); empty when included"
            ) {
                if let reason = $0.curve.exclusions[$0.frame] { return reason.rawValue }
                return $0.curve.excluded[$0.frame] ? "outlier" : ""
            },
        ])

    /// Rows of one region.
    static func rows(_ analysis: ClipAnalysis, _ region: RegionAnalysis) -> [TICRow] {
        let fitted = region.fitted
        return region.curve.times.indices.map {
            TICRow(clip: analysis.clipName, curve: region.curve, fitted: fitted, frame: $0)
        }
    }
}

/// One row of `motion.csv`: one frame's displacement against the motion reference frame.
struct MotionRow: Sendable {
    var log: FrameLog
    var motion: MotionTrack
    var frame: Int
}

/// The columns of `motion.csv` (written with motion compensation), declared once.
enum MotionTable {
    static let file = "motion.csv"

    static let schema = TableSchema<MotionRow>(
        file: file,
        columns: [
            .integer("frame", "", "frame index from 0") { $0.frame },
            .number("time_s", "s", "frame time") { $0.log.times[$0.frame] },
            .number(
                "dx_px", "px",
                "displacement of the frame's content relative to the reference frame, to the right; empty where it could not be trusted (the frame's regions were not moved)"
            ) {
                $0.motion.dx[$0.frame]
            },
            .number(
                "dy_px", "px",
                "displacement of the frame's content relative to the reference frame, downwards; empty where it could not be trusted"
            ) {
                $0.motion.dy[$0.frame]
            },
            .number(
                "correlation", "",
                "normalised correlation of the aligned frame with the reference frame on the motion pane (1 for the reference)"
            ) { $0.motion.correlation[$0.frame] },
            .integer("excluded", "", "1 when the frame is excluded for any reason (see `exclusion` in tic.csv), else 0")
            {
                $0.log.exclusions[$0.frame] == nil ? 0 : 1
            },
        ])

    static func rows(_ log: FrameLog) -> [MotionRow] {
        guard let motion = log.motion else { return [] }
        return log.times.indices.map { MotionRow(log: log, motion: motion, frame: $0) }
    }
}

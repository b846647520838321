import PerfusionFitting

/// The columns of `parameters.csv` (DESIGN.md §5), in order. Add new columns at the end; never rename.
public enum ParameterTable {
    /// Amplitude stems with relative columns, in order (see ``PerfusionParameters/amplitudes``).
    static let amplitudeStems = ["pe", "wir", "wiauc", "wipi", "wor", "woauc", "wiwoauc", "auc"]

    public static let columns: [ColumnDefinition] = {
        var c: [ColumnDefinition] = [
            .init("clip", "", "clip identifier (the clip folder's name)"),
            .init("roi", "", "region name from roi.json"),
            .init("model", "", "fitted model (lognormal)"),
            .init("status", "", "converged, max_iterations, failed, too_short or no_enhancement"),
            .init("n_frames", "frames", "frames in the curve"),
            .init("n_excluded", "frames", "frames left out of the fit"),
            .init("pe_au", "a.u.", "PE: peak enhancement above the offset"),
            .init("ttp_s", "s", "TTP: time of the peak"),
            .init("wir_au_per_s", "a.u./s", "WiR: wash-in rate, the largest slope"),
            .init("ti_s", "s", "TI: where the tangent at the largest slope crosses zero"),
            .init("rt_s", "s", "RT: rise time, TTP - TI"),
            .init("mtti_s", "s", "mTTI: mean transit time from TI, mTT - TI"),
            .init("wiauc_au_s", "a.u. s", "WiAUC: area from TI to TTP"),
            .init("wipi_au", "a.u.", "WiPI: wash-in perfusion index, WiAUC / RT"),
            .init("wor_au_per_s", "a.u./s", "WoR: wash-out rate, the most negative slope (negative)"),
            .init("to_s", "s", "TO: where the tangent at the most negative slope crosses zero"),
            .init("ft_s", "s", "FT: fall time, TO - TTP"),
            .init("woauc_au_s", "a.u. s", "WoAUC: area from TTP to TO"),
            .init("wiwoauc_au_s", "a.u. s", "WiWoAUC: WiAUC + WoAUC"),
            .init("auc_au_s", "a.u. s", "AUC: total area under the fitted enhancement"),
            .init("mtt_s", "s", "mTT: first moment of the fitted enhancement (clip time axis)"),
            .init("qof_pct", "%", "QOF: 100 R^2 of the fit on the frames used"),
        ]
        for p in LognormalModel().parameters {
            c.append(.init("lognormal_\(p.name)", unit(of: p.name), "lognormal \(p.meaning)"))
            c.append(.init("lognormal_\(p.name)_se", unit(of: p.name), "standard error of lognormal_\(p.name)"))
        }
        for stem in amplitudeStems {
            c.append(
                .init("\(stem)_rel_pct", "%", "\(stem.uppercased()) relative to the reference region, 100 x / x_ref"))
        }
        for stem in amplitudeStems {
            c.append(
                .init(
                    "\(stem)_rel_db", "dB", "\(stem.uppercased()) relative to the reference region, 10 log10(x / x_ref)"
                ))
        }
        c += [
            .init("dynamic_range_db", "dB", "dynamic range used to linearize display values"),
            .init("echoflow_version", "", "Echoflow version that wrote the row"),
            .init("iterations", "", "Levenberg-Marquardt iterations"),
            .init("termination", "", "why the fit stopped, in words"),
            .init("pixel_count", "px", "pixels in the region"),
            .init("saturated_pct_max", "%", "largest per-frame share of saturated pixels in the region"),
            .init("reference_roi", "", "region the *_rel_* columns refer to (empty without one)"),
            .init("aic", "", "Akaike information criterion n ln(RSS/n) + 2(m+1) of the fit (lower is better)"),
            .init("selected", "", "1 for the model the results use (with --model auto: the lowest AIC), else 0"),
        ]
        for kind in [ModelKind.gamma, .ldrw, .fpt, .replenishment] {
            for p in kind.parameters {
                c.append(.init("\(kind.rawValue)_\(p.name)", unit(of: p.name), "\(kind.rawValue) \(p.meaning)"))
                c.append(
                    .init(
                        "\(kind.rawValue)_\(p.name)_se", unit(of: p.name),
                        "standard error of \(kind.rawValue)_\(p.name)"))
            }
        }
        c += [
            .init("rbv_au", "a.u.", "replenishment: relative blood volume rBV = A"),
            .init("replenishment_mtt_s", "s", "replenishment: mean transit time 1 / beta"),
            .init("pi_au_per_s", "a.u./s", "replenishment: perfusion index rBV / mTT = A beta"),
            .init(
                "area_mm2", "mm^2", "region area, from the pixel size of DICOM ultrasound regions (empty when unknown)"),
        ]
        return c
    }()

    static func unit(of name: String) -> String {
        if name.hasSuffix("_au_s") { return "a.u. s" }
        if name.hasSuffix("_per_s") { return "1/s" }
        if name.hasSuffix("_au") { return "a.u." }
        if name.hasSuffix("_ln_s") { return "ln s" }
        if name.hasSuffix("_s") { return "s" }
        return ""
    }

    /// What a row holds beyond the clip and region names.
    public struct RowValues {
        public var kind: ModelKind
        public var fit: FitResult
        public var aic: Double
        public var selected: Bool
        public var parameters: PerfusionParameters?
        public var replenishment: ReplenishmentParameters?
        public var qualityOfFit: Double
        public var relative: RelativeAmplitudes?
        public var frames: Int
        public var excluded: Int
        /// Dynamic range used to linearize (dB); nil when the values were not linearized by Echoflow.
        public var dynamicRangeDB: Double?
        public var pixelCount: Int?
        public var saturatedPercentMax: Double?
        public var reference: String?
        public var areaMM2: Double?

        public init(
            kind: ModelKind, fit: FitResult, aic: Double, selected: Bool, parameters: PerfusionParameters?,
            replenishment: ReplenishmentParameters? = nil, qualityOfFit: Double = .nan,
            relative: RelativeAmplitudes? = nil,
            frames: Int, excluded: Int = 0, dynamicRangeDB: Double? = nil, pixelCount: Int? = nil,
            saturatedPercentMax: Double? = nil, reference: String? = nil, areaMM2: Double? = nil
        ) {
            self.kind = kind
            self.fit = fit
            self.aic = aic
            self.selected = selected
            self.parameters = parameters
            self.replenishment = replenishment
            self.qualityOfFit = qualityOfFit
            self.relative = relative
            self.frames = frames
            self.excluded = excluded
            self.dynamicRangeDB = dynamicRangeDB
            self.pixelCount = pixelCount
            self.saturatedPercentMax = saturatedPercentMax
            self.reference = reference
            self.areaMM2 = areaMM2
        }
    }

    /// The rows of one region, one per model fitted (in column order).
    public static func rows(_ analysis: ClipAnalysis, _ region: RegionAnalysis) -> [[CSVCell]] {
        region.fits.enumerated().map { k, fitted in
            let relative = region.relatives[k]
            let values = RowValues(
                kind: fitted.kind, fit: fitted.fit, aic: fitted.aic, selected: fitted.selected,
                parameters: fitted.parameters, replenishment: fitted.replenishment, qualityOfFit: fitted.qualityOfFit,
                relative: relative,
                frames: region.curve.times.count, excluded: region.curve.excluded.filter { $0 }.count,
                dynamicRangeDB: analysis.dynamicRangeDB, pixelCount: region.curve.pixelCount,
                saturatedPercentMax: region.curve.maximumSaturatedPercent,
                reference: relative != nil ? analysis.reference : nil,
                areaMM2: analysis.pixelAreaMM2.map { $0 * Double(region.curve.pixelCount) })
            return [.text(analysis.clipName), .text(region.region)] + cells(values)
        }
    }

    /// The cells from `model` on (every column but `clip` and `roi`).
    public static func cells(_ v: RowValues) -> [CSVCell] {
        func n(_ x: Double?) -> CSVCell { x.map(CSVCell.number) ?? .empty }
        let p = v.parameters
        var cells: [CSVCell] = [
            .text(v.kind.rawValue), .text(v.fit.status.rawValue), .integer(v.frames), .integer(v.excluded),
            n(p?.peakEnhancement), n(p?.timeToPeak), n(p?.washInRate ?? v.replenishment?.perfusionIndex),
            n(p?.tangentIntercept), n(p?.riseTime),
            n(p?.meanTransitTimeFromIntercept), n(p?.washInArea), n(p?.washInPerfusionIndex), n(p?.washOutRate),
            n(p?.washOutIntercept), n(p?.fallTime), n(p?.washOutArea), n(p?.washInOutArea), n(p?.area),
            n(p?.meanTransitTime), n(v.qualityOfFit),
        ]
        let fitted = v.fit.hasParameters
        /// The model's own parameters and standard errors, or empty cells for another model's block.
        func block(_ kind: ModelKind) -> [CSVCell] {
            (0..<kind.parameters.count).flatMap { k -> [CSVCell] in
                guard kind == v.kind && fitted else { return [.empty, .empty] }
                return [.number(v.fit.parameters[k]), .number(v.fit.standardErrors[k])]
            }
        }
        cells += block(.lognormal)
        for i in amplitudeStems.indices { cells.append(n(v.relative?.percent[i])) }
        for i in amplitudeStems.indices { cells.append(n(v.relative?.decibels[i])) }
        cells += [
            n(v.dynamicRangeDB), .text(Echoflow.version), .integer(v.fit.iterations), .text("\(v.fit.termination)"),
            v.pixelCount.map(CSVCell.integer) ?? .empty, n(v.saturatedPercentMax),
            v.reference.map(CSVCell.text) ?? .empty, n(v.aic), .integer(v.selected ? 1 : 0),
        ]
        cells += block(.gamma) + block(.ldrw) + block(.fpt) + block(.replenishment)
        let r = v.replenishment
        cells += [n(r?.relativeBloodVolume), n(r?.meanTransitTime), n(r?.perfusionIndex), n(v.areaMM2)]
        return cells
    }
}

/// The columns of `tic.csv` (DESIGN.md §5): one row per clip, region and frame.
public enum TICTable {
    public static let columns: [ColumnDefinition] = [
        .init("clip", "", "clip identifier"),
        .init("roi", "", "region name"),
        .init("frame", "", "frame index from 0"),
        .init("time_s", "s", "frame time (from the injection time when clip.json gives one)"),
        .init("intensity_au", "a.u.", "mean linear echo power of the region (P_top = 1)"),
        .init("saturated_pct", "%", "share of the region's pixels at the largest display value"),
        .init("excluded", "", "1 when the frame is left out of the fit, else 0"),
        .init("fitted_au", "a.u.", "fitted model value (offset included); empty without a fit"),
    ]

    /// Rows of one region.
    public static func rows(_ analysis: ClipAnalysis, _ region: RegionAnalysis) -> [[CSVCell]] {
        let c = region.curve
        return c.times.indices.map { i in
            [
                .text(analysis.clipName), .text(region.region), .integer(i), .number(c.times[i]),
                .number(c.intensities[i]), .number(c.saturatedPercent[i]), .integer(c.excluded[i] ? 1 : 0),
                region.fitted[i].isFinite ? .number(region.fitted[i]) : .empty,
            ]
        }
    }
}

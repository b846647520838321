/// The curve models Echoflow fits, by the name used on the command line and in outputs.
///
/// Adding a model takes its own file (a type conforming to ``CurveModel``: parameters, bounds, start, value
/// and gradient in scalar and SIMD form, closed forms through ``CurveModel/bolusShape(_:)``) and one line in
/// ``models``. Everything else (the `--model` choices, `auto`, the output columns of its parameter block) is
/// derived from this list.
public enum ModelRegistry {
    /// Every model, in the order of their parameter blocks in `parameters.csv`. The first is the default.
    /// A model added later goes at the end, so that its columns are appended (columns are never moved).
    public static let models: [any CurveModel] = [
        LognormalModel(),
        GammaVariateModel(),
        LDRWModel(),
        FPTModel(),
        ReplenishmentModel(),
    ]

    /// The model fitted unless another is asked for (lognormal).
    public static var defaultModel: any CurveModel { models[0] }

    /// The bolus models, those `--model auto` chooses among.
    public static var bolusModels: [any CurveModel] { models.filter(\.isBolus) }

    /// Every model's name, in registry order.
    public static var names: [String] { models.map(\.name) }

    /// The model called `name`, if there is one.
    public static func model(named name: String) -> (any CurveModel)? {
        models.first { $0.name == name }
    }
}

import ArgumentParser

@main
struct EchoflowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echoflow",
        abstract: "Contrast-enhanced ultrasound (DCE-US) perfusion analysis.",
        discussion: """
            Reads CEUS clips (folders of PNG frames), linearizes the log-compressed display values back to echo \
            power, builds time-intensity curves per region, fits the lognormal bolus model and writes the \
            perfusion parameters (PE, TTP, WiAUC, RT, mTTI, ...) as CSV with SVG plots.

            Examples:
              echoflow demo
              echoflow analyze Fixtures/study/S01/baseline/clip01 --output out
              echoflow synth --output my-clip --seed 7
            """,
        version: "0.1.0",
        subcommands: [
            AnalyzeCommand.self, BatchCommand.self, MergeCommand.self, CompareCommand.self, DemoCommand.self,
            SynthCommand.self,
            InspectCommand.self, FitCommand.self, BenchCommand.self,
        ]
    )
}

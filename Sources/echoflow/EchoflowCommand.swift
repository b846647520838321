import ArgumentParser
import CAllocator
import PerfusionAnalysis

@main
struct EchoflowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echoflow",
        abstract: "Contrast-enhanced ultrasound (DCE-US) perfusion analysis.",
        discussion: """
            Reads CEUS clips (folders of PNG frames or DICOM multi-frame files), linearizes the log-compressed \
            display values back to echo power, builds time-intensity curves per region, fits a bolus model \
            (lognormal by default) and writes the perfusion parameters (PE, TTP, WiAUC, RT, mTTI, ...) as CSV \
            with SVG plots. Studies: batch, compare, report. The methods are described in docs/METHODS.md.

            Examples:
              echoflow demo
              echoflow analyze Fixtures/study/S01/baseline/clip01 --output out
              echoflow synth --output my-clip --seed 7
              echoflow view Fixtures/study/S01/baseline/clip01
            """,
        version: Echoflow.version,
        subcommands: [
            AnalyzeCommand.self, BatchCommand.self, MergeCommand.self, CompareCommand.self, DemoCommand.self,
            SynthCommand.self,
            InspectCommand.self, FitCommand.self, BenchCommand.self, RoiCommand.self, ViewCommand.self,
        ]
    )

    /// Runs the command after one setting of the C library's allocator: glibc grows a worker thread's heap in steps
    /// as small as the allocation that needs them, one `mprotect` system call each (5,760 of them in `echoflow fit` on
    /// 3,000 curves, about 5 % of its time). A 16 MB pad makes each step larger (39 calls); pages are still only
    /// touched when used.
    static func main() async {
        echoflow_pad_heap_growth(16 << 20)
        await main(nil)
    }
}

// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so that ordo-one/benchmark (and its malloc interposer) never
// becomes a dependency of Echoflow itself. Run them with `make bench`; `make bench-check` compares the
// malloc counts with the committed thresholds in Thresholds/.
let package = Package(
    name: "EchoflowBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Echoflow", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "FittingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PerfusionFitting", package: "Echoflow"),
                .product(name: "PerfusionAnalysis", package: "Echoflow"),
                .product(name: "CEUSImaging", package: "Echoflow"),
            ],
            path: "Benchmarks/FittingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)

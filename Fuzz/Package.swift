// swift-tools-version:6.1
import PackageDescription

// The fuzz targets live in their own package: they link libFuzzer's main, so they are built only by `make fuzz`
// (and `make fuzz-ci`) with -sanitize=fuzzer,address, never by the normal build.
let fuzzer: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]
let package = Package(
    name: "EchoflowFuzz",
    dependencies: [.package(name: "Echoflow", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(
            name: "DICOMFuzzer",
            dependencies: ["FuzzDriver", .product(name: "CEUSImaging", package: "Echoflow")], swiftSettings: fuzzer),
        .executableTarget(
            name: "PNGFuzzer",
            dependencies: ["FuzzDriver", .product(name: "CEUSImaging", package: "Echoflow")], swiftSettings: fuzzer),
        .executableTarget(
            name: "TableFuzzer",
            dependencies: [
                "FuzzDriver", .product(name: "CEUSImaging", package: "Echoflow"),
                .product(name: "PerfusionAnalysis", package: "Echoflow"),
            ],
            swiftSettings: fuzzer),
        .executableTarget(
            name: "RegionFuzzer",
            dependencies: ["FuzzDriver", .product(name: "CEUSImaging", package: "Echoflow")], swiftSettings: fuzzer),
        .executableTarget(
            name: "JSONFuzzer",
            dependencies: [
                "FuzzDriver", .product(name: "CEUSImaging", package: "Echoflow"),
                .product(name: "PerfusionAnalysis", package: "Echoflow"),
            ], swiftSettings: fuzzer),
    ],
    swiftLanguageModes: [.v5]
)

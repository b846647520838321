// swift-tools-version:6.1
import PackageDescription

// The DICOM parser fuzz target lives in its own package: it links libFuzzer's main, so it is built only by
// `make fuzz` with -sanitize=fuzzer,address, never by the normal build.
let package = Package(
    name: "EchoflowFuzz",
    dependencies: [.package(name: "Echoflow", path: "..")],
    targets: [
        .executableTarget(
            name: "DICOMFuzzer",
            dependencies: [.product(name: "CEUSImaging", package: "Echoflow")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    ],
    swiftLanguageModes: [.v5]
)

// swift-tools-version:6.1
import PackageDescription

// MARK: - Products and dependencies

let package = Package(
    name: "Echoflow",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "echoflow", targets: ["echoflow"]),
        .library(name: "PerfusionFitting", targets: ["PerfusionFitting"]),
        .library(name: "CEUSImaging", targets: ["CEUSImaging"]),
        .library(name: "PerfusionAnalysis", targets: ["PerfusionAnalysis"]),
        .library(name: "EchoflowViewer", targets: ["EchoflowViewer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        // The local viewer's HTTP server (`echoflow view`).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // ImageJ RoiSet.zip files.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // Documentation only (`make docs`): DocC for the library targets.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // MARK: - C libraries (Debian -dev packages, installed by `make deps`)
        .systemLibrary(
            name: "CLibPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        .systemLibrary(
            name: "CFFTW",
            pkgConfig: "fftw3",
            providers: [.apt(["libfftw3-dev"])]
        ),
        .systemLibrary(
            name: "CInflate",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CJPEG",
            pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]
        ),
        // The C library's snprintf with a fixed argument list (no package needed).
        .systemLibrary(name: "CFormat"),
        // Flush-to-zero of subnormals around single-precision fits (MXCSR / FPCR; no package needed).
        .systemLibrary(name: "CFloatMode"),
        .systemLibrary(name: "CAllocator"),

        // MARK: - Libraries
        .target(
            name: "PerfusionFitting",
            dependencies: ["CFloatMode", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .target(
            name: "CEUSImaging",
            dependencies: [
                "CLibPNG", "CFFTW", "CJPEG", "CInflate", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .target(
            name: "PerfusionAnalysis",
            dependencies: [
                "PerfusionFitting", "CEUSImaging", "CFormat",
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),

        // The local web viewer (`echoflow view`): an HTTP server on the loopback interface and its page.
        .target(
            name: "EchoflowViewer",
            dependencies: [
                "PerfusionAnalysis", "CEUSImaging",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: - Command line
        .executableTarget(
            name: "echoflow",
            dependencies: [
                "PerfusionAnalysis", "EchoflowViewer", "CAllocator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Tests
        .target(
            name: "EchoflowTestSupport",
            dependencies: ["PerfusionAnalysis", "CEUSImaging", "PerfusionFitting"],
            path: "Tests/EchoflowTestSupport"
        ),
        .testTarget(
            name: "PerfusionFittingTests",
            dependencies: ["PerfusionFitting", "EchoflowTestSupport"]
        ),
        .testTarget(
            name: "CEUSImagingTests",
            dependencies: ["CEUSImaging", "EchoflowTestSupport"]
        ),
        .testTarget(
            name: "PerfusionAnalysisTests",
            dependencies: ["PerfusionAnalysis", "EchoflowTestSupport"]
        ),
        .testTarget(
            name: "EchoflowCLITests",
            dependencies: ["EchoflowTestSupport", "PerfusionAnalysis", "echoflow"]
        ),
    ]
)

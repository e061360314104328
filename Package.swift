// swift-tools-version:6.0
import PackageDescription

// The modules follow the one-way data flow of docs/ARCHITECTURE.md:
// TraceModel ← TraceFormats ← TraceAnalysis ← TraceReports / TraceUI ← TerminalBackend ← tracetui.
let package = Package(
    name: "tracetui",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tracetui", targets: ["tracetui"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "TraceModel"),
        .target(name: "TraceFormats", dependencies: ["TraceModel", "CZlib"]),
        .target(name: "TraceAnalysis", dependencies: ["TraceModel", .product(name: "Histogram", package: "hdrhistogram-swift")]),
        .target(name: "TraceReports", dependencies: ["TraceModel", "TraceAnalysis"]),
        .target(name: "TraceUI", dependencies: ["TraceModel", "TraceAnalysis"]),
        .target(name: "TerminalBackend", dependencies: ["TraceUI", "CNcursesw"]),
        .executableTarget(
            name: "tracetui",
            dependencies: [
                "TraceModel", "TraceFormats", "TraceAnalysis", "TraceReports", "TraceUI", "TerminalBackend",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "TraceFormatsTests", dependencies: ["TraceFormats", "TraceModel"]),
        .testTarget(name: "TraceAnalysisTests", dependencies: ["TraceAnalysis", "TraceFormats", "TraceModel"]),
        .testTarget(name: "TraceReportsTests", dependencies: ["TraceReports", "TraceAnalysis", "TraceFormats", "TraceModel"]),
        .testTarget(name: "TraceUITests", dependencies: ["TraceUI", "TraceAnalysis", "TraceFormats", "TraceModel"]),
        .testTarget(name: "EndToEndTests", dependencies: ["tracetui"]),
    ],
    swiftLanguageModes: [.v5]
)

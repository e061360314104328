// swift-tools-version:6.0
import PackageDescription

// The modules follow the one-way data flow of docs/ARCHITECTURE.md:
// TraceModel ← TraceFormats ← TraceAnalysis ← TraceText ← TraceReports / TraceUI ← TerminalBackend ← tracetui.
// Live attach: OTLPProto (generated from Protos/ by scripts/generate-protos.sh) ← TraceSources (OTLP
// receivers, file follow, recording; SwiftNIO and grpc-swift 2) ← tracetui.
// Trace stores: TraceStores (Tempo and Jaeger query APIs over async-http-client) ← tracetui.
let package = Package(
    name: "tracetui",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tracetui", targets: ["tracetui"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.36.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "TraceModel"),
        .target(name: "TraceFormats", dependencies: ["TraceModel", "CZlib"]),
        .target(
            name: "TraceAnalysis",
            dependencies: ["TraceModel", .product(name: "Histogram", package: "hdrhistogram-swift")]),
        .target(name: "TraceText", dependencies: ["TraceModel", "TraceAnalysis"]),
        .target(name: "TraceReports", dependencies: ["TraceModel", "TraceAnalysis", "TraceText"]),
        .target(name: "TraceUI", dependencies: ["TraceModel", "TraceAnalysis", "TraceText"]),
        .target(name: "TerminalBackend", dependencies: ["TraceUI", "TraceAnalysis", "CNcursesw"]),
        .target(
            name: "OTLPProto",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ]
        ),
        .target(
            name: "TraceSources",
            dependencies: [
                "TraceModel", "TraceFormats", "OTLPProto", "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
            ]
        ),
        .target(
            name: "TraceStores",
            dependencies: [
                "TraceModel", "TraceFormats",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "tracetui",
            dependencies: [
                "TraceModel", "TraceFormats", "TraceAnalysis", "TraceText", "TraceReports", "TraceUI",
                "TerminalBackend",
                "TraceSources", "TraceStores",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Issue 10's per-key benchmark on the pure core (scripts/bench/key-replay.sh); not shipped.
        .executableTarget(
            name: "tracetui-keybench", dependencies: ["TraceModel", "TraceFormats", "TraceAnalysis", "TraceUI"],
            path: "Benchmarks/KeyReplay"),
        .testTarget(
            name: "TraceFormatsTests", dependencies: ["TraceFormats", "TraceModel"],
            exclude: ["Fuzz"]  // inputs the fuzzers found, read through #filePath
        ),
        .testTarget(
            name: "TraceAnalysisTests", dependencies: ["TraceAnalysis", "TraceText", "TraceFormats", "TraceModel"]),
        .testTarget(
            name: "TraceTextTests", dependencies: ["TraceText", "TraceAnalysis", "TraceFormats", "TraceModel"]),
        .testTarget(
            name: "TraceReportsTests",
            dependencies: ["TraceReports", "TraceText", "TraceAnalysis", "TraceFormats", "TraceModel"]),
        .testTarget(
            name: "TraceUITests",
            dependencies: ["TraceUI", "TraceText", "TraceAnalysis", "TraceFormats", "TraceModel"],
            exclude: ["Goldens"]  // read through #filePath
        ),
        .testTarget(
            name: "TraceSourcesTests",
            dependencies: [
                "TraceSources", "TraceFormats", "TraceModel", "OTLPProto", "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(name: "TerminalBackendTests", dependencies: ["TerminalBackend", "TraceUI"]),
        .testTarget(
            name: "TraceStoresTests",
            dependencies: [
                "TraceStores", "TraceFormats", "TraceModel", .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .testTarget(name: "EndToEndTests", dependencies: ["tracetui"], exclude: ["Goldens", "Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)

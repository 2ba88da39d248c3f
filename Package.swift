// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Deja",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "deja", targets: ["deja"]),
        .library(name: "DejaCore", targets: ["DejaCore"]),
        .library(name: "DejaEmbedding", targets: ["DejaEmbedding"]),
        .library(name: "DejaStore", targets: ["DejaStore"]),
        .library(name: "DejaIngest", targets: ["DejaIngest"]),
        .library(name: "DejaSearch", targets: ["DejaSearch"]),
        .library(name: "DejaServer", targets: ["DejaServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        // Exclusivity is checked statically; the dynamic checks on class properties cost the miner a fifth.
        .target(name: "DejaCore", swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .target(name: "DejaKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "DejaEmbedding", dependencies: ["COpenBLAS", "DejaKernels"]),
        .target(name: "DejaStore", dependencies: ["DejaCore", "DejaKernels", .product(name: "GRDB", package: "GRDB.swift"),
                                           .product(name: "GRDBSQLite", package: "GRDB.swift"),
                                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                                           .product(name: "NIOFoundationCompat", package: "swift-nio"),
                                           .product(name: "PostgresNIO", package: "postgres-nio")]),
        // The ingest pipeline, one folder per stage: receive, prepare, commit, embed, mine, cluster,
        // publish; its long-running stages are services of one ServiceGroup.
        .target(name: "DejaIngest", dependencies: ["DejaCore", "DejaEmbedding", "DejaStore",
                                                   .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                                   .product(name: "Logging", package: "swift-log"),
                                                   // Rotated gzip files read as they are.
                                                   .product(name: "CompressNIO", package: "compress-nio"),
                                                   .product(name: "NIOCore", package: "swift-nio")]),
        .target(name: "DejaSearch", dependencies: ["DejaCore", "DejaEmbedding", "DejaStore", "DejaKernels"]),
        .target(
            name: "DejaServer",
            dependencies: [
                "DejaCore", "DejaEmbedding", "DejaStore", "DejaIngest", "DejaSearch",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The web UI is compiled into the binary: one file to ship, nothing to fetch.
            resources: [.embedInCode("UI/index.html"), .embedInCode("UI/app.js"), .embedInCode("UI/app.css")]
        ),
        .executableTarget(
            name: "deja",
            dependencies: [
                "DejaCore", "DejaEmbedding", "DejaStore", "DejaIngest", "DejaSearch", "DejaServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Golden corpora for the miner, read from the source tree.
        .testTarget(name: "DejaCoreTests", dependencies: ["DejaCore"], exclude: ["Fixtures"]),
        .testTarget(name: "DejaStoreTests", dependencies: ["DejaStore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "DejaIngestTests", dependencies: ["DejaIngest", .product(name: "GRDB", package: "GRDB.swift"),
                                                          .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                                          .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "DejaSearchTests", dependencies: ["DejaSearch", "DejaIngest"], exclude: ["Fixtures"]),
        .testTarget(name: "DejaServerTests", dependencies: ["DejaServer", .product(name: "HummingbirdTesting", package: "hummingbird")],
                    // Inputs that once crashed a decoder, replayed by DecoderFuzzTests from the source tree.
                    exclude: ["Fuzz/regressions"]),
        // Drives the built `deja` executable, as users do.
        .testTarget(name: "DejaCLITests", dependencies: ["deja"]),
        .testTarget(
            name: "DejaEmbeddingTests",
            dependencies: ["DejaEmbedding", "DejaKernels"],
            resources: [.copy("Fixtures")]
        ),
    ]
)

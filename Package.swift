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
        .library(name: "DejaSearch", targets: ["DejaSearch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        // Exclusivity is checked statically; the dynamic checks on class properties cost the miner a fifth.
        .target(name: "DejaCore", swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .target(name: "DejaKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "DejaEmbedding", dependencies: ["COpenBLAS", "DejaKernels"]),
        .target(name: "DejaStore", dependencies: ["DejaCore", "DejaKernels", .product(name: "GRDB", package: "GRDB.swift"),
                                           .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        .target(name: "DejaSearch", dependencies: ["DejaCore", "DejaEmbedding", "DejaStore"]),
        .executableTarget(
            name: "deja",
            dependencies: [
                "DejaCore", "DejaEmbedding", "DejaStore", "DejaSearch",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "DejaCoreTests", dependencies: ["DejaCore"]),
        .testTarget(name: "DejaStoreTests", dependencies: ["DejaStore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "DejaSearchTests", dependencies: ["DejaSearch"]),
        // Drives the built `deja` executable, as users do.
        .testTarget(name: "DejaCLITests", dependencies: ["deja"]),
        .testTarget(
            name: "DejaEmbeddingTests",
            dependencies: ["DejaEmbedding", "DejaKernels"],
            resources: [.copy("Fixtures")]
        ),
    ]
)

// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Deja",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "deja", targets: ["deja"]),
        .library(name: "DejaCore", targets: ["DejaCore"]),
        .library(name: "DejaEmbedding", targets: ["DejaEmbedding"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        // Exclusivity is checked statically; the dynamic checks on class properties cost the miner a fifth.
        .target(name: "DejaCore", swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .target(name: "DejaKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "DejaEmbedding", dependencies: ["COpenBLAS", "DejaKernels"]),
        .executableTarget(
            name: "deja",
            dependencies: [
                "DejaCore", "DejaEmbedding",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "DejaCoreTests", dependencies: ["DejaCore"]),
        // Drives the built `deja` executable, as users do.
        .testTarget(name: "DejaCLITests", dependencies: ["deja"]),
        .testTarget(
            name: "DejaEmbeddingTests",
            dependencies: ["DejaEmbedding", "DejaKernels"],
            resources: [.copy("Fixtures")]
        ),
    ]
)

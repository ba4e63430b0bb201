// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Athanor",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AthanorJournal", targets: ["AthanorJournal"]),
        .library(name: "Athanor", targets: ["Athanor"]),
        .library(name: "AthanorServer", targets: ["AthanorServer"]),
        .library(name: "AthanorCommandLine", targets: ["AthanorCommandLine"]),
        .executable(name: "athanor", targets: ["athanor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .systemLibrary(name: "CLinux"),
        .target(name: "CDescriptorPassing"),
        .target(
            name: "AthanorJournal",
            dependencies: ["CZstd", "CLinux"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Athanor",
            dependencies: ["AthanorJournal", "CLinux", "CDescriptorPassing"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AthanorExperiments",
            dependencies: ["Athanor"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AthanorServer",
            dependencies: [
                "Athanor",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "MCP", package: "swift-sdk"),
            ],
            resources: [.copy("Public")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AthanorCommandLine",
            dependencies: [
                "Athanor",
                "AthanorServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "athanor",
            dependencies: ["AthanorCommandLine", "AthanorExperiments"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AthanorBench",
            dependencies: ["AthanorJournal", "Athanor", "AthanorExperiments"],
            path: "Sources/AthanorBench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AthanorTestWorker",
            dependencies: ["Athanor", "AthanorCommandLine", "AthanorExperiments"],
            path: "Tests/AthanorTestWorker",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AthanorTests",
            dependencies: ["Athanor", "AthanorExperiments"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AthanorServerTests",
            dependencies: [
                "AthanorServer", "AthanorExperiments",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AthanorJournalTests",
            dependencies: ["AthanorJournal"],
            swiftSettings: swiftSettings
        ),
    ]
)

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
        .library(name: "AthanorCommandLine", targets: ["AthanorCommandLine"]),
        .executable(name: "athanor", targets: ["athanor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2")
    ],
    targets: [
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .target(
            name: "AthanorJournal",
            dependencies: ["CZstd"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Athanor",
            dependencies: ["AthanorJournal"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AthanorExperiments",
            dependencies: ["Athanor"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AthanorCommandLine",
            dependencies: [
                "Athanor",
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
            name: "AthanorJournalTests",
            dependencies: ["AthanorJournal"],
            swiftSettings: swiftSettings
        ),
    ]
)

// swift-tools-version: 6.0
import PackageDescription

// The dependency graph is the architecture (DESIGN.md §3):
//   Model ← Format ← (Recorder ← Executor ← Testing)
//   Model ← Analysis / Import / Export ← CLI
// Offline tools never depend on runtime modules; runtime modules do not import Foundation.
let package = Package(
    name: "Schedscope",
    products: [
        .executable(name: "schedscope", targets: ["schedscope"]),
        .library(name: "SchedscopeModel", targets: ["SchedscopeModel"]),
        .library(name: "SchedscopeFormat", targets: ["SchedscopeFormat"]),
        .library(name: "SchedscopeSynth", targets: ["SchedscopeSynth"]),
        .library(name: "SchedscopeAnalysis", targets: ["SchedscopeAnalysis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "SchedscopeModel"),
        .target(name: "SchedscopeFormat", dependencies: ["SchedscopeModel", "CZlib"]),
        .target(name: "SchedscopeSynth", dependencies: ["SchedscopeModel", "SchedscopeFormat"]),
        .target(name: "SchedscopeAnalysis", dependencies: ["SchedscopeModel", "SchedscopeFormat"]),
        .executableTarget(
            name: "schedscope",
            dependencies: [
                "SchedscopeModel", "SchedscopeFormat", "SchedscopeAnalysis", "SchedscopeSynth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "SchedscopeTestSupport",
            dependencies: ["SchedscopeModel", "SchedscopeFormat", "SchedscopeAnalysis"],
            path: "Tests/SchedscopeTestSupport"
        ),
        .testTarget(name: "SchedscopeModelTests", dependencies: ["SchedscopeModel"]),
        .testTarget(
            name: "SchedscopeFormatTests",
            dependencies: ["SchedscopeFormat", "SchedscopeTestSupport", "SchedscopeSynth"]
        ),
        .testTarget(
            name: "SchedscopeAnalysisTests",
            dependencies: ["SchedscopeAnalysis", "SchedscopeTestSupport", "SchedscopeSynth"]
        ),
        .testTarget(
            name: "SchedscopeSynthTests",
            dependencies: ["SchedscopeSynth", "SchedscopeAnalysis", "SchedscopeTestSupport"]
        ),
        .testTarget(
            name: "SchedscopeCLITests",
            dependencies: ["schedscope", "SchedscopeTestSupport", "SchedscopeFormat", "SchedscopeSynth"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

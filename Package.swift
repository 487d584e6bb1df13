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
        .library(name: "SchedscopeRecorder", targets: ["SchedscopeRecorder"]),
        .library(name: "SchedscopeExport", targets: ["SchedscopeExport"]),
        .library(name: "SchedscopeExecutor", targets: ["SchedscopeExecutor"]),
        .library(name: "SchedscopeTesting", targets: ["SchedscopeTesting"]),
        .library(name: "SchedscopeImport", targets: ["SchedscopeImport"]),
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
        // The recorder's C side: time-stamp counter, thread-local slot, flusher wake-up.
        .target(name: "CSchedscopeRecorder"),
        .target(name: "SchedscopeRecorder", dependencies: ["SchedscopeModel", "SchedscopeFormat", "CSchedscopeRecorder"]),
        // The executor's C side: the runtime's job/task entry points (Swift calling
        // convention), the global-enqueue hook, futex parking, the worker's thread-local.
        .target(name: "CSchedscopeExecutor"),
        .target(name: "SchedscopeExecutor", dependencies: ["SchedscopeModel", "SchedscopeRecorder", "CSchedscopeExecutor"]),
        // Leak-checked tests: a Swift Testing trait and an XCTest helper.
        .target(name: "SchedscopeTesting", dependencies: ["SchedscopeExecutor", "SchedscopeRecorder", "SchedscopeModel", "CSchedscopeExecutor"]),
        .target(name: "SchedscopeSynth", dependencies: ["SchedscopeModel", "SchedscopeFormat"]),
        .target(name: "SchedscopeAnalysis", dependencies: ["SchedscopeModel", "SchedscopeFormat"]),
        // Hand-offs to other tools (Chrome/Perfetto JSON, CSV, OpenMetrics) and the HTML report.
        .target(name: "SchedscopeExport", dependencies: ["SchedscopeModel", "SchedscopeAnalysis"]),
        // Foreign traces (Go execution traces) as Schedscope events; no Foundation.
        .target(name: "SchedscopeImport", dependencies: ["SchedscopeModel"]),
        .executableTarget(
            name: "schedscope",
            dependencies: [
                "SchedscopeModel", "SchedscopeFormat", "SchedscopeAnalysis", "SchedscopeSynth", "SchedscopeExport", "SchedscopeImport",
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
            name: "SchedscopeExportTests",
            dependencies: ["SchedscopeExport", "SchedscopeTestSupport", "SchedscopeSynth", "SchedscopeFormat"]
        ),
        .testTarget(
            name: "SchedscopeImportTests",
            dependencies: ["SchedscopeImport", "SchedscopeAnalysis", "SchedscopeTestSupport"]
        ),
        .testTarget(
            name: "SchedscopeSynthTests",
            dependencies: ["SchedscopeSynth", "SchedscopeAnalysis", "SchedscopeTestSupport"]
        ),
        // The recorder's tests: a scripted workload shared with a child process that the
        // crash and disk-full tests kill or starve.
        .target(name: "RecorderTestWorkload", dependencies: ["SchedscopeModel", "SchedscopeRecorder"], path: "Tests/RecorderTestWorkload"),
        .executableTarget(name: "RecorderTestChild", dependencies: ["RecorderTestWorkload", "SchedscopeRecorder"], path: "Tests/RecorderTestChild"),
        .testTarget(
            name: "SchedscopeRecorderTests",
            dependencies: [
                "SchedscopeRecorder", "SchedscopeFormat", "SchedscopeModel", "SchedscopeTestSupport",
                "RecorderTestWorkload", "RecorderTestChild",
            ]
        ),
        // The executor's tests: stepped scheduler logic and real-thread stress in process;
        // recorded scenarios (and the process-wide global hook) in a child process.
        .executableTarget(
            name: "ExecutorTestChild",
            dependencies: ["SchedscopeExecutor", "SchedscopeRecorder", "SchedscopeTesting"],
            path: "Tests/ExecutorTestChild"
        ),
        .testTarget(
            name: "SchedscopeExecutorTests",
            dependencies: [
                "SchedscopeExecutor", "SchedscopeAnalysis", "SchedscopeFormat", "SchedscopeModel",
                "SchedscopeTestSupport", "ExecutorTestChild",
            ]
        ),
        .testTarget(
            name: "SchedscopeTestingTests",
            dependencies: ["SchedscopeTesting", "SchedscopeExecutor", "SchedscopeTestSupport", "ExecutorTestChild", "schedscope"]
        ),
        // Examples/OrderPipeline: a workload recorded end to end, and tests using the trait.
        .target(name: "OrderPipeline", dependencies: ["SchedscopeExecutor"], path: "Examples/OrderPipeline/Sources/OrderPipeline"),
        .executableTarget(
            name: "order-pipeline",
            dependencies: ["OrderPipeline", "SchedscopeExecutor", "SchedscopeRecorder"],
            path: "Examples/OrderPipeline/Sources/order-pipeline"
        ),
        .testTarget(
            name: "OrderPipelineTests",
            dependencies: ["OrderPipeline", "SchedscopeTesting", "SchedscopeTestSupport", "order-pipeline", "schedscope"],
            path: "Examples/OrderPipeline/Tests/OrderPipelineTests"
        ),
        .testTarget(
            name: "SchedscopeCLITests",
            dependencies: ["schedscope", "SchedscopeTestSupport", "SchedscopeFormat", "SchedscopeSynth"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so that the root package carries no benchmark
// dependencies. Run from this directory: `swift package benchmark`.
let package = Package(
    name: "SchedscopeBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Schedscope", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "TraceBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SchedscopeFormat", package: "Schedscope"),
                .product(name: "SchedscopeSynth", package: "Schedscope"),
                .product(name: "SchedscopeAnalysis", package: "Schedscope"),
            ],
            path: "Benchmarks/TraceBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "RecorderBenchmarks",
            dependencies: [
                "RecorderWorkload",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SchedscopeRecorder", package: "Schedscope"),
                .product(name: "SchedscopeFormat", package: "Schedscope"),
            ],
            path: "Benchmarks/RecorderBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ExecutorBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SchedscopeExecutor", package: "Schedscope"),
                .product(name: "SchedscopeRecorder", package: "Schedscope"),
                .product(name: "SchedscopeFormat", package: "Schedscope"),
                .product(name: "SchedscopeAnalysis", package: "Schedscope"),
            ],
            path: "Benchmarks/ExecutorBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The event mix both recorder benchmarks replay.
        .target(
            name: "RecorderWorkload",
            dependencies: [
                .product(name: "SchedscopeRecorder", package: "Schedscope"),
                .product(name: "SchedscopeFormat", package: "Schedscope"),
                .product(name: "SchedscopeSynth", package: "Schedscope"),
            ],
            path: "Benchmarks/RecorderWorkload"
        ),
        // One workload, once, for profilers (no harness): see its main.swift.
        .executableTarget(
            name: "ExecutorProfile",
            dependencies: [
                .product(name: "SchedscopeExecutor", package: "Schedscope"),
                .product(name: "SchedscopeRecorder", package: "Schedscope"),
            ],
            path: "Benchmarks/ExecutorProfile"
        ),
        // The recorder's flusher, once, for profilers and CPU-time comparisons: see its main.swift.
        .executableTarget(
            name: "RecorderProfile",
            dependencies: [
                "RecorderWorkload",
                .product(name: "SchedscopeRecorder", package: "Schedscope"),
                .product(name: "SchedscopeFormat", package: "Schedscope"),
            ],
            path: "Benchmarks/RecorderProfile"
        ),
        .executableTarget(
            name: "ExecutorHookBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SchedscopeExecutor", package: "Schedscope"),
            ],
            path: "Benchmarks/ExecutorHookBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

import Benchmark
import Foundation
import SchedscopeExecutor

// Whole-process mode: the same workloads as ExecutorBenchmarks on plain tasks, with every
// default-executor job routed into SchedscopeExecutor by the global hook (process-global,
// hence its own target) — or, with SCHEDSCOPE_EXECUTOR=default, with SchedscopeExecutor as
// the process's default executor (the ExecutorFactory SPI). Compare with ExecutorBenchmarks'
// "default executor" rows, measured in the same session. Figures in ../docs/BENCHMARKS.md
// (## Executor).
//
//   swift package --disable-sandbox benchmark --target ExecutorHookBenchmarks
//   SCHEDSCOPE_EXECUTOR=default swift package --disable-sandbox benchmark --target ExecutorHookBenchmarks

let fanOutTasks = 1_000_000
let pingPongRounds = 300_000
let yieldTotal = 1_000_000

@inline(never) func work(_ value: Int) -> Int { value &* 31 &+ 7 }

actor Pong {
    var hits = 0
    func hit() -> Int {
        hits += 1
        return hits
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(20),
        maxIterations: 7
    )
    let configuration = ExecutorConfiguration(name: "whole", taskTracking: .off)
    let mode: String
    if ProcessInfo.processInfo.environment["SCHEDSCOPE_EXECUTOR"] == "default" {
        SchedscopeExecutor.installAsDefaultExecutor(configuration)
        mode = "default-executor mode"
    } else {
        SchedscopeExecutor.installGlobally(configuration)
        mode = "hook"
    }

    Benchmark("fan-out 1M: \(mode)") { _ in
        await withDiscardingTaskGroup { group in
            for index in 0..<fanOutTasks { group.addTask { blackHole(work(index)) } }
        }
    }
    Benchmark("ping-pong 300k: \(mode)") { _ in
        let pong = Pong()
        var last = 0
        for _ in 0..<pingPongRounds { last = await pong.hit() }
        blackHole(last)
    }
    Benchmark("yield 1M: \(mode)") { _ in
        let tasks = ProcessInfo.processInfo.activeProcessorCount
        await withDiscardingTaskGroup { group in
            for _ in 0..<tasks {
                group.addTask { for _ in 0..<(yieldTotal / tasks) { await Task.yield() } }
            }
        }
    }
}

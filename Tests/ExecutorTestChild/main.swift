// The executor's recorded scenarios, run in a child process: the recorder is one per
// process and the global hook is process-wide, so neither may disturb the tests running in
// parallel in the test runner. Usage: ExecutorTestChild SCENARIO TRACE_PATH
import SchedscopeExecutor
import SchedscopeRecorder
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
// `regions` records through SchedscopeTesting, from SCHEDSCOPE_TRACE (`schedscope record`).
if arguments.count == 2, arguments[1] == "regions" {
    await RegionScenario.run()
    exit(0)
}
// `environment` records and picks its executor mode from the environment (`schedscope
// record --executor`).
if arguments.count == 2, arguments[1] == "environment" {
    await EnvironmentScenario.run()
    exit(0)
}
guard arguments.count == 3 else {
    printError("usage: ExecutorTestChild leaks|hook|factory|factory-stress|stress|wakeups TRACE, or ExecutorTestChild regions|environment")
    exit(64)
}
do {
    // Rings big enough that a debug build's flusher keeps up (a drop would make the
    // tests' exact checks moot).
    var options = RecorderOptions()
    options.bufferEvents = 1 << 20
    try Recorder.start(path: arguments[2], options: options)
} catch {
    printError("\(error)")
    exit(1)
}
switch arguments[1] {
case "leaks": await LeakScenario.run()
case "hook": await HookScenario.run()
case "factory": await FactoryScenario.run()
case "factory-stress": await FactoryStressScenario.run()
case "stress": await StressScenario.run()
case "wakeups": await WakeupScenario.run()
default:
    printError("unknown scenario \(arguments[1])")
    exit(64)
}
do {
    let summary = try Recorder.stop()
    print("events \(summary.events) lost \(summary.lostEvents)")
} catch {
    printError("\(error)")
    exit(1)
}

func printError(_ message: String) {
    let line = message + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}

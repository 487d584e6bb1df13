// A child process for the recorder's crash and disk-full tests (Tests/SchedscopeRecorderTests/ChildProcessTests.swift).
//
//   RecorderTestChild crash PATH SEED    record two threads' scripts, flush every ~10 ms and print
//                                        "flushed R0 R1" (rounds each thread had emitted before the
//                                        flush); runs until killed (or 60 s)
//   RecorderTestChild fsize PATH LIMIT   record with the file size limited to LIMIT bytes; print the
//                                        error that stops the recording, keep emitting, print "alive"
//   RecorderTestChild fork PATH -        record, fork; the child records its own trace (PATH.child)
//   RecorderTestChild compress PATH -    record a script with the default options; print
//                                        "libdeflate: BOOL" (which library compressed) and "events: N"
import Glibc
import RecorderTestWorkload
import SchedscopeModel
import SchedscopeRecorder
import Synchronization

/// Writes a line to stdout unbuffered (the parent reads it while this process runs).
func say(_ line: String) {
    let text = line + "\n"
    _ = text.withCString { write(1, $0, strlen($0)) }
}

func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Busy work between rounds, so the flusher keeps up and nothing is dropped.
func spin(nanoseconds: UInt64) {
    let end = now() + nanoseconds
    while now() < end {}
}

let arguments = CommandLine.arguments
guard arguments.count == 4 else {
    say("usage: RecorderTestChild crash|fsize PATH SEED|LIMIT")
    exit(64)
}
let path = arguments[2]
let strings = InternedStrings(SchedulerScript.allStrings)

switch arguments[1] {
case "crash":
    let seed = UInt64(arguments[3]) ?? 1
    try Recorder.start(path: path, options: RecorderOptions(
        bufferEvents: 1 << 20, generationInterval: .milliseconds(50), procCount: 2))
    let shared = CrashWorkload(seed: seed, strings: strings)
    for index in 0..<2 { shared.startWorker(index) }
    let deadline = now() + 60_000_000_000
    while now() < deadline {
        var pause = timespec(tv_sec: 0, tv_nsec: 10_000_000)
        nanosleep(&pause, nil)
        // Acquire: pairs with the workers' release.
        let counts = shared.roundCounts()
        try Recorder.flush()
        say("flushed \(counts[0]) \(counts[1])")
    }
    exit(3)

case "fsize":
    let limit = rlim_t(arguments[3]) ?? 65536
    signal(SIGXFSZ, SIG_IGN)
    var rl = rlimit(rlim_cur: limit, rlim_max: limit)
    setrlimit(Int32(RLIMIT_FSIZE.rawValue), &rl)
    try Recorder.start(path: path, options: RecorderOptions(compressionLevel: 0, procCount: 1))
    var script = SchedulerScript(index: 0, seed: 7)
    var emitted = 0
    var failure: RecorderError?
    for _ in 0..<1_000_000 {
        for step in script.nextRound() {
            step.emit(strings: strings)
            emitted += 1
        }
        if emitted % 512 < 8 {
            do { try Recorder.flush() } catch { failure = error }
        }
        if let found = failure ?? Recorder.failure {
            failure = found
            break
        }
    }
    guard let failure else {
        say("no failure after \(emitted) events")
        exit(1)
    }
    say("failure: \(failure)")
    say("code: \(failure.code.rawValue)")
    say("recording: \(Recorder.isRecording)")
    // The host goes on: events are ignored, nothing crashes.
    for _ in 0..<10_000 {
        for step in script.nextRound() { step.emit(strings: strings) }
    }
    do {
        try Recorder.stop()
        say("stop: ok")
    } catch {
        say("stop: \(error.code.rawValue)")
    }
    say("alive")
    exit(0)

case "fork":
    // The parent records; a forked child must neither record into nor write the parent's
    // trace, must not hang at exit, and may record its own (to PATH.child).
    try Recorder.start(path: path, options: RecorderOptions(procCount: 1))
    Recorder.procStart(ProcID(0))
    Recorder.log(strings["test"], category: strings["test"])
    // Fork while the flusher is held, so that it holds no other lock the child could inherit.
    let child = Recorder.withFlusherPaused { fork() }
    if child == 0 {
        Recorder.procSteal(ProcID(0), from: ProcID(1), count: 99)  // not recorded
        var notes = ["recording: \(Recorder.isRecording)"]
        do {
            try Recorder.stop()
            notes.append("stop: ok")
        } catch {
            notes.append("stop: \(error.code.rawValue)")
        }
        try Recorder.start(path: path + ".child", options: RecorderOptions(procCount: 1))
        Recorder.procStart(ProcID(7))
        try Recorder.stop()
        say("child " + notes.joined(separator: ", "))
        exit(0)  // atexit runs: it must not wait for the parent's flusher
    }
    var status: Int32 = 0
    waitpid(child, &status, 0)
    Recorder.procStop(ProcID(0))
    try Recorder.stop()
    say("parent: child exited \(status)")
    exit(0)

case "compress":
    // The environment (SCHEDSCOPE_DEFLATER) chooses the library; the options do not.
    try Recorder.start(path: path, options: RecorderOptions(procCount: 1))
    var script = SchedulerScript(index: 0, seed: 3)
    for _ in 0..<2_000 {
        for step in script.nextRound() { step.emit(strings: strings) }
    }
    let summary = try Recorder.stop()
    say("libdeflate: \(summary.compressedWithLibdeflate)")
    say("events: \(summary.events)")
    exit(0)

default:
    say("unknown mode \(arguments[1])")
    exit(64)
}

/// Two workers emitting their scripts, and the rounds each has finished.
final class CrashWorkload: Sendable {
    private let seed: UInt64
    private let strings: InternedStrings
    private let rounds0 = Atomic<Int>(0)
    private let rounds1 = Atomic<Int>(0)

    init(seed: UInt64, strings: InternedStrings) {
        self.seed = seed
        self.strings = strings
    }

    func roundCounts() -> [Int] {
        // Acquire: pairs with the workers' release, so the counted rounds were published.
        [rounds0.load(ordering: .acquiring), rounds1.load(ordering: .acquiring)]
    }

    func run(_ index: Int) -> Never {
        var script = SchedulerScript(index: index, seed: seed)
        while true {
            for step in script.nextRound() { step.emit(strings: strings) }
            // Release: the round's events are published before the count that says so.
            if index == 0 {
                rounds0.add(1, ordering: .releasing)
            } else {
                rounds1.add(1, ordering: .releasing)
            }
            spin(nanoseconds: 20_000)
        }
    }

    func startWorker(_ index: Int) {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(Start(workload: self, index: index)).toOpaque()
        pthread_create(&thread, nil, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            start.workload.run(start.index)
        }, context)
    }

    private final class Start: Sendable {
        let workload: CrashWorkload
        let index: Int
        init(workload: CrashWorkload, index: Int) {
            self.workload = workload
            self.index = index
        }
    }
}

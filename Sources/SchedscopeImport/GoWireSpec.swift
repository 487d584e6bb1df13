/// The Go execution trace wire format's event table (Go 1.22+, "go 1.22/23/25/26 trace"),
/// as `$GOROOT/src/internal/trace/tracev2/events.go` defines it: the type byte of each
/// event, how many uvarint arguments follow it, and whether the first is a time delta.
///
/// Wire codes stay inside the importer; the parser maps them onto `EventKind`.
enum GoWire {
    // Batch framing and tables.
    static let eventBatch: UInt8 = 1
    static let stacks: UInt8 = 2
    static let stack: UInt8 = 3
    static let strings: UInt8 = 4
    static let string: UInt8 = 5
    static let cpuSamples: UInt8 = 6
    static let cpuSample: UInt8 = 7
    static let frequency: UInt8 = 8
    // Procs.
    static let procsChange: UInt8 = 9
    static let procStart: UInt8 = 10
    static let procStop: UInt8 = 11
    static let procSteal: UInt8 = 12
    static let procStatus: UInt8 = 13
    // Goroutines.
    static let goCreate: UInt8 = 14
    static let goCreateSyscall: UInt8 = 15
    static let goStart: UInt8 = 16
    static let goDestroy: UInt8 = 17
    static let goDestroySyscall: UInt8 = 18
    static let goStop: UInt8 = 19
    static let goBlock: UInt8 = 20
    static let goUnblock: UInt8 = 21
    static let goSyscallBegin: UInt8 = 22
    static let goSyscallEnd: UInt8 = 23
    static let goSyscallEndBlocked: UInt8 = 24
    static let goStatus: UInt8 = 25
    // STW and GC.
    static let stwBegin: UInt8 = 26
    static let stwEnd: UInt8 = 27
    static let gcActive: UInt8 = 28
    static let gcBegin: UInt8 = 29
    static let gcEnd: UInt8 = 30
    static let gcSweepActive: UInt8 = 31
    static let gcSweepBegin: UInt8 = 32
    static let gcSweepEnd: UInt8 = 33
    static let gcMarkAssistActive: UInt8 = 34
    static let gcMarkAssistBegin: UInt8 = 35
    static let gcMarkAssistEnd: UInt8 = 36
    static let heapAlloc: UInt8 = 37
    static let heapGoal: UInt8 = 38
    // Annotations.
    static let goLabel: UInt8 = 39
    static let userTaskBegin: UInt8 = 40
    static let userTaskEnd: UInt8 = 41
    static let userRegionBegin: UInt8 = 42
    static let userRegionEnd: UInt8 = 43
    static let userLog: UInt8 = 44
    // Go 1.23.
    static let goSwitch: UInt8 = 45
    static let goSwitchDestroy: UInt8 = 46
    static let goCreateBlocked: UInt8 = 47
    static let goStatusStack: UInt8 = 48
    static let experimentalBatch: UInt8 = 49
    // Go 1.25 and 1.26.
    static let sync: UInt8 = 50
    static let clockSnapshot: UInt8 = 51
    static let endOfGeneration: UInt8 = 52

    /// Per type byte: the number of uvarint arguments (time delta included) of an event
    /// that may appear in an event batch, or `unknown`.
    // Written once by the initializer, read-only afterwards.
    nonisolated(unsafe) static let argumentCounts: UnsafePointer<UInt8> = {
        var counts = [UInt8](repeating: unknown, count: 256)
        let table: [(UInt8, UInt8)] = [
            (procsChange, 3), (procStart, 3), (procStop, 1), (procSteal, 4), (procStatus, 3),
            (goCreate, 4), (goCreateSyscall, 2), (goStart, 3), (goDestroy, 1), (goDestroySyscall, 1),
            (goStop, 3), (goBlock, 3), (goUnblock, 4), (goSyscallBegin, 3), (goSyscallEnd, 1),
            (goSyscallEndBlocked, 1), (goStatus, 4), (stwBegin, 3), (stwEnd, 1), (gcActive, 2),
            (gcBegin, 3), (gcEnd, 2), (gcSweepActive, 2), (gcSweepBegin, 2), (gcSweepEnd, 3),
            (gcMarkAssistActive, 2), (gcMarkAssistBegin, 2), (gcMarkAssistEnd, 1), (heapAlloc, 2),
            (heapGoal, 2), (goLabel, 2), (userTaskBegin, 5), (userTaskEnd, 3), (userRegionBegin, 4),
            (userRegionEnd, 4), (userLog, 5), (goSwitch, 3), (goSwitchDestroy, 3), (goCreateBlocked, 4),
            (goStatusStack, 5),
            // The allocation/free experiment (GODEBUG traceallocfree=1): decoded to be skipped.
            (128, 4), (129, 4), (130, 2), (131, 3), (132, 3), (133, 2), (134, 3), (135, 3), (136, 2),
        ]
        for (type, count) in table { counts[Int(type)] = count }
        // A pointer, not an array: read for every event, and a global array would be
        // retained and released around each read.
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        pointer.initialize(from: counts, count: 256)
        return UnsafePointer(pointer)
    }()
    static let unknown: UInt8 = 0xFF

    /// `argumentCounts` for one trace version: the event types it lacks are unknown.
    static func argumentCounts(version: Int) -> UnsafePointer<UInt8> {
        version >= 23 ? argumentCounts : argumentCountsGo122
    }

    // Written once by the initializer, read-only afterwards.
    nonisolated(unsafe) private static let argumentCountsGo122: UnsafePointer<UInt8> = {
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for type in 0..<256 {
            pointer[type] = isKnown(UInt8(type), version: 22) ? argumentCounts[type] : unknown
        }
        return UnsafePointer(pointer)
    }()

    /// The largest number of arguments any event carries.
    static let maxArguments = 5

    /// The event types each trace version may contain beyond Go 1.22's (events.go's specs).
    static func isKnown(_ type: UInt8, version: Int) -> Bool {
        guard argumentCounts[Int(type)] != unknown else { return false }
        switch type {
        case goSwitch, goSwitchDestroy, goCreateBlocked, goStatusStack: return version >= 23
        default: return true
        }
    }

    /// Go's name of an event type, for diagnostics.
    static func name(_ type: UInt8) -> String { names[Int(type)] }

    private static let names: [String] = {
        let known = [
            "EventBatch", "Stacks", "Stack", "Strings", "String", "CPUSamples", "CPUSample", "Frequency",
            "ProcsChange", "ProcStart", "ProcStop", "ProcSteal", "ProcStatus", "GoCreate", "GoCreateSyscall",
            "GoStart", "GoDestroy", "GoDestroySyscall", "GoStop", "GoBlock", "GoUnblock", "GoSyscallBegin",
            "GoSyscallEnd", "GoSyscallEndBlocked", "GoStatus", "STWBegin", "STWEnd", "GCActive", "GCBegin",
            "GCEnd", "GCSweepActive", "GCSweepBegin", "GCSweepEnd", "GCMarkAssistActive", "GCMarkAssistBegin",
            "GCMarkAssistEnd", "HeapAlloc", "HeapGoal", "GoLabel", "UserTaskBegin", "UserTaskEnd",
            "UserRegionBegin", "UserRegionEnd", "UserLog", "GoSwitch", "GoSwitchDestroy", "GoCreateBlocked",
            "GoStatusStack", "ExperimentalBatch", "Sync", "ClockSnapshot", "EndOfGeneration",
        ]
        return (0..<256).map { type in
            if type >= 1 && type <= known.count { return known[type - 1] }
            if type >= 128 && type <= 136 { return "AllocFree experiment event \(type)" }
            return "unknown event type \(type)"
        }
    }()

    /// Goroutine states of `GoStatus` (tracev2.GoStatus).
    enum GoroutineStatus {
        static let bad: UInt8 = 0, runnable: UInt8 = 1, running: UInt8 = 2, syscall: UInt8 = 3, waiting: UInt8 = 4
    }

    /// P states of `ProcStatus` (tracev2.ProcStatus).
    enum ProcStatus {
        static let bad: UInt8 = 0, running: UInt8 = 1, idle: UInt8 = 2, syscall: UInt8 = 3, syscallAbandoned: UInt8 = 4
    }

    /// Ticks to nanoseconds. Clamped to 2^62 ns (146 years): a forged tick count or
    /// frequency must not trap the conversion or overflow the one-nanosecond steps after it.
    @inline(__always)
    static func nanoseconds(_ ticks: UInt64, _ nanosecondsPerTick: Double) -> UInt64 {
        let value = Double(ticks) * nanosecondsPerTick
        return value < 4.6e18 ? UInt64(value) : 1 << 62
    }

    /// The largest batch the runtime writes (tracev2.MaxBatchSize).
    static let maxBatchSize: UInt64 = 64 << 10
    /// The longest string (tracev2.MaxEventTrailerDataSize).
    static let maxStringSize: UInt64 = 1 << 10
    /// The most frames a stack may have (tracev2.MaxFramesPerStack).
    static let maxFramesPerStack: UInt64 = 128
    /// The M id meaning "no thread" (the runtime's table and sync batches).
    static let noThread: UInt64 = .max
}

import SchedscopeModel

/// The importer's parser: orders one generation's events across Ms the way Go's reader
/// does (per-M program order, per-G and per-P sequence numbers and states; timestamps only
/// as a hint — `$GOROOT/src/internal/trace/reader.go`, `order.go`) and maps each onto the
/// DESIGN.md §4 vocabulary (docs/IMPORT-GO.md, event by event).
///
/// State that outlives a generation — goroutines, Ps, Ms, the GC sequence — is kept per
/// live goroutine, P and M, so memory follows what is alive, not the trace's length.
struct GoTraceParser {
    struct Goroutine {
        var status: UInt8
        var seq: UInt64 = 0
        var seqGeneration: UInt64
        /// The P our output has it running on (`task_start` emitted, no stop yet).
        var onProc: UInt32 = ProcID.none.rawValue
        /// Our output parked it because its P was retaken while it sat in a syscall.
        var parkedInSyscall = false
    }

    struct Proc {
        var known = false
        var status: UInt8 = 0
        var seq: UInt64 = 0
        var seqGeneration: UInt64 = 0
        /// Our output has a `proc_start` for it without a `proc_stop`.
        var started = false
    }

    struct Thread {
        var proc: UInt32 = ProcID.none.rawValue
        var goroutine: UInt64 = 0
        /// The reason of the stop-the-world this M began (for its `gc_pause_end`).
        var pauseReason = StringID.empty
    }

    /// P ids at or above this are refused (a forged id must not size an array).
    static let maxProcs: UInt64 = 1 << 16

    let version: Int
    let goroutines = GoroutineTable()
    var procs: [Proc] = []
    var threads: [Thread] = []
    var threadIndex: [UInt64: Int] = [:]
    var userTasks: [UInt64: StringID] = [:]
    var gcSeq: UInt64 = 0
    var gcState: GCState = .undetermined
    var gcCycle: UInt64 = 0
    var initialGeneration: UInt64?
    /// The output's clock: nanoseconds of the first generation's earliest batch.
    var traceStart: UInt64?
    var lastTimestamp: UInt64 = 0
    var emittedAny = false
    /// Goroutines of the first generation that park as "system goroutine wait": the
    /// runtime's own, even when the trace never shows their start function.
    var systemGoroutines: Set<UInt64> = []
    /// The generation `scanFirstGeneration` walked.
    var scannedGeneration: UInt64?

    var strings = StringTable()
    private var interned: [String: StringID] = [:]
    private var nextString: UInt32 = 1
    /// Changes whenever a string is added (the pipeline snapshots the table then).
    var stringCount: UInt32 { nextString }

    // Per generation.
    /// Go string id → output id, for this generation; ids below `denseCacheSize` (all of
    /// them, in practice: the runtime numbers strings from 1) in an array.
    var stringCache: [UInt64: StringID] = [:]
    var denseStringCache = [StringID](repeating: .empty, count: denseCacheSize)
    /// Go string id → whether it is "preempted" (-1: not looked at yet).
    var preemptedCache: [UInt64: Bool] = [:]
    var densePreemptedCache = [Int8](repeating: -1, count: denseCacheSize)
    static let denseCacheSize = 4096
    var labelCache: [UInt64: Label] = [:]

    enum GCState { case undetermined, running, notRunning }

    struct Label {
        var name: StringID
        var isRuntime: Bool
    }

    // Interned names of the output.
    let syscallReason: StringID
    let switchReason: StringID
    let createdBlockedReason: StringID
    let unknownStart: StringID
    let mainStart: StringID
    let cgoStart: StringID
    let unknownWait: StringID
    let stopTheWorld: StringID

    /// The argument counts of the events this version has (others unknown).
    let argumentCounts: UnsafePointer<UInt8>

    init(version: Int) {
        self.version = version
        argumentCounts = GoWire.argumentCounts(version: version)
        var table = StringTable()
        var map: [String: StringID] = [:]
        var next: UInt32 = 1
        func add(_ value: String) -> StringID {
            let id = StringID(rawValue: next)
            next += 1
            table.define(id, value)
            map[value] = id
            return id
        }
        syscallReason = add("syscall")
        switchReason = add("coroutine switch")
        createdBlockedReason = add("created blocked")
        unknownStart = add("<unknown start function>")
        mainStart = add("runtime.main")
        cgoStart = add("<cgo callback>")
        unknownWait = add("waiting at trace start")
        stopTheWorld = add("stop-the-world")
        strings = table
        interned = map
        nextString = next
    }

    mutating func intern(_ value: String) -> StringID {
        if let id = interned[value] { return id }
        let id = StringID(rawValue: nextString)
        nextString += 1
        strings.define(id, value)
        interned[value] = id
        return id
    }

    // MARK: - One generation

    /// A cursor over one M's batches in a generation, holding the M's next event decoded.
    struct Cursor {
        var thread: UInt64
        var threadSlot: Int
        var batches: [GoBatchFrame]
        var batchIndex = 0
        var position = 0
        var end = 0
        var ticks: UInt64 = 0
        // The current event.
        var type: UInt8 = 0
        var eventTicks: UInt64 = 0
        var eventStart = 0
        var a1: UInt64 = 0, a2: UInt64 = 0, a3: UInt64 = 0, a4: UInt64 = 0
    }

    /// Parses `generation`, handing the mapped events to `sink`.
    mutating func parse(_ generation: GoGeneration, _ buffer: GoFileBuffer, _ sink: GoEventSink,
                        _ report: inout GoImportReport) throws {
        stringCache.removeAll(keepingCapacity: true)
        preemptedCache.removeAll(keepingCapacity: true)
        for index in denseStringCache.indices { denseStringCache[index] = .empty }
        for index in densePreemptedCache.indices { densePreemptedCache[index] = -1 }
        labelCache.removeAll(keepingCapacity: true)
        if initialGeneration == nil {
            initialGeneration = generation.number
            if scannedGeneration != generation.number { _ = scanFirstGeneration(generation, buffer) }
        }
        let nanosecondsPerTick = 1e9 / Double(generation.frequency)
        if traceStart == nil {
            traceStart = GoWire.nanoseconds(generation.minTicks, nanosecondsPerTick)
        }
        let context = GenerationContext(
            generation: generation, buffer: buffer, base: UnsafePointer(buffer.bytes),
            nanosecondsPerTick: nanosecondsPerTick, start: traceStart ?? 0, argumentCounts: argumentCounts)

        var cursors: [Cursor] = []
        cursors.reserveCapacity(generation.threads.count)
        for (index, thread) in generation.threads.enumerated() {
            var cursor = Cursor(thread: thread, threadSlot: slot(for: thread), batches: generation.batches[index])
            if Self.nextEvent(&cursor, context, &report) { cursors.append(cursor) }
        }
        let count = cursors.count
        try cursors.withUnsafeMutableBufferPointer { cursors in
            // The frontier: cursor indices as a min-heap on the next event's time.
            let heap = UnsafeMutablePointer<Int>.allocate(capacity: max(1, count))
            defer { heap.deallocate() }
            let cursors = cursors.baseAddress!
            try merge(cursors, heap, count, context, sink, &report)
        }
    }

    /// Applies the generation's events, each M's in its order, the earliest applicable first.
    private mutating func merge(_ cursors: UnsafeMutablePointer<Cursor>, _ heap: UnsafeMutablePointer<Int>, _ count: Int,
                                _ context: GenerationContext, _ sink: GoEventSink, _ report: inout GoImportReport) throws {
        var heapCount = count
        for index in 0..<count { heap[index] = index }
        func sortFrontier() {
            var frontier = UnsafeMutableBufferPointer(start: heap, count: heapCount)
            frontier.sort { cursors[$0].eventTicks < cursors[$1].eventTicks }
        }
        sortFrontier()
        while heapCount > 0 {
            var advanced = -1
            if advance(&cursors[heap[0]], context, sink, &report, force: false) {
                advanced = 0
            } else {
                // The earliest M must wait for another (a sequence number or state not yet
                // reached): try the others in time order, as Go's reader does.
                sortFrontier()
                for index in 1..<heapCount where advance(&cursors[heap[index]], context, sink, &report, force: false) {
                    advanced = index
                    break
                }
                if advanced < 0 {
                    let cursor = cursors[heap[0]]
                    report.record(GoImportDiagnostic(
                        .unorderedEvent, severity: .warning, byteOffset: context.buffer.fileOffset(cursor.eventStart),
                        "no M can advance under Go's ordering rules; \(GoWire.name(cursor.type)) of M \(cursor.thread) applied anyway"))
                    _ = advance(&cursors[heap[0]], context, sink, &report, force: true)
                    advanced = 0
                }
            }
            if Self.nextEvent(&cursors[heap[advanced]], context, &report) {
                Self.siftDown(heap, heapCount, from: advanced, cursors)
                if advanced > 0 { Self.siftUp(heap, from: advanced, cursors) }
            } else {
                heapCount -= 1
                heap[advanced] = heap[heapCount]
                if advanced < heapCount {
                    Self.siftDown(heap, heapCount, from: advanced, cursors)
                    Self.siftUp(heap, from: advanced, cursors)
                }
            }
            if sink.isNearlyFull { try sink.flush(strings, stringCount: stringCount) }
        }
    }

    @inline(__always)
    private static func siftDown(_ heap: UnsafeMutablePointer<Int>, _ count: Int, from start: Int, _ cursors: UnsafeMutablePointer<Cursor>) {
        var index = start
        while true {
            let left = 2 * index + 1
            guard left < count else { return }
            var smallest = left
            let right = left + 1
            if right < count, cursors[heap[right]].eventTicks < cursors[heap[left]].eventTicks { smallest = right }
            guard cursors[heap[smallest]].eventTicks < cursors[heap[index]].eventTicks else { return }
            (heap[index], heap[smallest]) = (heap[smallest], heap[index])
            index = smallest
        }
    }

    @inline(__always)
    private static func siftUp(_ heap: UnsafeMutablePointer<Int>, from start: Int, _ cursors: UnsafeMutablePointer<Cursor>) {
        var index = start
        while index > 0 {
            let parent = (index - 1) / 2
            guard cursors[heap[index]].eventTicks < cursors[heap[parent]].eventTicks else { return }
            (heap[index], heap[parent]) = (heap[parent], heap[index])
            index = parent
        }
    }

    /// Block reasons only the runtime's own goroutines use (runtime/traceruntime.go).
    static let systemWaitReasons: Set<String> = ["system goroutine wait", "GC background sweeper wait"]

    /// One walk over the first generation before it is parsed, each M's events in program
    /// order (enough to know the running goroutine: GoStart/GoStatus set it, a stop clears
    /// it). Finds the Ps (GOMAXPROCS from ProcsChange, or the highest P id + 1: the trace
    /// info needs them before any event is delivered) and the goroutines that block for a
    /// reason only the runtime's goroutines have (only goroutines that existed before the
    /// trace can lack a start function, and only the first generation has those).
    mutating func scanFirstGeneration(_ generation: GoGeneration, _ buffer: GoFileBuffer) -> UInt32 {
        let reasons = Set(generation.strings.compactMap { id, range in
            Self.systemWaitReasons.contains(String(decoding: UnsafeBufferPointer(start: buffer.bytes + range.lowerBound, count: range.count),
                                                   as: UTF8.self)) ? id : nil
        })
        let context = GenerationContext(generation: generation, buffer: buffer, base: UnsafePointer(buffer.bytes),
                                        nanosecondsPerTick: 1, start: 0, argumentCounts: argumentCounts)
        var scratch = GoImportReport()
        var found: Set<UInt64> = []
        var procCount: UInt64 = 0
        for (index, thread) in generation.threads.enumerated() {
            var cursor = Cursor(thread: thread, threadSlot: 0, batches: generation.batches[index])
            var running: UInt64 = 0
            while Self.nextEvent(&cursor, context, &scratch) {
                switch cursor.type {
                case GoWire.goStart, GoWire.goSwitch, GoWire.goSwitchDestroy: running = cursor.a1
                case GoWire.goStatus, GoWire.goStatusStack:
                    if cursor.a3 == UInt64(GoWire.GoroutineStatus.running) { running = cursor.a1 }
                case GoWire.goBlock:
                    if reasons.contains(cursor.a1), running != 0 { found.insert(running) }
                    running = 0
                case GoWire.goStop, GoWire.goDestroy, GoWire.goSyscallEndBlocked: running = 0
                case GoWire.procStatus, GoWire.procStart, GoWire.procSteal:
                    if cursor.a1 < Self.maxProcs { procCount = max(procCount, cursor.a1 + 1) }
                case GoWire.procsChange:
                    if cursor.a1 < Self.maxProcs { procCount = max(procCount, cursor.a1) }
                default: break
                }
            }
        }
        systemGoroutines = found
        scannedGeneration = generation.number
        return UInt32(procCount)
    }

    /// What every event of a generation needs: a class, so that passing it per event is
    /// one reference, not a copy of the generation's tables.
    final class GenerationContext {
        let generation: GoGeneration
        let buffer: GoFileBuffer
        let base: UnsafePointer<UInt8>
        let nanosecondsPerTick: Double
        let start: UInt64
        let number: UInt64
        /// `GoWire.argumentCounts` with the types this trace version lacks marked unknown.
        let argumentCounts: UnsafePointer<UInt8>
        /// `nanosecondsPerTick` when it is a whole number (64 on Linux: nanotime/64), so
        /// that the per-event conversion is an integer multiply; 0 otherwise.
        let wholeNanosecondsPerTick: UInt64

        /// The output time of a tick count, before the trace start is subtracted.
        @inline(__always)
        func nanoseconds(_ ticks: UInt64) -> UInt64 {
            if wholeNanosecondsPerTick != 0 {
                let (product, overflow) = ticks.multipliedReportingOverflow(by: wholeNanosecondsPerTick)
                if !overflow && product < 1 << 62 { return product }
            }
            return GoWire.nanoseconds(ticks, nanosecondsPerTick)
        }

        init(generation: GoGeneration, buffer: GoFileBuffer, base: UnsafePointer<UInt8>, nanosecondsPerTick: Double,
             start: UInt64, argumentCounts: UnsafePointer<UInt8>) {
            self.generation = generation
            self.buffer = buffer
            self.base = base
            self.nanosecondsPerTick = nanosecondsPerTick
            self.start = start
            self.argumentCounts = argumentCounts
            number = generation.number
            let frequency = generation.frequency
            wholeNanosecondsPerTick = frequency > 0 && frequency <= 1_000_000_000 && 1_000_000_000 % frequency == 0
                ? 1_000_000_000 / frequency : 0
        }
    }

    mutating func slot(for thread: UInt64) -> Int {
        if let slot = threadIndex[thread] { return slot }
        threadIndex[thread] = threads.count
        threads.append(Thread())
        return threads.count - 1
    }

    /// Decodes the cursor's next event; false when its batches are exhausted. An event
    /// this reader cannot delimit drops the rest of its batch.
    static func nextEvent(_ cursor: inout Cursor, _ context: GenerationContext, _ report: inout GoImportReport) -> Bool {
        let base = context.base
        while true {
            if cursor.position >= cursor.end {
                if cursor.batchIndex >= cursor.batches.count { return false }
                let frame = cursor.batches[cursor.batchIndex]
                cursor.batchIndex += 1
                cursor.position = frame.payloadStart
                cursor.end = frame.payloadEnd
                cursor.ticks = frame.baseTime
                continue
            }
            let start = cursor.position
            let type = base[start]
            let count = context.argumentCounts[Int(type)]
            guard count != GoWire.unknown else {
                report.record(GoImportDiagnostic(
                    .unknownEvent, severity: .warning, byteOffset: context.buffer.fileOffset(start),
                    bytesLost: UInt64(cursor.end - start),
                    "\(GoWire.name(type)) in an event batch of M \(cursor.thread); the rest of the batch (\(cursor.end - start) bytes) is dropped"))
                cursor.position = cursor.end
                continue
            }
            // Every event of an event batch starts with its time delta; at most four more
            // arguments follow. Unrolled: this is the importer's innermost loop.
            var position = start + 1
            let end = cursor.end
            var a1: UInt64 = 0, a2: UInt64 = 0, a3: UInt64 = 0, a4: UInt64 = 0
            var ok = true
            let delta = GoVarint.read(base, &position, end)
            if delta == nil { ok = false }
            if ok && count > 1 { if let value = GoVarint.read(base, &position, end) { a1 = value } else { ok = false } }
            if ok && count > 2 { if let value = GoVarint.read(base, &position, end) { a2 = value } else { ok = false } }
            if ok && count > 3 { if let value = GoVarint.read(base, &position, end) { a3 = value } else { ok = false } }
            if ok && count > 4 { if let value = GoVarint.read(base, &position, end) { a4 = value } else { ok = false } }
            guard ok, let delta else {
                report.record(GoImportDiagnostic(
                    .malformedBatch, severity: .warning, byteOffset: context.buffer.fileOffset(start),
                    bytesLost: UInt64(cursor.end - start),
                    "\(GoWire.name(type)) does not decode (an argument runs past its batch); the rest of the batch is dropped"))
                cursor.position = cursor.end
                continue
            }
            cursor.position = position
            cursor.ticks &+= delta
            cursor.type = type
            cursor.eventTicks = cursor.ticks
            cursor.eventStart = start
            cursor.a1 = a1
            cursor.a2 = a2
            cursor.a3 = a3
            cursor.a4 = a4
            report.goEventsRead += 1
            return true
        }
    }
}

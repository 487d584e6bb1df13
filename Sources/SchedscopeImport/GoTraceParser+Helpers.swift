import SchedscopeModel

// The mapping's helpers: state changes shared by several Go events, names, diagnostics.
extension GoTraceParser {
    // Static, like every helper the per-event path calls: a non-mutating method called from
    // a mutating one works on a copy of `self` (a memcpy and a retain of every table).
    static func succeeds(_ current: UInt64, _ currentGeneration: UInt64, _ next: UInt64, _ generation: UInt64) -> Bool {
        currentGeneration == generation && next == current &+ 1
    }

    mutating func procIndex(_ raw: UInt64, _ cursor: Cursor, _ context: GenerationContext,
                            _ report: inout GoImportReport) -> Int? {
        guard raw < Self.maxProcs else {
            report.record(GoImportDiagnostic(
                .limitExceeded, severity: .warning, byteOffset: context.buffer.fileOffset(cursor.eventStart),
                "\(GoWire.name(cursor.type)) names P \(raw), beyond the importer's cap of \(Self.maxProcs); dropped"))
            return nil
        }
        let index = Int(raw)
        if index >= procs.count { procs.append(contentsOf: repeatElement(Proc(), count: index + 1 - procs.count)) }
        return index
    }

    /// The M's P stops: a goroutine our output still has on it (one in a syscall) parks
    /// first, since it no longer occupies the P.
    mutating func stopProc(_ slot: Int, _ emitter: inout Emitter) {
        let p = threads[slot].proc
        guard p != Self.noProc else { return }
        let g = threads[slot].goroutine
        if g != 0, let goroutine = goroutines[g], goroutine.onProc == p {
            emitter.emit(.taskPark, proc: p, task: g, UInt64(syscallReason.rawValue))
            goroutines.pointer(g)?.pointee.onProc = Self.noProc
            goroutines.pointer(g)?.pointee.parkedInSyscall = true
        }
        threads[slot].proc = Self.noProc
        if procs[Int(p)].started {
            procs[Int(p)].started = false
            emitter.emit(.procStop, proc: p)
        }
    }

    /// Forced ordering: the M's goroutine leaves it (a yield, as far as anyone can tell).
    mutating func stopGoroutine(_ slot: Int, _ emitter: inout Emitter) {
        let g = threads[slot].goroutine
        threads[slot].goroutine = 0
        guard let goroutine = goroutines[g], goroutine.onProc != Self.noProc else { return }
        goroutines.pointer(g)?.pointee.onProc = Self.noProc
        goroutines.pointer(g)?.pointee.status = W.GoroutineStatus.runnable
        emitter.emit(.taskYield, proc: goroutine.onProc, task: g)
    }

    mutating func start(_ g: UInt64, seq: UInt64, _ generation: UInt64, _ slot: Int, _ emitter: inout Emitter) {
        let p = threads[slot].proc
        if let goroutine = goroutines.pointer(g) {
            goroutine.pointee.status = W.GoroutineStatus.running
            goroutine.pointee.seq = seq
            goroutine.pointee.seqGeneration = generation
            goroutine.pointee.onProc = p
            goroutine.pointee.parkedInSyscall = false
        }
        threads[slot].goroutine = g
        emitter.emit(.taskStart, proc: p, task: g)
    }

    mutating func goStatus(_ cursor: Cursor, _ context: GenerationContext, _ slot: Int,
                           _ emitter: inout Emitter, _ report: inout GoImportReport) {
        let g = cursor.a1
        let owner = cursor.a2
        let status = UInt8(truncatingIfNeeded: cursor.a3)
        let generation = context.number
        if var goroutine = goroutines[g] {
            if goroutine.status != status {
                inconsistent(cursor, context, &report, "GoStatus says goroutine \(g) is \(goStatusName(status)), but it was \(goStatusName(goroutine.status))")
                goroutine.status = status
            }
            goroutine.seq = 0
            goroutine.seqGeneration = generation
            goroutines[g] = goroutine
        } else {
            if generation != initialGeneration {
                inconsistent(cursor, context, &report, "GoStatus for goroutine \(g), never created, after the first generation")
            }
            // A goroutine that existed before the trace: its start function is the outermost
            // frame of the stack GoStatusStack carries, if any.
            // Goroutine 1 is the main goroutine: the runtime creates it first, with
            // runtime.main as its start function (runtime/proc.go, rt0_go → newproc).
            var label = g == 1 ? Label(name: mainStart, isRuntime: false)
                : Label(name: unknownStart, isRuntime: systemGoroutines.contains(g))
            var stack: ArraySlice<UInt64>?
            if cursor.type == W.goStatusStack, let frames = context.generation.stackFunctionIDs(cursor.a4), let outer = frames.last {
                stack = frames
                // (Interned first: the call's `self` would otherwise be read before the string exists.)
                let name = goString(outer, context, cursor, &report)
                label = classify(name)
            }
            goroutines[g] = Goroutine(status: status, seqGeneration: generation)
            emitter.emit(.taskCreate, proc: threads[slot].proc, task: g, 0, UInt64(label.name.rawValue),
                         flags: label.isRuntime ? Event.Flags.runtimeTask : 0)
            switch status {
            case W.GoroutineStatus.running:
                goroutines.pointer(g)?.pointee.onProc = threads[slot].proc
                emitter.emit(.taskStart, proc: threads[slot].proc, task: g)
            case W.GoroutineStatus.waiting:
                emitter.emit(.taskPark, proc: Self.noProc, task: g,
                             UInt64(waitReason(stack, context, cursor, &report).rawValue))
            case W.GoroutineStatus.syscall:
                let holder = owner == cursor.thread ? slot : self.slot(for: owner)
                let p = threads[holder].proc
                if p != Self.noProc {
                    goroutines.pointer(g)?.pointee.onProc = p
                    emitter.emit(.taskStart, proc: p, task: g)
                } else {
                    goroutines.pointer(g)?.pointee.parkedInSyscall = true
                    emitter.emit(.taskPark, proc: Self.noProc, task: g, UInt64(syscallReason.rawValue))
                }
            default:
                break
            }
        }
        switch status {
        case W.GoroutineStatus.running:
            threads[slot].goroutine = g
        case W.GoroutineStatus.syscall where owner != W.noThread:
            threads[owner == cursor.thread ? slot : self.slot(for: owner)].goroutine = g
        default:
            break
        }
    }

    /// Why a goroutine found waiting at the trace start waits, from the functions on its
    /// stack (status events carry no reason): the same words Go's GoBlock reasons use.
    mutating func waitReason(_ stack: ArraySlice<UInt64>?, _ context: GenerationContext, _ cursor: Cursor,
                             _ report: inout GoImportReport) -> StringID {
        guard let stack else { return unknownWait }
        for function in stack {
            guard let name = context.generation.string(function, context.buffer) else { continue }
            let reason: String? = switch name {
            case "runtime.chanrecv", "runtime.chanrecv1", "runtime.chanrecv2": "chan receive"
            case "runtime.chansend", "runtime.chansend1": "chan send"
            case "runtime.selectgo", "runtime.block": name == "runtime.block" ? "forever" : "select"
            case "time.Sleep": "sleep"
            case "sync.(*Cond).Wait": "sync.(*Cond).Wait"
            case "sync.(*Mutex).Lock", "sync.(*RWMutex).Lock", "sync.(*RWMutex).RLock", "sync.(*WaitGroup).Wait",
                 "internal/sync.(*Mutex).lockSlow": "sync"
            case "internal/poll.runtime_pollWait": "network"
            default: nil
            }
            if let reason { return intern(reason) }
        }
        return unknownWait
    }

    mutating func creationLabel(_ stack: UInt64, _ context: GenerationContext, _ report: inout GoImportReport) -> Label {
        if let label = labelCache[stack] { return label }
        var label = Label(name: unknownStart, isRuntime: false)
        // GoCreate's new_stack is one frame: the start function (runtime/traceruntime.go GoCreate).
        if stack != 0, let frames = context.generation.stackFunctionIDs(stack), let first = frames.first,
           let name = context.generation.string(first, context.buffer) {
            let id = intern(name)
            label = classify(id)
        } else if stack != 0 {
            report.record(GoImportDiagnostic(
                .unknownReference, severity: .info, byteOffset: context.generation.startOffset,
                "stack \(stack) (a goroutine's start function) is not in generation \(context.number)'s stack table"))
        }
        labelCache[stack] = label
        return label
    }

    /// Whether a start function makes the goroutine the runtime's own (Go's
    /// isSystemGoroutine: runtime functions other than runtime.main; and the tracer's).
    func classify(_ name: StringID) -> Label {
        let text = strings[name]
        let isRuntime = (text.hasPrefix("runtime.") && text != "runtime.main" && text != "runtime.handleAsyncEvent")
            || text.hasPrefix("runtime/trace.")
        return Label(name: name, isRuntime: isRuntime)
    }

    mutating func goString(_ id: UInt64, _ context: GenerationContext, _ cursor: Cursor,
                           _ report: inout GoImportReport) -> StringID {
        let dense = id < UInt64(Self.denseCacheSize)
        if dense {
            let cached = denseStringCache[Int(id)]
            if cached != .empty { return cached }
        } else if let cached = stringCache[id] {
            return cached
        }
        let result: StringID
        if let text = context.generation.string(id, context.buffer) {
            result = intern(text)
        } else {
            report.record(GoImportDiagnostic(
                .unknownReference, severity: .warning, byteOffset: context.buffer.fileOffset(cursor.eventStart),
                "\(GoWire.name(cursor.type)) refers to string \(id), which generation \(context.number) does not define"))
            result = intern("<go string \(id)?>")
        }
        if dense { denseStringCache[Int(id)] = result } else { stringCache[id] = result }
        return result
    }

    mutating func isPreempted(_ reason: UInt64, _ context: GenerationContext) -> Bool {
        let dense = reason < UInt64(Self.denseCacheSize)
        if dense {
            let cached = densePreemptedCache[Int(reason)]
            if cached >= 0 { return cached == 1 }
        } else if let cached = preemptedCache[reason] {
            return cached
        }
        let value = context.generation.string(reason, context.buffer) == "preempted"
        if dense { densePreemptedCache[Int(reason)] = value ? 1 : 0 } else { preemptedCache[reason] = value }
        return value
    }

    func inconsistent(_ cursor: Cursor, _ context: GenerationContext, _ report: inout GoImportReport, _ message: String) {
        report.record(GoImportDiagnostic(
            .inconsistentState, severity: .warning, byteOffset: context.buffer.fileOffset(cursor.eventStart), message))
    }

    func goStatusName(_ status: UInt8) -> String {
        ["bad", "runnable", "running", "syscall", "waiting"].indices.contains(Int(status))
            ? ["bad", "runnable", "running", "syscall", "waiting"][Int(status)] : "status \(status)"
    }

    func procStatusName(_ status: UInt8) -> String {
        ["bad", "running", "idle", "syscall", "syscall-abandoned"].indices.contains(Int(status))
            ? ["bad", "running", "idle", "syscall", "syscall-abandoned"][Int(status)] : "status \(status)"
    }
}

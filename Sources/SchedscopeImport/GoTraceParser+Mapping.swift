import SchedscopeModel

// What each Go event does to the parser's state and which DESIGN.md §4 events it becomes
// (docs/IMPORT-GO.md has the same table in prose). `advance` returns false, changing
// nothing, when the event may not happen yet (a sequence number or state another M has
// not reached); `force` applies it regardless, after the ordering has stalled.
extension GoTraceParser {
    typealias W = GoWire
    static let noProc = ProcID.none.rawValue

    mutating func advance(_ cursor: inout Cursor, _ context: GenerationContext, _ sink: GoEventSink,
                          _ report: inout GoImportReport, force: Bool) -> Bool {
        var now = context.nanoseconds(cursor.eventTicks)
        now = now > context.start ? now - context.start : 0
        // Strictly increasing, as Go's reader makes them: events of different threads
        // never tie, so every later reader (the .sctrace merge included) keeps this order.
        if now <= lastTimestamp && emittedAny { now = lastTimestamp + 1 }
        var emitter = Emitter(
            buffer: sink.buffer, fill: sink.fill, timestamp: now,
            thread: ThreadID(cursor.thread == W.noThread ? 0 : cursor.thread))
        defer {
            if emitter.emitted {
                lastTimestamp = emitter.timestamp - 1
                emittedAny = true
            }
        }
        let generation = context.number
        let slot = cursor.threadSlot
        let thread = threads[slot]

        switch cursor.type {
        // MARK: Ps
        case W.procStatus:
            guard let p = procIndex(cursor.a1, cursor, context, &report) else { return true }
            let status = UInt8(truncatingIfNeeded: cursor.a2)
            var proc = procs[p]
            if proc.known {
                let compatible = proc.status == status
                    || (status == W.ProcStatus.syscallAbandoned && proc.status == W.ProcStatus.syscall)
                if !compatible {
                    inconsistent(cursor, context, &report, "ProcStatus says P \(p) is \(procStatusName(status)), but it was \(procStatusName(proc.status))")
                }
            } else {
                proc.known = true
            }
            proc.status = status
            proc.seq = 0
            proc.seqGeneration = generation
            if status == W.ProcStatus.running || status == W.ProcStatus.syscall {
                // This M holds the P now; no other M does (status events come once per
                // generation, so the search is rare).
                for other in threads.indices where other != slot && threads[other].proc == UInt32(p) {
                    threads[other].proc = Self.noProc
                }
                threads[slot].proc = UInt32(p)
                if !proc.started {
                    proc.started = true
                    emitter.emit(.procStart, proc: UInt32(p))
                }
            }
            procs[p] = proc

        case W.procStart:
            guard let p = procIndex(cursor.a1, cursor, context, &report) else { return true }
            let proc = procs[p]
            guard force || (proc.known && proc.status == W.ProcStatus.idle && Self.succeeds(proc.seq, proc.seqGeneration, cursor.a2, generation)
                && thread.proc == Self.noProc) else { return false }
            if thread.proc != Self.noProc { stopProc(slot, &emitter) }
            procs[p].known = true
            procs[p].status = W.ProcStatus.running
            procs[p].seq = cursor.a2
            procs[p].seqGeneration = generation
            threads[slot].proc = UInt32(p)
            if !procs[p].started {
                procs[p].started = true
                emitter.emit(.procStart, proc: UInt32(p))
            }

        case W.procStop:
            guard thread.proc != Self.noProc else {
                inconsistent(cursor, context, &report, "ProcStop on M \(cursor.thread), which holds no P")
                return true
            }
            procs[Int(thread.proc)].status = W.ProcStatus.idle
            stopProc(slot, &emitter)

        case W.procSteal:
            // A P retaken from an M blocked in a syscall (sysmon, or a stop-the-world), not
            // work stealing: the syscalling goroutine stops occupying the P.
            guard let p = procIndex(cursor.a1, cursor, context, &report) else { return true }
            let proc = procs[p]
            guard force || (proc.known && (proc.status == W.ProcStatus.syscall || proc.status == W.ProcStatus.syscallAbandoned)
                && Self.succeeds(proc.seq, proc.seqGeneration, cursor.a2, generation)) else { return false }
            let wasAbandoned = proc.status == W.ProcStatus.syscallAbandoned
            procs[p].status = W.ProcStatus.idle
            procs[p].seq = cursor.a2
            procs[p].seqGeneration = generation
            if wasAbandoned {
                // Abandoned by an M that went into a syscall before this generation: that M,
                // if our state still gives it the P, lets go of it now.
                if let holder = threads.indices.first(where: { threads[$0].proc == UInt32(p) }) { stopProc(holder, &emitter) }
                return true
            }
            let victim = self.slot(for: cursor.a3)
            guard threads[victim].proc == UInt32(p) else {
                inconsistent(cursor, context, &report, "ProcSteal of P \(p) from M \(cursor.a3), which does not hold it")
                return true
            }
            stopProc(victim, &emitter)

        // MARK: Goroutines
        case W.goCreate, W.goCreateBlocked:
            let blocked = cursor.type == W.goCreateBlocked
            if goroutines[cursor.a1] != nil {
                inconsistent(cursor, context, &report, "GoCreate of goroutine \(cursor.a1), which exists")
            }
            goroutines[cursor.a1] = Goroutine(
                status: blocked ? W.GoroutineStatus.waiting : W.GoroutineStatus.runnable, seqGeneration: generation)
            let label = creationLabel(cursor.a2, context, &report)
            emitter.emit(.taskCreate, proc: thread.proc, task: cursor.a1, thread.goroutine, UInt64(label.name.rawValue),
                         flags: label.isRuntime ? Event.Flags.runtimeTask : 0)
            if blocked { emitter.emit(.taskPark, proc: Self.noProc, task: cursor.a1, UInt64(createdBlockedReason.rawValue)) }

        case W.goCreateSyscall:
            // A goroutine made for a C thread calling into Go: it starts in a syscall, without a P.
            goroutines[cursor.a1] = Goroutine(status: W.GoroutineStatus.syscall, seqGeneration: generation, parkedInSyscall: true)
            threads[slot].goroutine = cursor.a1
            emitter.emit(.taskCreate, proc: thread.proc, task: cursor.a1, 0, UInt64(cgoStart.rawValue))
            emitter.emit(.taskPark, proc: Self.noProc, task: cursor.a1, UInt64(syscallReason.rawValue))

        case W.goStart:
            let g = cursor.a1
            guard let goroutine = goroutines.pointer(g) else {
                if force { inconsistent(cursor, context, &report, "GoStart of unknown goroutine \(g)") }
                return force
            }
            guard force || (goroutine.pointee.status == W.GoroutineStatus.runnable
                && Self.succeeds(goroutine.pointee.seq, goroutine.pointee.seqGeneration, cursor.a2, generation)) else { return false }
            if thread.goroutine != 0 { stopGoroutine(slot, &emitter) }
            start(g, seq: cursor.a2, generation, slot, &emitter)

        case W.goStop, W.goBlock, W.goDestroy:
            let g = thread.goroutine
            guard g != 0, let goroutine = goroutines.pointer(g), goroutine.pointee.status == W.GoroutineStatus.running else {
                inconsistent(cursor, context, &report, "\(GoWire.name(cursor.type)) on M \(cursor.thread), which runs no goroutine")
                threads[slot].goroutine = 0
                return true
            }
            let proc = goroutine.pointee.onProc
            goroutine.pointee.onProc = Self.noProc
            threads[slot].goroutine = 0
            switch cursor.type {
            case W.goStop:
                goroutine.pointee.status = W.GoroutineStatus.runnable
                emitter.emit(isPreempted(cursor.a1, context) ? .taskPreempt : .taskYield, proc: proc, task: g)
            case W.goBlock:
                goroutine.pointee.status = W.GoroutineStatus.waiting
                emitter.emit(.taskPark, proc: proc, task: g, UInt64(goString(cursor.a1, context, cursor, &report).rawValue))
            default:
                goroutines[g] = nil
                emitter.emit(.taskEnd, proc: proc, task: g)
            }

        case W.goUnblock:
            let g = cursor.a1
            guard let goroutine = goroutines.pointer(g) else {
                if force { inconsistent(cursor, context, &report, "GoUnblock of unknown goroutine \(g)") }
                return force
            }
            guard force || (goroutine.pointee.status == W.GoroutineStatus.waiting
                && Self.succeeds(goroutine.pointee.seq, goroutine.pointee.seqGeneration, cursor.a2, generation)) else { return false }
            goroutine.pointee.status = W.GoroutineStatus.runnable
            goroutine.pointee.seq = cursor.a2
            goroutine.pointee.seqGeneration = generation
            emitter.emit(.taskUnpark, proc: thread.proc, task: g, thread.goroutine)

        case W.goSwitch, W.goSwitchDestroy:
            // Coroutine switch (iter.Pull): the running goroutine hands its M to a waiting one.
            let next = cursor.a1
            guard let nextState = goroutines[next] else {
                if force { inconsistent(cursor, context, &report, "GoSwitch to unknown goroutine \(next)") }
                return force
            }
            guard force || (nextState.status == W.GoroutineStatus.waiting
                && Self.succeeds(nextState.seq, nextState.seqGeneration, cursor.a2, generation)) else { return false }
            let current = thread.goroutine
            if current != 0, let state = goroutines[current] {
                if cursor.type == W.goSwitch {
                    goroutines.pointer(current)?.pointee.status = W.GoroutineStatus.waiting
                    goroutines.pointer(current)?.pointee.onProc = Self.noProc
                    emitter.emit(.taskPark, proc: state.onProc, task: current, UInt64(switchReason.rawValue))
                } else {
                    goroutines[current] = nil
                    emitter.emit(.taskEnd, proc: state.onProc, task: current)
                }
            }
            threads[slot].goroutine = 0
            emitter.emit(.taskUnpark, proc: thread.proc, task: next, current)
            start(next, seq: cursor.a2, generation, slot, &emitter)

        case W.goSyscallBegin:
            // The goroutine keeps its P while in the syscall; nothing is emitted unless the P
            // is retaken (ProcSteal) or released (ProcStop).
            let g = thread.goroutine
            guard g != 0, goroutines[g] != nil, thread.proc != Self.noProc else {
                inconsistent(cursor, context, &report, "GoSyscallBegin on M \(cursor.thread) without a running goroutine and a P")
                return true
            }
            goroutines.pointer(g)?.pointee.status = W.GoroutineStatus.syscall
            let p = Int(thread.proc)
            procs[p].status = W.ProcStatus.syscall
            if !Self.succeeds(procs[p].seq, procs[p].seqGeneration, cursor.a1, generation) {
                inconsistent(cursor, context, &report, "GoSyscallBegin's P sequence number \(cursor.a1) does not follow P \(p)'s \(procs[p].seq)")
            }
            procs[p].seq = cursor.a1
            procs[p].seqGeneration = generation

        case W.goSyscallEnd:
            let g = thread.goroutine
            guard g != 0, let goroutine = goroutines[g] else {
                inconsistent(cursor, context, &report, "GoSyscallEnd on M \(cursor.thread), which runs no goroutine")
                return true
            }
            goroutines.pointer(g)?.pointee.status = W.GoroutineStatus.running
            if thread.proc != Self.noProc { procs[Int(thread.proc)].status = W.ProcStatus.running }
            if goroutine.parkedInSyscall || goroutine.onProc == Self.noProc {
                // Our output had it off its P: it runs again.
                goroutines.pointer(g)?.pointee.parkedInSyscall = false
                emitter.emit(.taskUnpark, proc: thread.proc, task: g)
                emitter.emit(.taskStart, proc: thread.proc, task: g)
                goroutines.pointer(g)?.pointee.onProc = thread.proc
            }

        case W.goSyscallEndBlocked:
            // Back from a syscall that lost its P: the goroutine waits for one (runnable).
            if !force, thread.proc != Self.noProc, procs[Int(thread.proc)].status == W.ProcStatus.syscall { return false }
            let g = thread.goroutine
            guard g != 0, let goroutine = goroutines[g] else {
                inconsistent(cursor, context, &report, "GoSyscallEndBlocked on M \(cursor.thread), which runs no goroutine")
                return true
            }
            if goroutine.onProc != Self.noProc {
                emitter.emit(.taskPark, proc: goroutine.onProc, task: g, UInt64(syscallReason.rawValue))
            }
            goroutines.pointer(g)?.pointee.status = W.GoroutineStatus.runnable
            goroutines.pointer(g)?.pointee.onProc = Self.noProc
            goroutines.pointer(g)?.pointee.parkedInSyscall = false
            threads[slot].goroutine = 0
            emitter.emit(.taskUnpark, proc: thread.proc, task: g)

        case W.goDestroySyscall:
            let g = thread.goroutine
            if g != 0, let goroutine = goroutines[g] {
                goroutines[g] = nil
                emitter.emit(.taskEnd, proc: goroutine.onProc, task: g)
            }
            threads[slot].goroutine = 0
            if thread.proc != Self.noProc {
                procs[Int(thread.proc)].status = W.ProcStatus.syscallAbandoned
                stopProc(slot, &emitter)
            }

        case W.goStatus, W.goStatusStack:
            goStatus(cursor, context, slot, &emitter, &report)

        // MARK: GC and stop-the-world
        case W.stwBegin:
            let reason = goString(cursor.a1, context, cursor, &report)
            threads[slot].pauseReason = reason
            emitter.emit(.gcPauseBegin, proc: thread.proc, task: thread.goroutine, UInt64(reason.rawValue))
        case W.stwEnd:
            let reason = thread.pauseReason == .empty ? stopTheWorld : thread.pauseReason
            threads[slot].pauseReason = .empty
            emitter.emit(.gcPauseEnd, proc: thread.proc, task: thread.goroutine, UInt64(reason.rawValue))
        case W.gcActive:
            if generation == initialGeneration && gcState == .undetermined {
                gcState = .running
                gcSeq = cursor.a1
                gcCycle += 1
                emitter.emit(.gcBegin, proc: thread.proc, task: thread.goroutine, gcCycle)
                return true
            }
            guard force || cursor.a1 == gcSeq &+ 1 else { return false }
            gcSeq = cursor.a1
        case W.gcBegin:
            guard force || gcState == .undetermined || cursor.a1 == gcSeq &+ 1 else { return false }
            if gcState == .running {
                inconsistent(cursor, context, &report, "GCBegin while a collection is in progress")
            }
            gcSeq = cursor.a1
            gcState = .running
            gcCycle += 1
            emitter.emit(.gcBegin, proc: thread.proc, task: thread.goroutine, gcCycle)
        case W.gcEnd:
            guard force || cursor.a1 == gcSeq &+ 1 else { return false }
            gcSeq = cursor.a1
            if gcState == .running {
                emitter.emit(.gcEnd, proc: thread.proc, task: thread.goroutine, gcCycle)
            } else {
                inconsistent(cursor, context, &report, "GCEnd without a collection in progress")
            }
            gcState = .notRunning

        // MARK: Annotations
        case W.userRegionBegin, W.userRegionEnd:
            let name = goString(cursor.a2, context, cursor, &report)
            emitter.emit(cursor.type == W.userRegionBegin ? .regionBegin : .regionEnd,
                         proc: thread.proc, task: thread.goroutine, UInt64(name.rawValue))
        case W.userTaskBegin:
            // A user task spans goroutines: it becomes a process-wide region (no task of its own).
            let name = goString(cursor.a3, context, cursor, &report)
            userTasks[cursor.a1] = name
            emitter.emit(.regionBegin, proc: thread.proc, task: 0, UInt64(name.rawValue))
        case W.userTaskEnd:
            if let name = userTasks.removeValue(forKey: cursor.a1) {
                emitter.emit(.regionEnd, proc: thread.proc, task: 0, UInt64(name.rawValue))
            }
        case W.userLog:
            let key = goString(cursor.a2, context, cursor, &report)
            let value = goString(cursor.a3, context, cursor, &report)
            emitter.emit(.log, proc: thread.proc, task: thread.goroutine, UInt64(key.rawValue), UInt64(value.rawValue))

        default:
            // ProcsChange, HeapAlloc, HeapGoal, GoLabel, sweep and mark-assist ranges,
            // allocation experiment events: no counterpart in the vocabulary.
            report.droppedByType[Int(cursor.type)] += 1
        }
        return true
    }
}

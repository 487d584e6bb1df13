import SchedscopeFormat
import SchedscopeModel

/// The engine behind `SyntheticWorkload`: Ps, run queues, tasks and a clock driven by an
/// action queue. Every event is written at the simulated time it happens, and each
/// thread's timestamps never go backwards.
final class SchedulerSimulation {
    private struct Proc {
        let thread: ThreadID
        var runnext = TaskID.none
        var runQueue = TaskQueue()
        var running = TaskID.none
        var runningSince: UInt64 = 0
        var idle = false
        /// Bumped whenever the running slice is cut short, so a stale `sliceEnd` is ignored.
        var epoch: UInt64 = 0
        /// A `procSchedule` is pending, so no second one is queued.
        var schedulePending = false
        /// The thread's last timestamp: events on it never go backwards.
        var lastEmitted: UInt64 = 0
    }

    private enum Role { case root, child, grandchild }

    private struct TaskState {
        var label: StringID
        var parent: TaskID
        var role: Role
        var test: Int
        var remainingSlices: Int
        var spawnsPending: Int
        var childrenAlive = 0
        var waitingForChildren = false
        var started = false
        /// Parks forever at its last slice, with this label (nil: ends normally).
        var leakLabel: String?
        var createdAt: UInt64
        /// When it last became runnable: it cannot start earlier, even on another P.
        var runnableAt: UInt64 = 0
    }

    private let workload: SyntheticWorkload
    private let writer: TraceWriter
    private(set) var truth = SyntheticTruth()
    private var random: SeededGenerator
    private var actions = ActionQueue()
    private var procs: [Proc]
    private var tasks: [TaskID: TaskState] = [:]
    private var globalQueue = TaskQueue()
    private var nextTaskID: UInt64 = 1
    private var testsStarted = 0
    private var testsRunning = 0
    private var stopTheWorldUntil: UInt64 = 0
    private var gcCycle: UInt64 = 0
    /// A GC cycle is scheduled or under way (at most one at a time).
    private var gcScheduled = false
    private let gcThread: ThreadID
    private var gcThreadLastEmitted: UInt64 = 0
    /// The thread that holds no P and stands for the test runner and the timer wheel: it
    /// creates test root tasks and wakes sleepers.
    private let driverThread: ThreadID
    private var driverLastEmitted: UInt64 = 0
    private var eventsAtGenerationStart: UInt64 = 0
    private var maxEmitted: UInt64 = 0

    // Interned strings.
    private let rootLabel: StringID
    private let childLabels: [StringID]
    private let grandchildLabel: StringID
    private let leakyLabel: StringID
    private let extraLeakLabel: StringID
    private let parkReasons: [(StringID, weight: Int)]
    private let leakReason: StringID
    private let childWaitReason: StringID
    private let sleepReason: StringID
    private let testNames: [StringID]
    private let testNameTexts: [String]
    private let sweepTermination: StringID
    private let markTermination: StringID

    /// Distinct test names; repeated names stand for repeated runs of the same tests.
    private static let distinctTests = 96
    private static let quantum: UInt64 = 10_000_000
    private static let runQueueCapacity = 256

    init(workload: SyntheticWorkload, writer: TraceWriter) {
        self.workload = workload
        self.writer = writer
        random = SeededGenerator(seed: workload.seed)
        procs = (0..<workload.procs).map { Proc(thread: ThreadID(rawValue: UInt64($0) + 1)) }
        gcThread = ThreadID(rawValue: UInt64(workload.procs) + 1)
        driverThread = ThreadID(rawValue: UInt64(workload.procs) + 2)
        rootLabel = writer.intern("XCTestCase.invokeTest")
        childLabels = ["Fetcher.fetch()", "Parser.parse(_:)", "Cache.refresh()", "Handler.handle(request:)"]
            .map(writer.intern)
        grandchildLabel = writer.intern("withTaskGroup child")
        leakyLabel = writer.intern("Subscriber.listen()")
        extraLeakLabel = writer.intern(workload.extraLeakLabel)
        sleepReason = writer.intern("sleep")
        parkReasons = [
            (writer.intern("channel receive"), 40), (writer.intern("mutex"), 15),
            (sleepReason, 20), (writer.intern("continuation"), 25),
        ]
        leakReason = writer.intern("channel receive")
        childWaitReason = writer.intern("task group")
        let suites = ["ParserTests", "CacheTests", "NetworkTests", "SchedulerTests"]
        testNameTexts = (0..<Self.distinctTests).map { "\(suites[$0 % suites.count])/test\($0 / suites.count)" }
        testNames = testNameTexts.map(writer.intern)
        sweepTermination = writer.intern("GC sweep termination")
        markTermination = writer.intern("GC mark termination")
        truth.busyNanoseconds = Array(repeating: 0, count: workload.procs)
        truth.tasksRun = Array(repeating: 0, count: workload.procs)
        truth.stealsIn = Array(repeating: 0, count: workload.procs)
        truth.stealsOut = Array(repeating: 0, count: workload.procs)
    }

    // MARK: - Driving

    func run() throws(TraceFormatError) {
        for p in procs.indices {
            try emit(p, .procStart, at: 0, proc: p)
            scheduleProc(p, at: 100)
        }
        for _ in 0..<(2 * procs.count) where mayStartTest {
            actions.schedule(.startTest, at: 0, value: UInt64(testsStarted))
            testsStarted += 1
            testsRunning += 1
        }
        while let action = actions.pop() {
            try perform(action)
            try maybeEndGeneration()
        }
        for p in procs.indices where !procs[p].idle {
            try emit(p, .procStop, at: procs[p].lastEmitted, proc: p)
        }
        truth.endTimestamp = maxEmitted
    }

    private var mayStartTest: Bool {
        if let limit = workload.taskLimit, truth.tasksCreated >= limit { return false }
        if let limit = workload.eventLimit, truth.events >= limit { return false }
        if let limit = workload.testLimit, testsStarted >= limit { return false }
        return true
    }

    private func perform(_ action: SimulationAction) throws(TraceFormatError) {
        let now = action.time
        switch action.kind {
        case .startTest:
            try startTest(Int(action.value), at: now)
        case .procSchedule:
            procs[action.proc].schedulePending = false
            if now < stopTheWorldUntil {
                scheduleProc(action.proc, at: stopTheWorldUntil)
            } else {
                try schedule(action.proc, at: now)
            }
        case .sliceEnd:
            guard procs[action.proc].epoch == action.value, procs[action.proc].running.isSome else { return }
            try endSlice(action.proc, at: now)
        case .wake:
            if now < stopTheWorldUntil {
                actions.schedule(.wake, at: stopTheWorldUntil, value: action.value)
            } else {
                try wake(TaskID(rawValue: action.value), at: now)
            }
        case .gcStart:
            try beginPause(cycleStart: true, at: now)
        case .gcPauseEnd:
            try endPause(phase: action.value, at: now)
        case .gcMarkTermination:
            try beginPause(cycleStart: false, at: now)
        }
    }

    /// Ends a generation once enough events were written and no thread is ahead of the clock
    /// (so every event of the next generation is later than every event of this one).
    private func maybeEndGeneration() throws(TraceFormatError) {
        guard truth.events - eventsAtGenerationStart >= workload.generationEvents else { return }
        guard let next = actions.nextTime, next >= maxEmitted else { return }
        try writer.endGeneration()
        eventsAtGenerationStart = truth.events
    }

    // MARK: - Tests and tasks

    private func startTest(_ test: Int, at now: UInt64) throws(TraceFormatError) {
        let p = test % procs.count
        let children = Int(random.logUniform(2...32))
        let root = TaskID(rawValue: nextTaskID)
        nextTaskID += 1
        let at = max(now, driverLastEmitted)
        tasks[root] = TaskState(
            label: rootLabel, parent: .none, role: .root, test: test, remainingSlices: 1,
            spawnsPending: children, createdAt: at, runnableAt: at)
        try emitOffProc(Event(kind: .taskCreate, timestamp: at, thread: driverThread, task: root, argument2: UInt64(rootLabel.rawValue)))
        truth.tasksCreated += 1
        try enqueue(root, on: p, at: at)
        if !gcScheduled && workload.gcInterval > 0 {
            gcScheduled = true
            actions.schedule(.gcStart, at: now + workload.gcInterval / 2 + random.next() % workload.gcInterval)
        }
    }

    @discardableResult
    private func createTask(
        on p: Int, at time: UInt64, label: StringID, role: Role, test: Int, slices: Int, spawns: Int,
        parent: TaskID = .none
    ) throws(TraceFormatError) -> TaskID {
        let task = TaskID(rawValue: nextTaskID)
        nextTaskID += 1
        let at = max(time, procs[p].lastEmitted)
        tasks[task] = TaskState(
            label: label, parent: parent, role: role, test: test, remainingSlices: slices,
            spawnsPending: spawns, createdAt: at, runnableAt: at)
        let event = Event(
            kind: .taskCreate, timestamp: at, thread: procs[p].thread, proc: procs[p].idle ? .none : ProcID(UInt32(p)),
            task: task, argument1: parent.rawValue, argument2: UInt64(label.rawValue))
        try append(event, on: p)
        truth.tasksCreated += 1
        if parent.isSome { tasks[parent]?.childrenAlive += 1 }
        try enqueue(task, on: p, at: at)
        return task
    }

    /// Puts a runnable task on P's local queue (half the queue spills to the global queue
    /// when full, as Go's runqput does) and makes sure some P will run it.
    private func enqueue(_ task: TaskID, on p: Int, at time: UInt64, next: Bool = false) throws(TraceFormatError) {
        if next {
            if procs[p].runnext.isSome { pushLocal(procs[p].runnext, on: p) }
            procs[p].runnext = task
        } else {
            pushLocal(task, on: p)
        }
        if procs[p].idle {
            try restart(p, at: time)
        } else if let idle = procs.indices.first(where: { procs[$0].idle }) {
            // Like Go's wakep: an idle P comes up to steal the new work.
            try restart(idle, at: time + 1_000)
        }
    }

    private func pushLocal(_ task: TaskID, on p: Int) {
        if procs[p].runQueue.count >= Self.runQueueCapacity {
            for _ in 0..<(Self.runQueueCapacity / 2) {
                if let moved = procs[p].runQueue.popFront() { globalQueue.pushBack(moved) }
            }
        }
        procs[p].runQueue.pushBack(task)
    }

    private func restart(_ p: Int, at time: UInt64) throws(TraceFormatError) {
        guard procs[p].idle else { return }
        procs[p].idle = false
        let at = max(time, stopTheWorldUntil)
        try emit(p, .procStart, at: at, proc: p)
        scheduleProc(p, at: at + 200)
    }

    private func scheduleProc(_ p: Int, at time: UInt64) {
        guard !procs[p].schedulePending else { return }
        procs[p].schedulePending = true
        actions.schedule(.procSchedule, at: time, proc: p)
    }

    // MARK: - Scheduling

    private func schedule(_ p: Int, at now: UInt64) throws(TraceFormatError) {
        guard !procs[p].idle, procs[p].running == .none else { return }
        if let starvation = workload.starvation, starvation.proc == p, now >= starvation.from, now < starvation.to {
            // Stuck: the P keeps its thread but takes no work until the window ends.
            scheduleProc(p, at: starvation.to)
            return
        }
        var task = TaskID.none
        if procs[p].runnext.isSome {
            task = procs[p].runnext
            procs[p].runnext = .none
        } else if let local = procs[p].runQueue.popFront() {
            task = local
        } else if let global = globalQueue.popFront() {
            task = global
        } else if let stolen = try steal(into: p, at: now) {
            task = stolen
        }
        guard task.isSome, var state = tasks[task] else {
            try emit(p, .procStop, at: now, proc: p)
            procs[p].idle = true
            return
        }
        let start = max(now, procs[p].lastEmitted, state.runnableAt) + 20 + random.next() % 280 + workload.extraStartDelay
        try emit(p, .taskStart, at: start, proc: p, task: task)
        truth.tasksRun[p] += 1
        procs[p].running = task
        procs[p].runningSince = start
        var clock = start
        if !state.started && state.role == .root {
            clock += 15
            try emit(p, .regionBegin, at: clock, proc: p, task: task, argument1: UInt64(testNames[state.test % testNames.count].rawValue))
            truth.regions.append(testNameTexts[state.test % testNameTexts.count])
        }
        state.started = true
        tasks[task] = state
        try spawnChildren(of: task, on: p, clock: &clock)

        // Mostly short async jobs, some longer, a few long enough to exhaust the quantum.
        let draw = random.next() % 1000
        let slice = draw < 800 ? random.logUniform(100...5_000)
            : draw < 995 ? random.logUniform(5_000...500_000) : random.logUniform(500_000...25_000_000)
        procs[p].epoch += 1
        actions.schedule(.sliceEnd, at: clock + min(slice, Self.quantum), proc: p, value: procs[p].epoch)
        if slice > Self.quantum { preemptAtSliceEnd.insert(task) }
    }

    /// Tasks whose current slice ends by quantum expiry.
    private var preemptAtSliceEnd = Set<TaskID>()

    private func spawnChildren(of task: TaskID, on p: Int, clock: inout UInt64) throws(TraceFormatError) {
        guard var state = tasks[task], state.spawnsPending > 0 else { return }
        let count = state.spawnsPending
        state.spawnsPending = 0
        tasks[task] = state
        let leakIndex = state.role == .root && workload.leakEvery > 0 && state.test % workload.leakEvery == workload.leakEvery - 1
            ? Int(random.next() % UInt64(count)) : -1
        // Chosen and labelled without changing the random draws, so the rest of the schedule
        // stays as it is without the knob (the task's own slices differ: it never ends).
        let extraLeakIndex = state.role == .root && state.test < workload.extraLeaks ? (leakIndex == 0 ? 1 : 0) : -1
        for i in 0..<count {
            clock += 30 + random.next() % 120
            let role: Role = state.role == .root ? .child : .grandchild
            var label = i == leakIndex ? leakyLabel
                : role == .child ? childLabels[Int(random.next() % UInt64(childLabels.count))] : grandchildLabel
            if i == extraLeakIndex { label = extraLeakLabel }
            let grandchildren = role == .child && random.chance(0.2) ? Int(random.logUniform(1...6)) : 0
            let child = try createTask(
                on: p, at: clock, label: label, role: role, test: state.test,
                slices: Int(random.logUniform(1...8)), spawns: grandchildren, parent: task)
            if i == leakIndex { tasks[child]?.leakLabel = "Subscriber.listen()" }
            if i == extraLeakIndex { tasks[child]?.leakLabel = workload.extraLeakLabel }
        }
    }

    private func steal(into p: Int, at now: UInt64) throws(TraceFormatError) -> TaskID? {
        let n = procs.count
        guard n > 1 else { return nil }
        let offset = Int(random.next() % UInt64(n))
        for k in 0..<n {
            let victim = (offset + k) % n
            guard victim != p, procs[victim].runQueue.count > 0 else { continue }
            let take = (procs[victim].runQueue.count + 1) / 2
            try emit(p, .procSteal, at: now, proc: p, argument1: UInt64(victim), argument2: UInt64(take))
            truth.stealsIn[p] += UInt64(take)
            truth.stealsOut[victim] += UInt64(take)
            var first = TaskID.none
            for _ in 0..<take {
                guard let task = procs[victim].runQueue.popFront() else { break }
                if first == .none { first = task } else { procs[p].runQueue.pushBack(task) }
            }
            return first
        }
        return nil
    }

    private func endSlice(_ p: Int, at now: UInt64) throws(TraceFormatError) {
        let task = procs[p].running
        guard var state = tasks[task] else { return }
        let at = max(now, procs[p].lastEmitted)
        if preemptAtSliceEnd.remove(task) != nil {
            try stop(p, .taskPreempt, at: at)
            globalQueue.pushBack(task)
        } else if state.remainingSlices > 1 {
            state.remainingSlices -= 1
            tasks[task] = state
            if random.chance(0.15) {
                try stop(p, .taskYield, at: at)
                pushLocal(task, on: p)
            } else {
                let reason = pickParkReason()
                try stop(p, .taskPark, at: at, argument1: UInt64(reason.rawValue))
                let wait = random.chance(0.95) ? random.logUniform(500...200_000) : random.logUniform(200_000...5_000_000)
                actions.schedule(.wake, at: at + wait, value: task.rawValue | (reason == sleepReason ? 1 << 63 : 0))
            }
        } else if state.role == .root {
            if state.childrenAlive > 0 {
                state.waitingForChildren = true
                tasks[task] = state
                try stop(p, .taskPark, at: at, argument1: UInt64(childWaitReason.rawValue))
            } else {
                try finishRoot(task, state, on: p, at: at)
            }
        } else if let leakLabel = state.leakLabel {
            // Like `wg.Done(); <-neverClosed`: tell the parent, then block forever.
            try childGone(state, by: task, on: p, at: at)
            let parkedAt = procs[p].lastEmitted
            try stop(p, .taskPark, at: parkedAt, argument1: UInt64(leakReason.rawValue))
            truth.leakedTasks.append(.init(
                task: task, label: leakLabel, reason: "channel receive",
                region: testNameTexts[state.test % testNameTexts.count], createdAt: state.createdAt, parkedAt: parkedAt))
        } else if state.childrenAlive > 0 {
            state.waitingForChildren = true
            tasks[task] = state
            try stop(p, .taskPark, at: at, argument1: UInt64(childWaitReason.rawValue))
        } else {
            try childGone(state, by: task, on: p, at: at)
            try stop(p, .taskEnd, at: max(at, procs[p].lastEmitted))
            tasks[task] = nil
            truth.tasksEnded += 1
        }
        scheduleProc(p, at: procs[p].lastEmitted + 10 + random.next() % 90)
    }

    /// A child has ended (or leaked): its parent may be waiting for it. Called while the
    /// child is still running, so the child is the waker.
    private func childGone(_ state: TaskState, by task: TaskID, on p: Int, at time: UInt64) throws(TraceFormatError) {
        guard var parent = tasks[state.parent] else { return }
        parent.childrenAlive -= 1
        tasks[state.parent] = parent
        if parent.childrenAlive == 0 && parent.waitingForChildren {
            tasks[state.parent]?.waitingForChildren = false
            // Not before the parent parked: each P keeps its own clock, and the parent's may
            // have run ahead of this one, so its park (`runnableAt`, set by `stop`) can be
            // later than this child's end (or equal: a tie goes to the lower thread id, so
            // one nanosecond after). Woken earlier, the parent was unparked before it
            // parked — and ran, and ended, before it started (`validate` caught it twice in
            // 10M events).
            try emit(p, .taskUnpark, at: max(time, parent.runnableAt + 1), proc: p, task: state.parent, argument1: task.rawValue)
            tasks[state.parent]?.runnableAt = procs[p].lastEmitted
            try enqueue(state.parent, on: p, at: time, next: true)
        }
    }

    private func finishRoot(_ task: TaskID, _ state: TaskState, on p: Int, at time: UInt64) throws(TraceFormatError) {
        try emit(p, .regionEnd, at: time, proc: p, task: task, argument1: UInt64(testNames[state.test % testNames.count].rawValue))
        try stop(p, .taskEnd, at: time)
        tasks[task] = nil
        truth.tasksEnded += 1
        testsRunning -= 1
        if mayStartTest {
            testsStarted += 1
            testsRunning += 1
            actions.schedule(.startTest, at: time + 500, value: UInt64(testsStarted))
        }
    }

    private func stop(_ p: Int, _ kind: EventKind, at time: UInt64, argument1: UInt64 = 0) throws(TraceFormatError) {
        let task = procs[p].running
        let at = max(time, procs[p].lastEmitted)
        try emit(p, kind, at: at, proc: p, task: task, argument1: argument1)
        tasks[task]?.runnableAt = at
        truth.busyNanoseconds[p] += at - procs[p].runningSince
        procs[p].running = .none
    }

    private func pickParkReason() -> StringID {
        let total = parkReasons.reduce(0) { $0 + $1.weight }
        var pick = Int(random.next() % UInt64(total))
        for (reason, weight) in parkReasons {
            if pick < weight { return reason }
            pick -= weight
        }
        return parkReasons[0].0
    }

    /// A parked task becomes runnable: a running task on some P (or a timer, for sleeps)
    /// wakes it onto that P, as Go's ready() puts the woken goroutine in runnext.
    private func wake(_ encoded: TaskID, at now: UInt64) throws(TraceFormatError) {
        let task = TaskID(rawValue: encoded.rawValue & ~(1 << 63))
        let byTimer = encoded.rawValue & (1 << 63) != 0
        guard tasks[task] != nil else { return }
        let busy = procs.indices.filter { procs[$0].running.isSome }
        let p = busy.isEmpty ? Int(random.next() % UInt64(procs.count)) : busy[Int(random.next() % UInt64(busy.count))]
        if byTimer {
            // The timer fires off any P; the sleeper joins the global queue.
            let at = max(now, driverLastEmitted)
            try emitOffProc(Event(kind: .taskUnpark, timestamp: at, thread: driverThread, task: task))
            tasks[task]?.runnableAt = at
            globalQueue.pushBack(task)
            if let idle = procs.indices.first(where: { procs[$0].idle }) { try restart(idle, at: at) }
            return
        }
        if procs[p].idle { try restart(p, at: now) }
        let at = max(now, procs[p].lastEmitted)
        try emit(p, .taskUnpark, at: at, proc: p, task: task, argument1: procs[p].running.rawValue)
        tasks[task]?.runnableAt = at
        try enqueue(task, on: p, at: at, next: true)
    }

    // MARK: - Garbage collection

    private func beginPause(cycleStart: Bool, at now: UInt64) throws(TraceFormatError) {
        // The world stops once every P has reached the request: no P's thread is ahead.
        let at = procs.reduce(max(now, gcThreadLastEmitted)) { max($0, $1.lastEmitted) }
        if cycleStart {
            gcCycle += 1
            truth.gcCycles += 1
            try emitGC(.gcBegin, at: at, argument1: gcCycle)
        }
        let reason = cycleStart ? sweepTermination : markTermination
        try emitGC(.gcPauseBegin, at: at, argument1: UInt64(reason.rawValue))
        var pause = random.logUniform(10_000...300_000)
        if random.chance(0.02) { pause = random.logUniform(1_000_000...5_000_000) }
        if workload.gcPauseScale != 1 { pause = UInt64((Double(pause) * workload.gcPauseScale).rounded()) }
        stopTheWorldUntil = at + pause
        for p in procs.indices where procs[p].running.isSome {
            procs[p].epoch += 1
            preemptAtSliceEnd.remove(procs[p].running)
            let task = procs[p].running
            try stop(p, .taskPreempt, at: at)
            globalQueue.pushBack(task)
        }
        truth.gcPauses.append(pause)
        actions.schedule(.gcPauseEnd, at: at + pause, value: cycleStart ? 0 : 1)
    }

    private func endPause(phase: UInt64, at now: UInt64) throws(TraceFormatError) {
        let reason = phase == 0 ? sweepTermination : markTermination
        try emitGC(.gcPauseEnd, at: now, argument1: UInt64(reason.rawValue))
        for p in procs.indices where !procs[p].idle {
            scheduleProc(p, at: now + 100)
        }
        if phase == 0 {
            actions.schedule(.gcMarkTermination, at: now + random.logUniform(200_000...2_000_000))
        } else {
            try emitGC(.gcEnd, at: now, argument1: gcCycle)
            gcScheduled = testsRunning > 0
            if gcScheduled {
                actions.schedule(.gcStart, at: now + workload.gcInterval / 2 + random.next() % workload.gcInterval)
            }
        }
    }

    // MARK: - Emitting

    private func emit(
        _ p: Int, _ kind: EventKind, at time: UInt64, proc: Int, task: TaskID? = nil,
        argument1: UInt64 = 0, argument2: UInt64 = 0
    ) throws(TraceFormatError) {
        let procID = kind == .procStart || !procs[p].idle ? ProcID(UInt32(proc)) : ProcID.none
        let subject = task ?? procs[p].running
        let event = Event(
            kind: kind, timestamp: max(time, procs[p].lastEmitted), thread: procs[p].thread, proc: procID,
            task: kind == .procStart || kind == .procStop || kind == .procSteal ? procs[p].running : subject,
            argument1: argument1, argument2: argument2)
        try append(event, on: p)
    }

    private func append(_ event: Event, on p: Int) throws(TraceFormatError) {
        try writer.append(event)
        procs[p].lastEmitted = event.timestamp
        record(event)
    }

    private func emitOffProc(_ event: Event) throws(TraceFormatError) {
        try writer.append(event)
        driverLastEmitted = event.timestamp
        record(event)
    }

    private func emitGC(_ kind: EventKind, at time: UInt64, argument1: UInt64) throws(TraceFormatError) {
        let at = max(time, gcThreadLastEmitted)
        let event = Event(kind: kind, timestamp: at, thread: gcThread, argument1: argument1)
        try writer.append(event)
        gcThreadLastEmitted = at
        record(event)
    }

    private func record(_ event: Event) {
        truth.events += 1
        truth.eventsByKind[event.kind, default: 0] += 1
        if event.timestamp > maxEmitted { maxEmitted = event.timestamp }
    }
}

import SchedscopeModel

/// One rule a trace breaks.
public struct Violation: Sendable, Equatable, CustomStringConvertible {
    public enum Rule: String, Sendable, CaseIterable {
        /// A thread's timestamps go backwards.
        case timeGoesBackwards = "time-goes-backwards"
        /// A task event that its current state does not allow (e.g. start while running).
        case illegalTransition = "illegal-transition"
        /// A task started on a P that is already running another task.
        case procBusy = "proc-busy"
        /// A P started twice, stopped while stopped, or used while stopped.
        case procState = "proc-state"
        /// A `*_end` without its `*_begin`, or a begin left open at the end.
        case unbalancedRange = "unbalanced-range"
        /// An event refers to a string id no strings chunk defined.
        case undefinedString = "undefined-string"
        /// A task id reused after its `task_end`, or created twice.
        case duplicateTask = "duplicate-task"
    }

    public var rule: Rule
    /// 0-based position of the event in the time-ordered stream.
    public var eventIndex: UInt64
    public var timestamp: UInt64
    public var thread: ThreadID
    public var message: String

    public var description: String {
        "event \(eventIndex) at \(timestamp) ns on thread \(thread): \(message) [\(rule.rawValue)]"
    }
}

/// Checks a trace against the scheduler state machine: monotonic time per thread, legal
/// task transitions, one task per P at a time, balanced ranges, defined strings.
///
/// Tasks first met in any state other than `task_create` are assumed to have existed
/// before the trace began (a recording may start mid-flight), and Ps likewise. Use after
/// `task_end` is caught for the 65,536 most recently ended tasks.
///
/// - Complexity: O(1) per event; memory grows with live tasks, Ps and threads.
public struct TraceValidator {
    /// `created`: runnable and never started, the one state a task may also park from (a
    /// task born blocked: Go's GoCreateBlocked, or a goroutine waiting when the trace starts).
    private enum TaskState: UInt8 { case runnable, running, parked, created }

    private var taskStates = IDMap<TaskID, TaskState>()
    private var runningOn = IDMap<TaskID, ProcID>()
    /// Recently ended tasks (bounded, so memory does not grow with the trace).
    private var endedTasks = RecentTaskSet(capacity: 1 << 16)
    private var procRunning = IDMap<ProcID, TaskID>(capacity: 16)
    private var procStarted = IDMap<ProcID, Bool>(capacity: 16)
    private var lastTimes = LastTimes()
    private var pauseOpen = false
    private var gcOpen: Set<UInt64> = []
    private var regions: [RegionKey: Int] = [:]
    private var index: UInt64 = 0
    /// Violations found (the first `maxRecorded`).
    public private(set) var violations: [Violation] = []
    /// Violations per rule, including those not recorded.
    public private(set) var countsByRule: [Violation.Rule: UInt64] = [:]
    public let maxRecorded: Int

    private struct RegionKey: Hashable {
        var task: TaskID
        var name: StringID
    }

    public init(maxRecorded: Int = 1000) { self.maxRecorded = maxRecorded }

    public var violationCount: UInt64 { countsByRule.values.reduce(0, +) }

    /// Checks a batch of events in stream order, against `strings` as they stand for it.
    public mutating func consume(_ batch: UnsafeBufferPointer<Event>, strings: borrowing StringTable) {
        for event in batch { consume(event, strings: strings) }
    }

    public mutating func consume(_ event: Event, strings: borrowing StringTable) {
        defer { index += 1 }
        if let last = lastTimes.backwards(event.thread.rawValue, event.timestamp) {
            report(.timeGoesBackwards, event, "timestamp \(event.timestamp) is before the thread's previous \(last)")
        }
        switch event.kind {
        case .taskCreate: checkDefined(event.label, event, strings)
        case .taskPark, .gcPauseBegin, .gcPauseEnd: checkDefined(event.reason, event, strings)
        case .regionBegin, .regionEnd: checkDefined(event.regionName, event, strings)
        case .log:
            checkDefined(event.logCategory, event, strings)
            checkDefined(event.logMessage, event, strings)
        default: break
        }
        let task = event.task
        switch event.kind {
        case .procStart:
            if procStarted[event.proc] == true { report(.procState, event, "P\(event.proc) started while already started") }
            procStarted[event.proc] = true
        case .procStop:
            if procStarted[event.proc] == false { report(.procState, event, "P\(event.proc) stopped while stopped") }
            if let running = procRunning[event.proc] {
                report(.procState, event, "P\(event.proc) stopped while task \(running) runs on it")
            }
            procStarted[event.proc] = false
        case .procSteal:
            if event.victim == event.proc { report(.procState, event, "P\(event.proc) steals from itself") }
        case .taskCreate:
            if taskStates[task] != nil || endedTasks.contains(task) {
                report(.duplicateTask, event, "task \(task) created again")
            }
            if !task.isSome { report(.illegalTransition, event, "task_create of task 0 (reserved for 'no task')") }
            endedTasks.remove(task)
            taskStates[task] = .created
        case .taskStart:
            let known = taskStates[task]
            if known == nil { checkNotEnded(event) }
            let state = known ?? .runnable
            if state != .runnable && state != .created {
                report(.illegalTransition, event, "task \(task) started while \(name(state))")
                if state == .running, let proc = runningOn[task] { procRunning[proc] = nil }
            }
            if !event.proc.isSome {
                report(.procState, event, "task \(task) started with no P")
            } else {
                if procStarted[event.proc] == false { report(.procState, event, "task \(task) started on stopped P\(event.proc)") }
                if let other = procRunning[event.proc], other != task {
                    report(.procBusy, event, "task \(task) started on P\(event.proc) while task \(other) runs there")
                    taskStates[other] = .runnable
                    runningOn[other] = nil
                }
                procRunning[event.proc] = task
                runningOn[task] = event.proc
            }
            taskStates[task] = .running
        case .taskYield, .taskPreempt, .taskPark, .taskEnd:
            let known = taskStates[task]
            if known == nil { checkNotEnded(event) }
            let state = known ?? .running
            if state != .running && !(state == .created && event.kind == .taskPark) {
                report(.illegalTransition, event, "\(event.kind.name) of task \(task) while \(name(state))")
            }
            if let proc = runningOn.removeValue(forKey: task), procRunning[proc] == task { procRunning[proc] = nil }
            switch event.kind {
            case .taskPark: taskStates[task] = .parked
            case .taskEnd:
                taskStates[task] = nil
                endedTasks.insert(task)
            default: taskStates[task] = .runnable
            }
        case .taskUnpark:
            let known = taskStates[task]
            if known == nil { checkNotEnded(event) }
            let state = known ?? .parked
            if state != .parked {
                report(.illegalTransition, event, "task_unpark of task \(task) while \(name(state))")
            }
            if state != .running { taskStates[task] = .runnable }
        case .gcPauseBegin:
            if pauseOpen { report(.unbalancedRange, event, "gc_pause_begin while a pause is open") }
            pauseOpen = true
        case .gcPauseEnd:
            if !pauseOpen { report(.unbalancedRange, event, "gc_pause_end without gc_pause_begin") }
            pauseOpen = false
        case .gcBegin:
            if !gcOpen.insert(event.cycle).inserted { report(.unbalancedRange, event, "gc_begin of cycle \(event.cycle) twice") }
        case .gcEnd:
            if gcOpen.remove(event.cycle) == nil { report(.unbalancedRange, event, "gc_end of cycle \(event.cycle) without gc_begin") }
        case .regionBegin:
            regions[RegionKey(task: task, name: event.regionName), default: 0] += 1
        case .regionEnd:
            let key = RegionKey(task: task, name: event.regionName)
            if let open = regions[key] {
                regions[key] = open > 1 ? open - 1 : nil
            } else {
                report(.unbalancedRange, event, "region_end of \(strings[event.regionName]) without region_begin on task \(task)")
            }
        case .log, .lost:
            break
        }
    }

    /// Reports ranges still open at the end. Open regions and GC cycles are allowed (a
    /// trace may stop mid-test); an open stop-the-world pause is not, since no task may run.
    public mutating func finish() {
        if pauseOpen {
            countsByRule[.unbalancedRange, default: 0] += 1
            if violations.count < maxRecorded {
                violations.append(Violation(
                    rule: .unbalancedRange, eventIndex: index, timestamp: 0, thread: .unknown,
                    message: "the trace ends inside a gc pause"))
            }
        }
    }

    private mutating func checkDefined(_ id: StringID, _ event: Event, _ strings: borrowing StringTable) {
        if !strings.isDefined(id) {
            report(.undefinedString, event, "\(event.kind.name) refers to string id \(id.rawValue), which no strings chunk defines")
        }
    }

    /// Reports a task event of an ended task. Called only for a task without a state: a
    /// task with one is live, and a live task is never in `endedTasks` (creation takes it
    /// out, the end puts it in as it drops the state), so the lookup is saved for the rest.
    private mutating func checkNotEnded(_ event: Event) {
        if endedTasks.contains(event.task) {
            report(.duplicateTask, event, "\(event.kind.name) of task \(event.task) after its task_end")
            endedTasks.remove(event.task)
        }
    }

    private func name(_ state: TaskState) -> String {
        switch state {
        case .runnable, .created: "runnable"
        case .running: "running"
        case .parked: "parked"
        }
    }

    private mutating func report(_ rule: Violation.Rule, _ event: Event, _ message: String) {
        countsByRule[rule, default: 0] += 1
        if violations.count < maxRecorded {
            violations.append(Violation(
                rule: rule, eventIndex: index, timestamp: event.timestamp, thread: event.thread, message: message))
        }
    }
}

/// Each thread's latest timestamp. The threads met most recently sit in 16 slots chosen by
/// their ids' low bits, the rest in a map: a merged trace changes thread at nearly every
/// event, and a map's insertion per event was the validator's largest cost.
private struct LastTimes {
    // Slot i starts with id i ^ 1, whose low bits are not i: no thread matches it.
    private var ids = InlineArray<16, UInt64> { UInt64($0 ^ 1) }
    private var times = InlineArray<16, UInt64>(repeating: 0)
    /// Whether the slot's thread has a timestamp yet.
    private var known = InlineArray<16, Bool>(repeating: false)
    private let others = IDMap<ThreadID, UInt64>(capacity: 16)

    /// The thread's latest timestamp if `time` is before it (time goes backwards: the
    /// latest stays); nil otherwise, and `time` becomes the latest.
    @inline(__always)
    mutating func backwards(_ thread: UInt64, _ time: UInt64) -> UInt64? {
        let slot = Int(truncatingIfNeeded: thread & 15)
        if ids[slot] != thread { swapIn(thread, slot) }
        if known[slot] && time < times[slot] { return times[slot] }
        times[slot] = time
        known[slot] = true
        return nil
    }

    /// Moves the slot's thread to the map and `thread` from it (if it is there) to the slot.
    private mutating func swapIn(_ thread: UInt64, _ slot: Int) {
        if known[slot] { others[ThreadID(rawValue: ids[slot])] = times[slot] }
        ids[slot] = thread
        if let time = others.removeValue(forKey: ThreadID(rawValue: thread)) {
            times[slot] = time
            known[slot] = true
        } else {
            known[slot] = false
        }
    }
}

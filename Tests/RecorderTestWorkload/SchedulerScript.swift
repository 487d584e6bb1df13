import SchedscopeModel
import SchedscopeRecorder

/// A deterministic, state-machine-valid event sequence for one emitting thread, so that a
/// test can emit it (in this process or in a child) and then check a trace against it.
///
/// Thread `index` owns P `index` and tasks `(index + 1) << 32 | n`. Each round creates a
/// task, runs it through a seeded choice of park/unpark, yield, preempt, region, GC and log
/// events, and ends it: so every prefix of the sequence is a valid trace, and a cut
/// anywhere leaves tasks at worst running or parked.
public struct SchedulerScript {
    /// One event to emit, with what it must read back as.
    public enum Step: Equatable, Sendable {
        case procStart(ProcID)
        case taskCreate(TaskID, label: String)
        case taskStart(TaskID, ProcID)
        case taskPark(TaskID, reason: String)
        case taskUnpark(TaskID)
        case taskYield(TaskID)
        case taskPreempt(TaskID)
        case taskEnd(TaskID)
        case regionBegin(String, TaskID)
        case regionEnd(String, TaskID)
        case gcBegin(UInt64)
        case gcEnd(UInt64)
        case log(String, category: String)
    }

    public static let labels = ["worker.loop", "http.handler", "timer.fire", "fan-out child"]
    public static let reasons = ["channel receive", "mutex", "sleep", "continuation"]
    public static let regions = ["TestCase/testParse", "TestCase/testWrite"]

    public let index: Int
    public let proc: ProcID
    private var state: UInt64
    private var round: UInt64 = 0
    private var started = false

    public init(index: Int, seed: UInt64) {
        self.index = index
        proc = ProcID(UInt32(index))
        state = seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
    }

    private mutating func random(_ n: UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return (z ^ (z >> 31)) % n
    }

    /// The next round's steps (the first round starts the P).
    public mutating func nextRound() -> [Step] {
        var steps: [Step] = []
        if !started {
            started = true
            steps.append(.procStart(proc))
        }
        round += 1
        let task = TaskID(UInt64(index + 1) << 32 | round)
        steps.append(.taskCreate(task, label: Self.labels[Int(random(UInt64(Self.labels.count)))]))
        steps.append(.taskStart(task, proc))
        switch random(6) {
        case 0:
            steps.append(.taskPark(task, reason: Self.reasons[Int(random(UInt64(Self.reasons.count)))]))
            steps.append(.taskUnpark(task))
            steps.append(.taskStart(task, proc))
        case 1:
            steps.append(.taskYield(task))
            steps.append(.taskStart(task, proc))
        case 2:
            steps.append(.taskPreempt(task))
            steps.append(.taskStart(task, proc))
        case 3:
            let region = Self.regions[Int(random(UInt64(Self.regions.count)))]
            steps.append(.regionBegin(region, task))
            steps.append(.log("step \(random(4))", category: "test"))
            steps.append(.regionEnd(region, task))
        case 4:
            let cycle = UInt64(index + 1) << 32 | round
            steps.append(.gcBegin(cycle))
            steps.append(.gcEnd(cycle))
        default:
            break
        }
        steps.append(.taskEnd(task))
        return steps
    }

    /// Every string a script uses, to intern before emitting.
    public static var allStrings: [String] {
        labels + reasons + regions + (0..<4).map { "step \($0)" } + ["test"]
    }
}

extension SchedulerScript.Step {
    /// Emits the step through the recorder (strings must have been interned already;
    /// `intern` is idempotent, so it is called again here only to look the id up).
    public func emit(strings: InternedStrings) {
        switch self {
        case .procStart(let proc): Recorder.procStart(proc)
        case .taskCreate(let task, let label): Recorder.taskCreate(task, parent: .none, label: strings[label])
        case .taskStart(let task, let proc): Recorder.taskStart(task, on: proc)
        case .taskPark(let task, let reason): Recorder.taskPark(task, reason: strings[reason])
        case .taskUnpark(let task): Recorder.taskUnpark(task, by: .none)
        case .taskYield(let task): Recorder.taskYield(task)
        case .taskPreempt(let task): Recorder.taskPreempt(task)
        case .taskEnd(let task): Recorder.taskEnd(task)
        case .regionBegin(let name, let task): Recorder.regionBegin(strings[name], task: task)
        case .regionEnd(let name, let task): Recorder.regionEnd(strings[name], task: task)
        case .gcBegin(let cycle): Recorder.gcBegin(cycle: cycle)
        case .gcEnd(let cycle): Recorder.gcEnd(cycle: cycle)
        case .log(let message, let category): Recorder.log(strings[message], category: strings[category])
        }
    }

    /// Whether `event` (read back, with `table`) is this step emitted by P-owning thread.
    public func matches(_ event: Event, table: StringTable) -> Bool {
        switch self {
        case .procStart(let proc):
            return event.kind == .procStart && event.proc == proc
        case .taskCreate(let task, let label):
            return event.kind == .taskCreate && event.task == task && event.parent == .none && table[event.label] == label
        case .taskStart(let task, let proc):
            return event.kind == .taskStart && event.task == task && event.proc == proc
        case .taskPark(let task, let reason):
            return event.kind == .taskPark && event.task == task && table[event.reason] == reason
        case .taskUnpark(let task):
            return event.kind == .taskUnpark && event.task == task && event.waker == .none
        case .taskYield(let task):
            return event.kind == .taskYield && event.task == task
        case .taskPreempt(let task):
            return event.kind == .taskPreempt && event.task == task
        case .taskEnd(let task):
            return event.kind == .taskEnd && event.task == task
        case .regionBegin(let name, let task):
            return event.kind == .regionBegin && event.task == task && table[event.regionName] == name
        case .regionEnd(let name, let task):
            return event.kind == .regionEnd && event.task == task && table[event.regionName] == name
        case .gcBegin(let cycle):
            return event.kind == .gcBegin && event.cycle == cycle
        case .gcEnd(let cycle):
            return event.kind == .gcEnd && event.cycle == cycle
        case .log(let message, let category):
            return event.kind == .log && table[event.logMessage] == message && table[event.logCategory] == category
        }
    }
}

/// Strings interned once, looked up by value on the emit side of a script.
public struct InternedStrings: Sendable {
    private let ids: [String: StringID]

    /// Interns `strings` with the recorder.
    public init(_ strings: [String]) {
        var ids: [String: StringID] = [:]
        for string in strings { ids[string] = Recorder.intern(string) }
        self.ids = ids
    }

    public subscript(_ string: String) -> StringID { ids[string] ?? .empty }
}

import SchedscopeModel

/// What `schedscope preemption` reports (docs/ANALYSES.md, "Preemption").
public struct PreemptionReport: Sendable, Equatable {
    public struct TaskCount: Sendable, Equatable {
        public var task: TaskID
        public var label: String
        public var preemptions: UInt64

        public init(task: TaskID, label: String, preemptions: UInt64) {
            self.task = task
            self.label = label
            self.preemptions = preemptions
        }
    }

    public struct LabelCount: Sendable, Equatable {
        public var label: String
        public var preemptions: UInt64

        public init(label: String, preemptions: UInt64) {
            self.label = label
            self.preemptions = preemptions
        }
    }

    public var start: UInt64
    public var end: UInt64
    public var durationNanoseconds: UInt64 { end - start }
    /// Stops inside the window, by kind, of the tasks counted.
    public var preemptions: UInt64
    public var yields: UInt64
    public var parks: UInt64
    public var ends: UInt64
    public var stops: UInt64 { preemptions + yields + parks + ends }
    /// Running time of the tasks counted, inside the window.
    public var busyNanoseconds: UInt64
    /// preemptions per second of `busyNanoseconds` (0 when there is none).
    public var perBusySecond: Double
    /// preemptions per second of the window (0 for an empty window).
    public var perWallSecond: Double
    /// preemptions / stops (0 when there are no stops).
    public var fractionOfStops: Double
    /// The tasks preempted most (at most 10), and every label with a preemption, most first.
    public var topTasks: [TaskCount]
    public var topLabels: [LabelCount]
    /// Whether runtime tasks were counted (`--include-runtime`).
    public var includesRuntime: Bool
    /// Runtime tasks left out, and their stops inside the window (0 with `--include-runtime`).
    public var runtimeTasksExcluded: UInt64
    public var runtimeStopsExcluded: UInt64
}

/// Counts task stops by kind (preempt, yield, park, end) and relates preemptions to busy
/// time, wall time and all stops; names the tasks and labels preempted most. Runtime tasks
/// are left out unless `includeRuntime` (docs/ANALYSES.md, "Preemption").
///
/// - Complexity: O(1) per event (a preemption also updates its label's count); memory
///   grows with live tasks and labels.
public struct PreemptionAnalysis: TaskLifecycleObserver {
    public let window: AnalysisWindow
    public let includeRuntime: Bool
    /// How many tasks `topTasks` lists.
    public static let topTaskCount = 10
    private let lifecycle = TaskLifecycle()

    private var preemptions: UInt64 = 0
    private var yields: UInt64 = 0
    private var parks: UInt64 = 0
    private var ends: UInt64 = 0
    private var busy: UInt64 = 0
    private var runtimeStops: UInt64 = 0
    private let byLabel = IDTable<UInt64>(capacity: 16)
    private var topTasks = TopCounts<StringID>(capacity: PreemptionAnalysis.topTaskCount)

    public init(window: AnalysisWindow = .whole, includeRuntime: Bool = false) {
        self.window = window
        self.includeRuntime = includeRuntime
    }

    /// Feeds one event; events must come in time order. Events at or after the window's
    /// `to` are ignored (the window ends there).
    public mutating func consume(_ event: Event) {
        if let to = window.to, event.timestamp >= to { return }
        // Borrow the lifecycle without a retain and release per event.
        Unmanaged.passUnretained(lifecycle)._withUnsafeGuaranteedRef { $0.consume(event, &self) }
    }

    /// Notes an event that a filter (`--proc`, `--task`, `--region`) left out: the range
    /// still ends at the trace's last event, not at the last one selected.
    public mutating func skip(_ event: Event) {
        if let to = window.to, event.timestamp >= to { return }
        lifecycle.note(event.timestamp)
    }

    public mutating func finish(strings: StringTable) -> PreemptionReport { finish(lifecycle: lifecycle, strings: strings) }

    @inline(__always)
    package mutating func taskStopped(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle) {
        stop(event, task)
    }

    // Inlined into the per-event loop: a yield, park or end is a few counter updates, and
    // as a call it paid six register saves and restores on every stop. The rare parts (a
    // preemption's label count, a preempted task's ranking when it ends) stay outlined.
    @inline(__always)
    private mutating func stop(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>) {
        let now = event.timestamp
        let counted = includeRuntime || !task.pointee.isRuntime
        if counted && task.pointee.phase == .running { busy = busy.addingSaturated(window.clipped(task.pointee.since, now)) }
        if window.containsHanded(now) {
            if !counted {
                runtimeStops += 1
            } else {
                switch event.kind {
                case .taskPreempt: countPreemption(task)
                case .taskYield: yields += 1
                case .taskPark: parks += 1
                default: ends += 1
                }
            }
        }
        if event.kind == .taskEnd && task.pointee.preemptions > 0 { rank(event.task, task) }
    }

    @inline(never)
    private mutating func countPreemption(_ task: UnsafeMutablePointer<TaskRecord>) {
        preemptions += 1
        task.pointee.preemptions &+= 1
        let label = UInt64(task.pointee.label.rawValue)
        byLabel[label] = (byLabel[label] ?? 0) + 1
    }

    /// Offers a preempted task that ends to the most-preempted list.
    @inline(never)
    private mutating func rank(_ id: TaskID, _ task: UnsafeMutablePointer<TaskRecord>) {
        topTasks.offer(id.rawValue, count: UInt64(task.pointee.preemptions), task.pointee.label)
    }

    package mutating func finish(lifecycle: TaskLifecycle, strings: StringTable) -> PreemptionReport {
        let end = window.end(last: lifecycle.last)
        lifecycle.tasks.forEach { id, record in
            let counted = includeRuntime || !record.pointee.isRuntime
            if counted && record.pointee.phase == .running { busy = busy.addingSaturated(window.clipped(record.pointee.since, end)) }
            if record.pointee.preemptions > 0 {
                topTasks.offer(id, count: UInt64(record.pointee.preemptions), record.pointee.label)
            }
        }
        let duration = end - window.from
        let stops = preemptions + yields + parks + ends
        let labels = byLabel.entries
            .map { PreemptionReport.LabelCount(label: strings[StringID(rawValue: UInt32(truncatingIfNeeded: $0.key))], preemptions: $0.value) }
            .sorted { ($0.preemptions, $1.label) > ($1.preemptions, $0.label) }
        return PreemptionReport(
            start: window.from, end: end, preemptions: preemptions, yields: yields, parks: parks, ends: ends,
            busyNanoseconds: busy,
            perBusySecond: busy > 0 ? Double(preemptions) * 1e9 / Double(busy) : 0,
            perWallSecond: duration > 0 ? Double(preemptions) * 1e9 / Double(duration) : 0,
            fractionOfStops: stops > 0 ? Double(preemptions) / Double(stops) : 0,
            topTasks: topTasks.entries.map { .init(task: TaskID($0.key), label: strings[$0.payload], preemptions: $0.count) },
            topLabels: labels, includesRuntime: includeRuntime,
            runtimeTasksExcluded: includeRuntime ? 0 : lifecycle.runtimeTasksCreated,
            runtimeStopsExcluded: runtimeStops)
    }
}

import SchedscopeModel

/// The grouping of `schedscope stats --by KEY`.
public enum StatsKey: String, CaseIterable, Sendable {
    case kind, proc, task, reason, label, region

    /// What the time column means for this key (docs/CLI.md).
    public var timeMeaning: String {
        switch self {
        case .kind: "time in the interval each event opens (running, runnable, parked, pause, region…)"
        case .proc: "busy time (a task running on the P)"
        case .task: "running time"
        case .reason: "time parked (task_park) or paused (gc_pause_begin) for that reason"
        case .label: "running time of the tasks with that label"
        case .region: "time from region_begin to region_end"
        }
    }
}

/// One group of `stats`.
public struct StatsRow: Sendable, Equatable {
    /// The group's name as printed (`task_start`, `P3`, `task 17`, a reason, label or region).
    public var key: String
    /// Events in the group (for `label`: events of its tasks; for `region`: regions begun).
    public var count: UInt64
    /// Nanoseconds (see `StatsKey.timeMeaning`); nil where no interval applies.
    public var timeNanoseconds: UInt64?
    /// For `label`: tasks created with the label.
    public var tasks: UInt64?
}

/// Aggregates events into groups with a count and a time each.
///
/// Time comes from intervals that events open and later events close: a task's running
/// interval (`task_start` → its next stop), runnable (`task_create`/`unpark`/`yield`/`preempt`
/// → `task_start`), parked (`task_park` → `task_unpark`), a P's active span, GC pauses and
/// cycles, regions. Intervals still open at the end of the stream are closed at its last
/// timestamp.
///
/// - Complexity: O(1) per event (hash lookups); memory grows with live tasks and groups.
public struct StatsAnalysis {
    public let key: StatsKey

    private struct TaskRecord {
        var label: StringID = .empty
        /// The kind of the event that opened the current interval, and when.
        var opener: EventKind?
        var since: UInt64 = 0
        var proc = ProcID.none
        var reason = StringID.empty
    }

    private struct Group {
        var count: UInt64 = 0
        var time: UInt64 = 0
        var tasks: UInt64 = 0
        var hasTime = false
    }

    private var tasks = IDMap<TaskID, TaskRecord>()
    private var groups = IDTable<Group>()
    /// For `--by kind`, the groups by kind's raw value, inline: a hash probe per event for
    /// 18 possible keys was the largest part of `stats --by kind`'s work. Nil: not touched.
    private var kindGroups = InlineArray<18, Group?>(repeating: nil)
    private var procSince: [ProcID: UInt64] = [:]
    private var pauseOpen: (since: UInt64, reason: StringID)?
    private var gcOpen: UInt64?
    private var regionsOpen: [RegionKey: UInt64] = [:]
    private var last: UInt64 = 0

    private struct RegionKey: Hashable {
        var task: TaskID
        var name: StringID
    }

    public init(by key: StatsKey) { self.key = key }

    /// Feeds a batch of events in time order, as `consume(_:)` does one by one but without
    /// a call per event.
    public mutating func consume(_ batch: UnsafeBufferPointer<Event>) {
        for event in batch { consume(event) }
    }

    public mutating func consume(_ event: Event) {
        last = max(last, event.timestamp)
        let now = event.timestamp
        let task = event.task
        switch key {
        case .kind: countKind(event)
        case .proc: if event.proc.isSome { add(UInt64(event.proc.rawValue), count: 1) }
        case .task: if task.isSome { add(task.rawValue, count: 1) }
        case .label, .reason, .region: break
        }
        switch event.kind {
        case .taskCreate:
            var record = TaskRecord()
            record.label = event.label
            open(&record, .taskCreate, at: now)
            tasks[task] = record
            if key == .label { add(UInt64(event.label.rawValue), count: 1, tasks: 1) }
        case .taskStart:
            var record = tasks[task] ?? TaskRecord()
            close(&record, task: task, at: now)
            record.proc = event.proc
            open(&record, .taskStart, at: now)
            tasks[task] = record
            if key == .label { add(UInt64(record.label.rawValue), count: 1) }
        case .taskYield, .taskPreempt, .taskPark, .taskEnd, .taskUnpark:
            var record = tasks[task] ?? TaskRecord()
            if event.kind != .taskUnpark || record.opener == .taskPark {
                close(&record, task: task, at: now)
            }
            if key == .label { add(UInt64(record.label.rawValue), count: 1) }
            if event.kind == .taskEnd {
                tasks[task] = nil
            } else {
                if event.kind == .taskPark {
                    record.reason = event.reason
                    if key == .reason { add(UInt64(event.reason.rawValue), count: 1) }
                }
                if event.kind != .taskUnpark || record.opener == nil { open(&record, event.kind, at: now) }
                tasks[task] = record
            }
        case .procStart:
            procSince[event.proc] = now
        case .procStop:
            if let since = procSince.removeValue(forKey: event.proc), key == .kind {
                addTime(UInt64(EventKind.procStart.rawValue), now - min(now, since))
            }
        case .gcPauseBegin:
            pauseOpen = (now, event.reason)
            if key == .reason { add(UInt64(event.reason.rawValue), count: 1) }
        case .gcPauseEnd:
            if let open = pauseOpen { closePause(open, at: now) }
            pauseOpen = nil
        case .gcBegin:
            gcOpen = now
        case .gcEnd:
            if let since = gcOpen, key == .kind { addTime(UInt64(EventKind.gcBegin.rawValue), now - min(now, since)) }
            gcOpen = nil
        case .regionBegin:
            regionsOpen[RegionKey(task: task, name: event.regionName)] = now
            if key == .region { add(UInt64(event.regionName.rawValue), count: 1) }
        case .regionEnd:
            if let since = regionsOpen.removeValue(forKey: RegionKey(task: task, name: event.regionName)) {
                closeRegion(event.regionName, since: since, at: now)
            }
        default:
            break
        }
    }

    /// The groups, largest time first (then count), with their printable names.
    public mutating func finish(strings: StringTable) -> [StatsRow] {
        let end = last
        for (task, var record) in tasks.entries { close(&record, task: task, at: end) }
        tasks = IDMap()
        if key == .kind {
            for (_, since) in procSince { addTime(UInt64(EventKind.procStart.rawValue), end - since) }
            if let since = gcOpen { addTime(UInt64(EventKind.gcBegin.rawValue), end - since) }
        }
        if let open = pauseOpen { closePause(open, at: end) }
        for (region, since) in regionsOpen { closeRegion(region.name, since: since, at: end) }
        procSince = [:]
        gcOpen = nil
        pauseOpen = nil
        regionsOpen = [:]
        for raw in kindGroups.indices {
            if let group = kindGroups[raw] { groups.insert(UInt64(raw), group) }
        }
        kindGroups = InlineArray(repeating: nil)
        var rows = groups.entries.map { raw, group in
            StatsRow(
                key: name(raw, strings), count: group.count, timeNanoseconds: group.hasTime || key != .kind ? group.time : nil,
                tasks: key == .label ? group.tasks : nil)
        }
        rows.sort { ($0.timeNanoseconds ?? 0, $0.count, $1.key) > ($1.timeNanoseconds ?? 0, $1.count, $0.key) }
        return rows
    }

    // MARK: - Intervals

    private func open(_ record: inout TaskRecord, _ kind: EventKind, at now: UInt64) {
        record.opener = kind
        record.since = now
    }

    private mutating func close(_ record: inout TaskRecord, task: TaskID, at now: UInt64) {
        guard let opener = record.opener else { return }
        let duration = now >= record.since ? now - record.since : 0
        record.opener = nil
        switch key {
        case .kind: addTime(UInt64(opener.rawValue), duration)
        case .proc where opener == .taskStart && record.proc.isSome: addTime(UInt64(record.proc.rawValue), duration)
        case .task where opener == .taskStart: addTime(task.rawValue, duration)
        case .label where opener == .taskStart: addTime(UInt64(record.label.rawValue), duration)
        case .reason where opener == .taskPark: addTime(UInt64(record.reason.rawValue), duration)
        default: break
        }
    }

    private mutating func closePause(_ open: (since: UInt64, reason: StringID), at now: UInt64) {
        let duration = now - min(now, open.since)
        if key == .kind { addTime(UInt64(EventKind.gcPauseBegin.rawValue), duration) }
        if key == .reason { addTime(UInt64(open.reason.rawValue), duration) }
    }

    private mutating func closeRegion(_ name: StringID, since: UInt64, at now: UInt64) {
        let duration = now - min(now, since)
        if key == .kind { addTime(UInt64(EventKind.regionBegin.rawValue), duration) }
        if key == .region { addTime(UInt64(name.rawValue), duration) }
    }

    private mutating func countKind(_ event: Event) {
        add(UInt64(event.kind.rawValue), count: 1)
    }

    private mutating func add(_ raw: UInt64, count: UInt64, tasks: UInt64 = 0) {
        updateGroup(raw) { group in
            group.count += count
            group.tasks += tasks
        }
    }

    private mutating func addTime(_ raw: UInt64, _ duration: UInt64) {
        updateGroup(raw) { group in
            group.time = group.time.addingSaturated(duration)
            group.hasTime = true
        }
    }

    /// Applies `body` to the group of `raw`, made empty first if new: for `--by kind` in
    /// `kindGroups`, otherwise in `groups`.
    private mutating func updateGroup(_ raw: UInt64, _ body: (inout Group) -> Void) {
        guard key == .kind, raw < UInt64(kindGroups.count) else {
            return groups.update(raw, default: Group(), body)
        }
        var group = kindGroups[Int(raw)] ?? Group()
        body(&group)
        kindGroups[Int(raw)] = group
    }

    private func name(_ raw: UInt64, _ strings: StringTable) -> String {
        switch key {
        case .kind: EventKind(rawValue: UInt8(raw))?.name ?? "?"
        case .proc: "P\(raw)"
        case .task: "task \(raw)"
        case .reason, .label, .region: strings[StringID(rawValue: UInt32(truncatingIfNeeded: raw))]
        }
    }
}

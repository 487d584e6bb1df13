import SchedscopeModel

/// What `schedscope leaks` reports (docs/ANALYSES.md, "Leak candidates").
public struct LeakReport: Sendable, Equatable {
    /// A task judged parked for good.
    public struct Candidate: Sendable, Equatable {
        public var task: TaskID
        public var label: String
        public var reason: String
        /// How long it had been parked when judged.
        public var parkedNanoseconds: UInt64
        /// When it was created; nil if the trace never created it (it existed before).
        public var createdAt: UInt64?
        /// The region that answers for it; nil if none.
        public var region: String?
        /// When it was judged: the end of its region (`byRegion`) or of the window.
        public var judgedAt: UInt64
        /// The recorder dropped events (`lost`) after the task's last event: its wake-up or
        /// end may have been among them.
        public var uncertain: Bool
    }

    /// A task judged runnable but never started again.
    public struct Starved: Sendable, Equatable {
        public var task: TaskID
        public var label: String
        /// How long it had been runnable when judged.
        public var runnableNanoseconds: UInt64
        public var createdAt: UInt64?
        public var region: String?
        public var judgedAt: UInt64
        public var uncertain: Bool
    }

    /// Candidates with the same reason and label.
    public struct Group: Sendable, Equatable {
        public var reason: String
        public var label: String
        public var count: UInt64
        /// The longest and shortest time parked in the group.
        public var maxParkedNanoseconds: UInt64
        public var minParkedNanoseconds: UInt64

        public init(reason: String, label: String, count: UInt64, maxParkedNanoseconds: UInt64, minParkedNanoseconds: UInt64) {
            self.reason = reason
            self.label = label
            self.count = count
            self.maxParkedNanoseconds = maxParkedNanoseconds
            self.minParkedNanoseconds = minParkedNanoseconds
        }
    }

    /// Candidates per region (nil: no region).
    public struct RegionCount: Sendable, Equatable {
        public var region: String?
        public var count: UInt64

        public init(region: String?, count: UInt64) {
            self.region = region
            self.count = count
        }
    }

    public var start: UInt64
    public var end: UInt64
    public var minAgeNanoseconds: UInt64
    public var byRegion: Bool
    /// Longest parked first, then by task id.
    public var candidates: [Candidate]
    /// Largest count first, then by reason and label.
    public var groups: [Group]
    /// Most candidates first, then by name (no region last).
    public var regions: [RegionCount]
    /// Longest runnable first, then by task id.
    public var starved: [Starved]
    /// Candidates and starved tasks left out by the ignore pattern.
    public var ignored: UInt64
    public var includesRuntime: Bool
    /// Runtime tasks left out that would have been candidates or starved (0 with
    /// `--include-runtime`), and all runtime tasks created.
    public var runtimeCandidatesExcluded: UInt64
    public var runtimeTasksExcluded: UInt64
    /// The sum of the counts of `lost` events seen.
    public var lostEvents: UInt64

    public var count: Int { candidates.count }
}

/// What counts as a leak candidate.
public struct LeakOptions: Sendable, Equatable {
    /// A task must have been parked (or runnable, to be starved) at least this long.
    public var minAge: UInt64
    /// Judge tasks at the end of the region they were created in (per-test attribution).
    public var byRegion: Bool
    public var includeRuntime: Bool

    public init(minAge: UInt64 = 0, byRegion: Bool = false, includeRuntime: Bool = false) {
        self.minAge = minAge
        self.byRegion = byRegion
        self.includeRuntime = includeRuntime
    }
}

/// Leak candidates: tasks not ended at the end of the window whose last state is parked,
/// parked for at least `minAge`, grouped by (reason, label); tasks runnable and never
/// started again are listed apart as starved. With `byRegion`, a task created inside a
/// region is judged when that region ends instead (docs/ANALYSES.md, "Leak candidates").
///
/// - Complexity: O(1) per event; a region end judges the tasks created inside it (each
///   task at most once); memory grows with live tasks.
public struct LeakAnalysis: TaskLifecycleObserver {
    public let window: AnalysisWindow
    public let options: LeakOptions
    private let lifecycle = TaskLifecycle()

    private struct Verdict {
        var task: UInt64
        var parked: Bool
        var label: StringID
        var reason: StringID
        var age: UInt64
        var createdAt: UInt64
        var region: StringID?
        var judgedAt: UInt64
        var uncertain: Bool
    }

    private var verdicts: [Verdict] = []
    private var runtimeExcluded: UInt64 = 0
    /// `byRegion`: the tasks created inside each open region instance (instance → list).
    private let memberListOf = IDTable<Int>(capacity: 16)
    private var memberLists: [[UInt64]] = []
    /// The length at which each list is next swept of ended tasks: twice what the last
    /// sweep left, at least `firstSweep`.
    private var sweepAt: [Int] = []
    private var freeLists: [Int] = []
    private static let firstSweep = 64
    /// The instance `addMember` last added to and its list: a test's tasks are mostly
    /// created one after another in the same region, and this saves the table lookup then.
    private var lastInstance: UInt32 = 0
    private var lastList = 0
    /// A freed list keeps its storage for the next region up to this many members, so that
    /// regions reuse buffers instead of growing new ones; a longer one gives it back.
    private static let keptListCapacity = 1024

    /// `options.byRegion`, where the per-event check reads it.
    private let byRegion: Bool

    public init(window: AnalysisWindow = .whole, options: LeakOptions = LeakOptions()) {
        self.window = window
        self.options = options
        byRegion = options.byRegion
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

    /// `byRegion`: the task ids held in the open regions' member lists, ended ones not yet
    /// swept included (what the lists cost in memory; for tests).
    package var heldRegionMembers: Int { memberLists.reduce(0) { $0 + $1.count } }

    /// - Parameter ignoring: leaves out candidates and starved tasks whose label or reason
    ///   it returns true for (`--ignore REGEX`).
    public mutating func finish(strings: StringTable, ignoring: ((String) -> Bool)? = nil) -> LeakReport {
        finish(lifecycle: lifecycle, strings: strings, ignoring: ignoring)
    }

    @inline(__always)
    package mutating func taskCreated(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle) {
        guard byRegion, task.pointee.memberOf != 0 else { return }
        addMember(event.task.rawValue, to: task.pointee.memberOf, lifecycle)
    }

    @inline(__always)
    package mutating func regionEnded(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>?, _ lifecycle: TaskLifecycle) {
        guard byRegion else { return }
        judgeMembers(at: event.timestamp, lifecycle)
    }

    /// Judges the tasks created inside the region instance that ends at `now`
    /// (`lifecycle.endingRegion`).
    private mutating func judgeMembers(at now: UInt64, _ lifecycle: TaskLifecycle) {
        let ending = lifecycle.endingRegion
        guard ending != 0, let list = memberListOf.remove(UInt64(ending)) else { return }
        if ending == lastInstance { lastInstance = 0 }
        if window.containsHanded(now) {
            let name = lifecycle.regionName(ending)
            for member in memberLists[list] {
                guard let record = lifecycle.tasks.find(member), record.pointee.memberOf == ending else { continue }
                judge(member, record, at: now, region: name, lifecycle)
            }
        }
        memberLists[list].removeAll(keepingCapacity: memberLists[list].capacity <= Self.keptListCapacity)
        freeLists.append(list)
    }

    private mutating func addMember(_ task: UInt64, to instance: UInt32, _ lifecycle: TaskLifecycle) {
        let key = UInt64(instance)
        let list: Int
        if instance == lastInstance {
            list = lastList
        } else if let known = memberListOf[key] {
            list = known
        } else if let free = freeLists.popLast() {
            list = free
            sweepAt[list] = Self.firstSweep
            memberListOf[key] = list
        } else {
            list = memberLists.count
            memberLists.append([])
            sweepAt.append(Self.firstSweep)
            memberListOf[key] = list
        }
        lastInstance = instance
        lastList = list
        memberLists[list].append(task)
        // Drop ended tasks once the list has doubled since the last sweep, so a long region
        // holds only about twice its live members, and each sweep is paid for by as many
        // additions as it reads (a fixed threshold swept a list that hovered near it on
        // nearly every addition).
        if memberLists[list].count >= sweepAt[list] {
            memberLists[list].removeAll { lifecycle.tasks.find($0)?.pointee.memberOf != instance }
            sweepAt[list] = max(Self.firstSweep, 2 * memberLists[list].count)
        }
    }

    /// Judges a live task at `now`: a candidate if parked, starved if runnable, at least
    /// `minAge` long; nothing otherwise.
    private mutating func judge(
        _ id: UInt64, _ record: UnsafeMutablePointer<TaskRecord>, at now: UInt64, region: StringID?, _ lifecycle: TaskLifecycle
    ) {
        let phase = record.pointee.phase
        guard !record.pointee.judged, phase == .parked || phase == .runnable else { return }
        let since = record.pointee.since
        let age = now - min(now, since)
        guard age >= options.minAge else { return }
        record.pointee.judged = true
        guard options.includeRuntime || !record.pointee.isRuntime else {
            runtimeExcluded += 1
            return
        }
        let uncertain = lifecycle.lastLost.map { $0 >= since } ?? false
        verdicts.append(Verdict(
            task: id, parked: phase == .parked, label: record.pointee.label, reason: record.pointee.reason, age: age,
            createdAt: record.pointee.createdAt, region: region ?? (record.pointee.hasRegion ? record.pointee.regionName : nil),
            judgedAt: now, uncertain: uncertain))
    }

    package mutating func finish(lifecycle: TaskLifecycle, strings: StringTable, ignoring: ((String) -> Bool)? = nil) -> LeakReport {
        let end = window.end(last: lifecycle.last)
        var live: [(UInt64, UnsafeMutablePointer<TaskRecord>)] = []
        lifecycle.tasks.forEach { id, record in live.append((id, record)) }
        for (id, record) in live { judge(id, record, at: end, region: nil, lifecycle) }

        var candidates: [LeakReport.Candidate] = []
        var starved: [LeakReport.Starved] = []
        var ignored: UInt64 = 0
        var ignoreCache: [StringID: Bool] = [:]
        func isIgnored(_ id: StringID) -> Bool {
            guard let ignoring else { return false }
            if let known = ignoreCache[id] { return known }
            let answer = ignoring(strings[id])
            ignoreCache[id] = answer
            return answer
        }
        for v in verdicts {
            if isIgnored(v.label) || (v.parked && isIgnored(v.reason)) {
                ignored += 1
                continue
            }
            let created = v.createdAt == .max ? nil : v.createdAt
            let region = v.region.map { strings[$0] }
            if v.parked {
                candidates.append(.init(
                    task: TaskID(v.task), label: strings[v.label], reason: strings[v.reason], parkedNanoseconds: v.age,
                    createdAt: created, region: region, judgedAt: v.judgedAt, uncertain: v.uncertain))
            } else {
                starved.append(.init(
                    task: TaskID(v.task), label: strings[v.label], runnableNanoseconds: v.age, createdAt: created,
                    region: region, judgedAt: v.judgedAt, uncertain: v.uncertain))
            }
        }
        candidates.sort { ($0.parkedNanoseconds, $1.task) > ($1.parkedNanoseconds, $0.task) }
        starved.sort { ($0.runnableNanoseconds, $1.task) > ($1.runnableNanoseconds, $0.task) }

        var groups: [String: LeakReport.Group] = [:]
        var regions: [String?: UInt64] = [:]
        for c in candidates {
            let key = c.reason + "\u{0}" + c.label
            var group = groups[key] ?? .init(reason: c.reason, label: c.label, count: 0, maxParkedNanoseconds: 0, minParkedNanoseconds: .max)
            group.count += 1
            group.maxParkedNanoseconds = max(group.maxParkedNanoseconds, c.parkedNanoseconds)
            group.minParkedNanoseconds = min(group.minParkedNanoseconds, c.parkedNanoseconds)
            groups[key] = group
            regions[c.region, default: 0] += 1
        }
        return LeakReport(
            start: window.from, end: end, minAgeNanoseconds: options.minAge, byRegion: options.byRegion,
            candidates: candidates,
            groups: groups.values.sorted { ($0.count, $1.reason, $1.label) > ($1.count, $0.reason, $0.label) },
            regions: regions.map { LeakReport.RegionCount(region: $0.key, count: $0.value) }.sorted {
                if $0.count != $1.count { return $0.count > $1.count }
                switch ($0.region, $1.region) {
                case let (a?, b?): return a < b
                case (_?, nil): return true
                default: return false
                }
            },
            starved: starved, ignored: ignored, includesRuntime: options.includeRuntime,
            runtimeCandidatesExcluded: runtimeExcluded,
            runtimeTasksExcluded: options.includeRuntime ? 0 : lifecycle.runtimeTasksCreated,
            lostEvents: lifecycle.lostEvents)
    }
}

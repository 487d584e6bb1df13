import SchedscopeModel

/// Applies an `EventSelection` to a time-ordered event stream.
///
/// `--region NAME` keeps the events of tasks that are inside a region named NAME (or whose
/// name matches NAME's `*` and `?` wildcards, `RegionPattern`): a task is
/// inside from its `region_begin` to the matching `region_end`, and a task created by a
/// task that is inside stays inside for its whole life (so the children of a test case
/// belong to it). A region begun with no task (a process-wide region) covers every event
/// until its end. Region and proc-scoped events themselves are kept while their subject is
/// inside.
///
/// - Complexity: O(1) per event; memory grows with live tasks inside the region.
public struct EventFilter {
    public let selection: EventSelection
    private let kindMask: UInt32
    private var regionNameMatches: [StringID: Bool] = [:]
    private let regionPattern: RegionPattern?
    /// Tasks inside the region: count of open `region_begin`s, plus 1 << 16 if inherited.
    private var insideRegion: [TaskID: UInt32] = [:]
    private var openGlobalRegions = 0

    public init(_ selection: EventSelection) {
        self.selection = selection
        regionPattern = selection.region.map(RegionPattern.init)
        if let kinds = selection.kinds {
            kindMask = kinds.reduce(0) { $0 | (1 << UInt32($1.rawValue)) }
        } else {
            kindMask = .max
        }
    }

    /// Whether `event` is selected. Must see every event of the trace in order (it tracks
    /// region membership), and `strings` must define the region names seen so far.
    public mutating func matches(_ event: Event, strings: borrowing StringTable) -> Bool {
        matches(event) { strings[$0] }
    }

    /// Whether `event` is selected; `string` resolves a region name, and is called only for
    /// region events whose name was not seen before (so a reader's table is not copied per
    /// event).
    public mutating func matches(_ event: Event, string: (StringID) -> String) -> Bool {
        var inRegion = true
        if let region = selection.region {
            inRegion = trackRegion(event, name: region, string: string)
        }
        if let from = selection.from, event.timestamp < from { return false }
        if let to = selection.to, event.timestamp >= to { return false }
        guard kindMask & (1 << UInt32(event.kind.rawValue)) != 0 else { return false }
        if let procs = selection.procs {
            let proc = event.kind == .procSteal && procs.contains(event.victim) ? event.victim : event.proc
            guard procs.contains(proc) else { return false }
        }
        if let tasks = selection.tasks {
            let related = tasks.contains(event.task)
                || (event.kind == .taskCreate && tasks.contains(event.parent))
                || (event.kind == .taskUnpark && tasks.contains(event.waker))
            guard related else { return false }
        }
        return inRegion
    }

    private mutating func trackRegion(_ event: Event, name: String, string: (StringID) -> String) -> Bool {
        let task = event.task
        switch event.kind {
        case .regionBegin where isNamed(event.regionName, name, string):
            if task.isSome { insideRegion[task, default: 0] += 1 } else { openGlobalRegions += 1 }
            return true
        case .regionEnd where isNamed(event.regionName, name, string):
            let wasInside = openGlobalRegions > 0 || insideRegion[task] != nil
            if task.isSome {
                if let count = insideRegion[task] {
                    let open = count & 0xFFFF
                    let remaining = (open > 0 ? open - 1 : 0) | (count & 0x1_0000)
                    insideRegion[task] = remaining == 0 ? nil : remaining
                }
            } else if openGlobalRegions > 0 {
                openGlobalRegions -= 1
            }
            return wasInside
        case .taskCreate:
            if openGlobalRegions > 0 || insideRegion[event.parent] != nil {
                insideRegion[task, default: 0] |= 0x1_0000
                return true
            }
            return false
        case .taskEnd:
            let inside = openGlobalRegions > 0 || insideRegion[task] != nil
            insideRegion[task] = nil
            return inside
        default:
            return openGlobalRegions > 0 || (task.isSome && insideRegion[task] != nil)
        }
    }

    private mutating func isNamed(_ id: StringID, _ name: String, _ string: (StringID) -> String) -> Bool {
        if let known = regionNameMatches[id] { return known }
        let matches = regionPattern?.matches(string(id)) ?? (string(id) == name)
        regionNameMatches[id] = matches
        return matches
    }
}

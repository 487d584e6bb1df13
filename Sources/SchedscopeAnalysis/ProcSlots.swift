import SchedscopeModel

/// Caps on what an analysis holds, whatever the trace says.
public enum AnalysisLimits {
    /// Most Ps an analysis follows one by one (docs/ANALYSES.md, "Ps beyond the limit"):
    /// per-P state costs memory (a P's latency rows take tens of KB) and every window
    /// boundary visits every P, so a forged trace naming hundreds of thousands of Ps would
    /// otherwise take gigabytes and minutes. Far above any machine's Ps.
    public static let maxTrackedProcs = 1 << 10
}

/// Per-P state in one flat buffer, found by P id: the per-event path reads and writes
/// through a pointer, with no copy-on-write check (a Swift array in a struct pays one per
/// write). P ids below 65,536 map through a direct table; others (only a forged or foreign
/// trace has them) through an `IDTable`, so a huge id costs no huge table.
///
/// Owned by one analysis, never shared: the storage opts out of dynamic exclusivity checks.
final class ProcSlots<Slot> {
    @exclusivity(unchecked) private var direct: UnsafeMutablePointer<Int32>
    @exclusivity(unchecked) private var directCount = 0
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<Slot>
    @exclusivity(unchecked) private var capacity = 8
    @exclusivity(unchecked) private(set) var count = 0
    private let others = IDTable<Int32>(capacity: 4)
    /// The P of each slot, in order of registration.
    @exclusivity(unchecked) private(set) var procs: [ProcID] = []

    private static var directLimit: Int { 1 << 16 }

    /// Most Ps an analysis follows one by one: `AnalysisLimits.maxTrackedProcs`.
    static var limit: Int { AnalysisLimits.maxTrackedProcs }

    /// No P can be added: `limit` are registered.
    var isFull: Bool { count >= Self.limit }

    init() {
        direct = .allocate(capacity: 0)
        slots = .allocate(capacity: capacity)
    }

    deinit {
        direct.deallocate()
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    /// The slot index of `proc`, if registered.
    @inline(__always)
    func index(_ proc: ProcID) -> Int? {
        let raw = Int(proc.rawValue)
        // One test for the common case: the direct table never exceeds `directLimit`
        // entries, so an id inside it is a direct id.
        if raw < directCount {
            let i = direct[raw]
            return i >= 0 ? Int(i) : nil
        }
        return raw < Self.directLimit ? nil : others[UInt64(raw)].map(Int.init)
    }

    /// The slot index of `proc`, registering it with `initial` if new.
    @inline(__always)
    func register(_ proc: ProcID, _ initial: @autoclosure () -> Slot) -> Int {
        if let known = index(proc) { return known }
        return add(proc, initial())
    }

    private func add(_ proc: ProcID, _ initial: Slot) -> Int {
        let raw = proc.rawValue
        if count == capacity {
            let grown = UnsafeMutablePointer<Slot>.allocate(capacity: capacity * 2)
            grown.moveInitialize(from: slots, count: count)
            slots.deallocate()
            slots = grown
            capacity *= 2
        }
        (slots + count).initialize(to: initial)
        if Int(raw) < Self.directLimit {
            let needed = Int(raw) + 1
            if needed > directCount {
                // Never past `directLimit`: `index` takes any id below `directCount` as direct.
                let size = min(max(needed, directCount * 2, 16), Self.directLimit)
                let grown = UnsafeMutablePointer<Int32>.allocate(capacity: size)
                grown.update(from: direct, count: directCount)
                (grown + directCount).initialize(repeating: -1, count: size - directCount)
                direct.deallocate()
                direct = grown
                directCount = size
            }
            direct[Int(raw)] = Int32(count)
        } else {
            others[UInt64(raw)] = Int32(count)
        }
        procs.append(proc)
        count += 1
        return count - 1
    }

    /// The slot at `index` (valid until the next registration).
    @inline(__always)
    subscript(index: Int) -> UnsafeMutablePointer<Slot> { slots + index }
}

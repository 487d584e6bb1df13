import SchedscopeModel

/// Maps P ids to dense indices 0, 1, 2… in order of first sight, so that per-P figures
/// live in flat arrays. Ids below 65,536 go through a direct array, others (only a forged
/// or foreign trace has them) through an `IDTable`, so a huge id costs no huge array.
struct ProcIndex {
    private var direct: [Int32] = []
    private let others = IDTable<Int32>(capacity: 4)
    /// The P of each index.
    private(set) var procs: [ProcID] = []

    private static let directLimit: UInt32 = 1 << 16

    var count: Int { procs.count }

    /// The index of `proc` (not `.none`), assigned on first sight.
    @inline(__always)
    mutating func index(_ proc: ProcID) -> Int {
        let raw = proc.rawValue
        if raw < Self.directLimit {
            let i = Int(raw)
            if i < direct.count {
                let known = direct[i]
                if known >= 0 { return Int(known) }
            } else {
                direct.append(contentsOf: repeatElement(-1, count: i + 1 - direct.count))
            }
            direct[i] = Int32(procs.count)
        } else {
            if let known = others[UInt64(raw)] { return Int(known) }
            others[UInt64(raw)] = Int32(procs.count)
        }
        procs.append(proc)
        return procs.count - 1
    }

    /// The index of `proc` if it was seen.
    func existingIndex(_ proc: ProcID) -> Int? {
        let raw = proc.rawValue
        if raw < Self.directLimit {
            let i = Int(raw)
            return i < direct.count && direct[i] >= 0 ? Int(direct[i]) : nil
        }
        return others[UInt64(raw)].map(Int.init)
    }
}

@testable import SchedscopeAnalysis
import SchedscopeModel
import Testing

/// `ProcSlots` finds P ids below 65,536 through a direct table and larger ones through a
/// hash table; `index` takes every id below the direct table's size as direct, so the
/// table must never grow past 65,536 entries, however it doubles.
@Suite("ProcSlots: direct and hashed ids, on both sides of 65,536")
struct ProcSlotsTests {
    @Test func everyRegisteredIDIsFoundAndNoOther() {
        let slots = ProcSlots<UInt64>()
        // 40,000 makes the direct table 40,001 long; 65,535 would double it to 80,002,
        // past the limit, and then 65,536…80,001 (hashed ids) must still be found.
        let registered: [UInt32] = [3, 40_000, 65_535, 65_536, 70_000, 80_001, 1 << 31, UInt32.max - 1]
        for (n, id) in registered.enumerated() {
            let index = slots.register(ProcID(id), UInt64(id))
            #expect(index == n, "P \(id)")
        }
        for (n, id) in registered.enumerated() {
            #expect(slots.index(ProcID(id)) == n, "P \(id)")
            #expect(slots.index(ProcID(id)).map { slots[$0].pointee } == UInt64(id), "P \(id)")
        }
        for id: UInt32 in [0, 4, 39_999, 65_534, 65_537, 69_999, 80_002, UInt32.max] {
            #expect(slots.index(ProcID(id)) == nil, "P \(id)")
        }
        #expect(slots.count == registered.count)
        #expect(slots.procs == registered.map { ProcID($0) })
    }
}

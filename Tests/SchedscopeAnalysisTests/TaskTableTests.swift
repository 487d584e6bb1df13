import SchedscopeAnalysis
import SchedscopeSynth
import Testing

/// `TaskTable` against a `Dictionary` doing the same inserts and removals: tasks move from
/// the direct-mapped slots to the hashed table when a newer id needs their slot, the hashed
/// table grows on the insertion path only, and every move, growth and backward-shift
/// deletion must keep each live record findable with the fields it was given.
@Suite("TaskTable: agrees with a dictionary through moves, growth and removal")
struct TaskTableTests {
    @Test(arguments: [1, 2, 3] as [UInt64], [16, 1024])
    func agreesWithADictionary(seed: UInt64, recentSlots: Int) {
        var random = SeededGenerator(seed: seed)
        // 16 hashed slots and, with 16 direct ones, ids 1…4,096 forever taking each other's
        // slots: many moves and growths below.
        let table = TaskTable(capacity: 1, recentSlots: recentSlots)
        var model: [UInt64: UInt64] = [:]
        for step in 0..<20_000 {
            // Ids from a narrow range collide and cluster; a few huge ones probe elsewhere.
            let id = random.next() % 8 == 0 ? random.next() | 1 : 1 + random.next() % 4_096
            if random.next() % 3 == 0 {
                table.remove(id)
                model[id] = nil
            } else {
                var inserted = false
                let record = table.findOrInsert(id, inserted: &inserted)
                #expect(inserted == (model[id] == nil), "step \(step), task \(id)")
                if inserted { #expect(record.pointee.since == 0 && record.pointee.phase == .unknown) }
                record.pointee.since = UInt64(step)
                model[id] = UInt64(step)
            }
        }
        #expect(table.count == model.count)
        for (id, since) in model { #expect(table.find(id)?.pointee.since == since, "task \(id)") }
        var seen = 0
        table.forEach { id, record in
            seen += 1
            #expect(model[id] == record.pointee.since)
        }
        #expect(seen == model.count)
        #expect(table.find(4_097) == nil)
    }
}

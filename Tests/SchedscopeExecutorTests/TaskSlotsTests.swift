import Testing
@testable import SchedscopeExecutor

/// `TaskSlots` against `Dictionary` as the model: the same random inserts, lookups and
/// removals (keys drawn from a small range, so runs collide, wrap around the end of the
/// table and are shifted back by removals; enough of them to grow and shrink it).
@Suite struct TaskSlotsTests {
    struct Entry: Equatable { var a: UInt64; var b: UInt32 }

    /// A seeded xorshift (the test must replay).
    struct Random {
        var state: UInt64
        mutating func next(below bound: UInt64) -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state % bound
        }
    }

    @Test(arguments: [64 as UInt64, 1_000, 100_000])
    func matchesDictionary(keyRange: UInt64) {
        var slots = TaskSlots<Entry>()
        var model: [UInt64: Entry] = [:]
        var random = Random(state: 0x2545_F491_4F6C_DD1D &+ keyRange)
        for step in 0..<200_000 {
            let key = random.next(below: keyRange) + 1
            // Phases: mostly inserting, then mostly removing, so the table grows and shrinks.
            let removing = (step / 20_000) % 2 == 1
            switch random.next(below: 4) {
            case 0, 1:
                if removing {
                    let removed = slots.removeValue(forKey: key)
                    let modelRemoved = model.removeValue(forKey: key) != nil
                    #expect(removed == modelRemoved)
                } else if model[key] == nil {
                    let entry = Entry(a: UInt64(step), b: UInt32(truncatingIfNeeded: key))
                    slots.insert(key, entry)
                    model[key] = entry
                }
            case 2:
                if let index = slots.index(of: key) {
                    slots.update(at: index) { $0.a &+= 1 }
                    model[key]!.a &+= 1
                } else {
                    #expect(model[key] == nil)
                }
            default:
                let found = slots.index(of: key).map { slots.value(at: $0) }
                #expect(found == model[key])
            }
        }
        let count = slots.count
        #expect(count == model.count)
        var seen: [UInt64: Entry] = [:]
        slots.forEach { key, value in seen[key] = value }
        #expect(seen == model)
        for key in model.keys {
            let removed = slots.removeValue(forKey: key)
            #expect(removed)
        }
        let countAfterRemovals = slots.count
        #expect(countAfterRemovals == 0)
        for key in 1...keyRange {
            let found = slots.index(of: key)
            #expect(found == nil)
        }
    }

    /// A nearly full small table (long probe runs): removing every third key from the
    /// middle of the runs keeps the others reachable and the removed ones gone.
    @Test func removalInsideARunKeepsTheRestReachable() {
        var slots = TaskSlots<Entry>()
        let keys: [UInt64] = Array(1...12)  // 12 of 16 slots: long runs
        for key in keys { slots.insert(key, Entry(a: key, b: 0)) }
        for key in stride(from: 1 as UInt64, through: 12, by: 3) {
            let removed = slots.removeValue(forKey: key)
            #expect(removed)
        }
        for key in keys {
            let expected: Entry? = (key - 1) % 3 == 0 ? nil : Entry(a: key, b: 0)
            let found = slots.index(of: key).map { slots.value(at: $0) }
            #expect(found == expected)
        }
    }
}

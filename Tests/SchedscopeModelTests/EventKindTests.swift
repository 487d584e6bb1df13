import SchedscopeModel
import Testing

@Suite("model: event kinds and ids")
struct EventKindTests {
    @Test func namesAreTheDesignVocabulary() {
        // DESIGN.md §4, in order.
        let design = [
            "proc_start", "proc_stop", "proc_steal", "task_create", "task_start", "task_yield", "task_preempt",
            "task_park", "task_unpark", "task_end", "gc_begin", "gc_end", "gc_pause_begin", "gc_pause_end",
            "region_begin", "region_end", "log", "lost",
        ]
        #expect(EventKind.allCases.map(\.name) == design)
        for name in design { #expect(EventKind(name: name)?.name == name) }
        #expect(EventKind(name: "task_sleep") == nil)
    }

    @Test func stopsAreTheFourWaysATaskStopsRunning() {
        #expect(Set(EventKind.allCases.filter(\.stopsTask)) == [.taskYield, .taskPreempt, .taskPark, .taskEnd])
    }

    @Test func stringTableLookupsAreTotal() {
        var table = StringTable()
        #expect(table[StringID.empty] == "")
        let first = table.define(StringID(5), "mutex")
        let second = table.define(StringID(5), "other")
        #expect(first)
        #expect(!second)
        #expect(table[StringID(5)] == "mutex")
        #expect(table[StringID(4)] == "<string #4?>")
        #expect(!table.isDefined(StringID(4)))
        #expect(table.firstID(of: "mutex") == StringID(5))
    }
}

@Suite("model: string table")
struct StringTableTests {
    @Test func aFarIdDoesNotAllocateEveryIdBelowIt() {
        var table = StringTable()
        let near = table.define(StringID(3), "near")
        let far = table.define(StringID(4_000_000), "far")
        let again = table.define(StringID(4_000_000), "again")
        #expect(near && far && !again)
        #expect(table[StringID(4_000_000)] == "far")
        #expect(table.isDefined(StringID(4_000_000)))
        #expect(!table.isDefined(StringID(3_999_999)))
        #expect(table.definedEntries.map(\.id.rawValue) == [0, 3, 4_000_000])
        #expect(table.firstID(of: "far") == StringID(4_000_000))
    }
}

import SchedscopeTestSupport
import Testing

/// `--region NAME` selects the events of one test case: its task while inside the region,
/// and every task created (transitively) from inside it.
@Suite("Region selection")
struct RegionSelectionTests {
    @Test func aRegionSelectsTheTasksOfOneTestCase() async throws {
        let all = try decodeLines(try await schedscope("events", Fixture.demo, "--format", "jsonl").stdout)
        // A test case that ran once (region names repeat in longer runs).
        let begins = all.filter { $0.kind == "region_begin" }
        let names = begins.counted { $0.name }
        let begin = try #require(begins.first { names[$0.name!] == 1 && $0.name!.hasPrefix("Parser") })
        let name = try #require(begin.name)
        let root = try #require(begin.task)

        // The test's family, from the parent links of the whole trace: tasks created by the
        // root while inside the region, and their descendants.
        let end = try #require(all.first { $0.kind == "region_end" && $0.name == name })
        var family: Set<UInt64> = []
        for event in all where event.kind == "task_create" {
            let parent = event.parent ?? 0
            if (parent == root && event.timestamp >= begin.timestamp && event.timestamp <= end.timestamp) || family.contains(parent) {
                family.insert(event.task!)
            }
        }
        #expect(family.count > 3)

        let selected = try decodeLines(try await schedscope("events", Fixture.demo, "--region", name, "--format", "jsonl").stdout)
        let tasks = Set(selected.compactMap(\.task))
        #expect(tasks == family.union([root]))
        #expect(selected.first == begin)
        #expect(selected.contains(end))
        // Every event of the family, and the root's events from its region_begin to its region_end.
        #expect(selected.filter { $0.task != root } == all.filter { $0.task.map(family.contains) ?? false })
        let inside = try #require(all.firstIndex(of: begin))...(try #require(all.firstIndex(of: end)))
        #expect(selected.filter { $0.task == root } == all[inside].filter { $0.task == root })

        // The summary of the region counts the same.
        let summary = try decode(SummaryJSON.self, try await schedscope("summary", Fixture.demo, "--region", name, "--format", "json").stdout)
        #expect(summary.events == UInt64(selected.count))
        #expect(summary.tasks.created == UInt64(family.count))
        #expect(summary.eventsByKind["region_begin"] == 1 && summary.eventsByKind["region_end"] == 1)
    }

    @Test func anUnknownRegionSelectsNothing() async throws {
        let result = try await schedscope("summary", Fixture.tiny, "--region", "NoSuchTests/test0", "--format", "json")
        #expect(result.status == 0, "\(result)")
        #expect(try decode(SummaryJSON.self, result.stdout).events == 0)
    }
}

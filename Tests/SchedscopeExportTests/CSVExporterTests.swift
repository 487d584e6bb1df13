import Foundation
import SchedscopeExport
import SchedscopeFormat
import SchedscopeModel
import SchedscopeSynth
import SchedscopeTestSupport
import Testing

@Suite("CSV export")
struct CSVExporterTests {
    @Test func oneRowPerEventWithStableColumns() throws {
        let builder = ChromeTraceExporterTests.handBuilt()
        let records = try parseCSV(exportText(builder.bytes(), chrome: false))
        #expect(records.first == CSVExporter.columns)
        #expect(records.count == builder.events.count + 1)
        #expect(records.allSatisfy { $0.count == 16 })
        let rows = records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(CSVExporter.columns, $0)) }
        #expect(rows.map { $0["kind"] } == builder.events.map { $0.kind.name })
        #expect(rows.map { $0["ts_ns"] } == builder.events.map { String($0.timestamp) })
    }

    @Test func columnsHoldTheKindsArguments() throws {
        let records = try parseCSV(exportText(ChromeTraceExporterTests.handBuilt().bytes(), chrome: false))
        let rows = records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(CSVExporter.columns, $0)) }
        let create = try #require(rows.first { $0["kind"] == "task_create" && $0["task"] == "2" })
        #expect(create["label"] == "worker, \"quoted\"")
        #expect(create["parent"] == "0")
        #expect(create["runtime"] == "false")
        #expect(create["proc"] == "0")
        let park = try #require(rows.first { $0["kind"] == "task_park" })
        #expect(park["reason"] == ChromeTraceExporterTests.hostileReason)
        #expect(park["task"] == "1")
        #expect(park["label"] == "")
        let steal = try #require(rows.first { $0["kind"] == "proc_steal" })
        #expect(steal["proc"] == "1" && steal["victim"] == "0" && steal["count"] == "1" && steal["task"] == "")
        let region = try #require(rows.first { $0["kind"] == "region_end" })
        #expect(region["name"] == "Tests/<b>bold</b>" && region["task"] == "1")
        let pause = try #require(rows.first { $0["kind"] == "gc_pause_begin" })
        #expect(pause["proc"] == "" && pause["reason"] == "stop the world" && pause["thread"] == "100")
    }

    @Test func synthTraceCountsByKind() throws {
        let sink = ByteSink()
        let workload = SyntheticWorkload(procs: 3, taskLimit: 1_000, seed: 5)
        let writer = try TraceWriter(sink: sink, info: workload.traceInfo, options: SyntheticWorkload.writerOptions)
        let truth = try workload.write(to: writer)
        let records = try parseCSV(exportText(sink.memory, chrome: false))
        #expect(UInt64(records.count - 1) == truth.events)
        var byKind: [String: UInt64] = [:]
        for record in records.dropFirst() { byKind[record[1], default: 0] += 1 }
        for kind in EventKind.allCases {
            #expect(byKind[kind.name, default: 0] == truth.count(kind), "\(kind)")
        }
    }
}

import SchedscopeFormat
import SchedscopeImport
import SchedscopeModel

/// Where a reading command's events come from: a Schedscope trace or an imported foreign
/// one. Either way: events in batches, in time order, their strings, the trace's info,
/// and a report of what was read and what damage was survived.
protocol EventSource: AnyObject {
    var info: TraceInfo { get }
    var strings: StringTable { get }
    /// What was read and survived, in the terms of a .sctrace read (for a foreign trace,
    /// its batches count as chunks and its diagnostics of warning severity as damage).
    var report: ReadReport { get }
    /// "3 chunks corrupt": how `count` skipped units of the file are described.
    func describeSkipped(_ count: Int) -> String
    /// Streams every event in time order, in batches. Can be called once.
    /// - Parameter onThisThread: read on the calling thread only (other threads are busy
    ///   with other traces); else on other threads too when there are cores to spare.
    func streamBatches(onThisThread: Bool, _ body: (UnsafeBufferPointer<Event>) throws -> Void) throws
}

extension EventSource {
    func forEachBatch(onThisThread: Bool = false, _ body: (UnsafeBufferPointer<Event>) throws -> Void) throws {
        try streamBatches(onThisThread: onThisThread, body)
    }
}

extension TraceReader: EventSource {
    func describeSkipped(_ count: Int) -> String { "\(count) chunk\(count == 1 ? "" : "s") corrupt" }

    func streamBatches(onThisThread: Bool, _ body: (UnsafeBufferPointer<Event>) throws -> Void) throws {
        try forEachBatch(parallel: !onThisThread && TraceReader.defaultParallel, body)
    }
}

/// A Go execution trace, imported on the fly.
final class GoTraceSource: EventSource {
    let importer: GoTraceImporter

    init(_ importer: GoTraceImporter) { self.importer = importer }

    var info: TraceInfo { importer.info }
    var strings: StringTable { importer.strings }
    func describeSkipped(_ count: Int) -> String { "\(count) batch\(count == 1 ? "" : "es") dropped" }

    var report: ReadReport {
        let go = importer.report
        var report = ReadReport()
        report.fileSize = go.fileSize
        report.chunksRead = go.batchesRead
        report.chunksCorrupt = go.batchesDropped
        report.eventsRead = go.eventsRead
        report.generations = go.generations
        for diagnostic in go.diagnostics where diagnostic.severity == .warning {
            report.record(TraceDamage(
                kind: diagnostic.name == .truncated ? .truncated : diagnostic.name == .limitExceeded ? .limitExceeded : .malformedPayload,
                byteOffset: diagnostic.byteOffset, chunkIndex: nil, bytesLost: diagnostic.bytesLost,
                message: "\(diagnostic.name.rawValue): \(diagnostic.message)"))
        }
        report.unrecordedDamages += go.unrecordedWarnings
        // The importer keeps only its first diagnostics but counts every one: truncation
        // (usually found last) and bytes lost come from its totals.
        report.truncated = go.truncated
        report.bytesLost = go.bytesLost
        return report
    }

    func streamBatches(onThisThread: Bool, _ body: (UnsafeBufferPointer<Event>) throws -> Void) throws {
        do {
            try importer.forEachBatch(parallel: !onThisThread && GoTraceImporter.defaultParallel, body)
        } catch let error as GoImportError {
            throw TraceFormatError(code: .ioError, path: importer.path, byteOffset: error.byteOffset, reason: error.reason)
        }
    }
}

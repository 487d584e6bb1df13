import ArgumentParser
import SchedscopeAnalysis
import SchedscopeFormat
import SchedscopeImport
import SchedscopeModel
#if canImport(Glibc)
import Glibc
#endif

/// The source end of every reading command's pipeline: opens the trace, streams its
/// events through the selection, and turns failures and damage into messages and exit codes.
struct TraceSession {
    let path: String
    let strict: Bool
    let reader: any EventSource

    /// Opens the trace — a .sctrace, or a Go execution trace (sniffed from its header) —
    /// or exits 1 with a one-line message.
    static func open(_ input: TraceInput) throws -> TraceSession {
        try open(path: input.trace, strict: input.strict)
    }

    /// Opens the trace at `path` (either format) or exits 1 with a one-line message.
    static func open(path: String, strict: Bool) throws -> TraceSession {
        switch attemptOpen(path: path, strict: strict) {
        case .success(let session): return session
        case .failure(let failure):
            Diagnostics.error(failure.message)
            throw ExitCode(1)
        }
    }

    /// Why a trace could not be opened or read: the one line `open` and `runBatches` print.
    struct Failure: Error {
        let message: String
    }

    /// Opens the trace at `path` (either format), printing nothing: for work on another
    /// thread, whose caller prints in order.
    static func attemptOpen(path: String, strict: Bool) -> Result<TraceSession, Failure> {
        do {
            if isGoTrace(path) {
                let importer = try GoTraceImporter(path: path)
                return .success(TraceSession(path: path, strict: strict, reader: GoTraceSource(importer)))
            }
            let reader = try TraceReader(path: path)
            return .success(TraceSession(path: path, strict: strict, reader: reader))
        } catch let error as GoImportError {
            return .failure(Failure(message: error.description))
        } catch {
            return .failure(Failure(message: "\(error)"))
        }
    }

    /// Whether the file starts like a Go execution trace; anything unreadable is left to
    /// TraceReader, whose messages say what is wrong.
    static func isGoTrace(_ path: String) -> Bool {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var prefix = [UInt8](repeating: 0, count: 5)
        let count = read(descriptor, &prefix, 5)
        return count == 5 && GoTraceImporter.looksLikeGoTrace(prefix)
    }

    /// Streams the selected events to `body`, then reports damage (exit 1 under `--strict`).
    func run(_ selection: EventSelection, _ body: (Event) throws -> Void) throws {
        if selection.selectsEverything {
            try runBatches { batch in
                for event in batch { try body(event) }
            }
        } else {
            var filter = EventFilter(selection)
            let reader = self.reader
            try runBatches { batch in
                for event in batch where filter.matches(event, string: { reader.strings[$0] }) { try body(event) }
            }
        }
    }

    /// Streams every event to `body` a batch at a time (the analyses' fast path: no call per
    /// event), then reports damage (exit 1 under `--strict`, or on a read error).
    func runBatches(_ body: (UnsafeBufferPointer<Event>) throws -> Void) throws {
        try exitingOnReadError { try reader.forEachBatch(body) }
        try reportDamage()
    }

    /// Runs a read: a read error is printed, and exits 1.
    private func exitingOnReadError<T>(_ read: () throws -> T) throws -> T {
        do {
            return try read()
        } catch let error as TraceFormatError {
            Diagnostics.error(error.description)
            throw ExitCode(1)
        }
    }

    /// Streams every event to `body` on the calling thread only, printing nothing: for work
    /// on one of several threads, whose caller then prints in order (`reportDamage`).
    func readQuietly(_ body: (UnsafeBufferPointer<Event>) throws -> Void) -> Failure? {
        do {
            try reader.forEachBatch(onThisThread: true, body)
            return nil
        } catch let error as TraceFormatError {
            return Failure(message: error.description)
        } catch {
            return Failure(message: "\(error)")
        }
    }

    /// Reads a .sctrace as segments on every core the process may use, each with its own
    /// consumer, joining the results in file order (`TraceReader.reduceSegments`); then
    /// reports damage as `runBatches` does. nil, with nothing read, when the trace does not
    /// split (one core, a small trace, one generation, a Go trace): use `runBatches`.
    func reduceSegments<Part>(
        read: @escaping @Sendable (TraceReader, Int) throws -> Part, merge: (inout Part, Part) throws -> Void
    ) throws -> Part? {
        guard let trace = reader as? TraceReader else { return nil }
        let joined = try exitingOnReadError { try trace.reduceSegments(read: read, merge: merge) }
        if joined != nil { try reportDamage() }
        return joined
    }

    /// "15,063 events", or "15,063 of 18,614 events" when the trace's end chunk says how
    /// many its producer wrote.
    static func survivors(_ report: ReadReport) -> String {
        guard let written = report.end?.eventsWritten, written >= report.eventsRead else {
            return "\(formatCount(report.eventsRead)) events"
        }
        return "\(formatCount(report.eventsRead)) of \(formatCount(written)) events"
    }

    /// Prints what was lost; with `--strict`, damage is an error. `stoppedEarly`: the
    /// consumer stopped reading (`events --limit`), so only the damage met so far is known.
    func reportDamage(stoppedEarly: Bool = false) throws {
        let report = reader.report
        guard report.isDamaged else { return }
        let damages = report.damages.count + report.unrecordedDamages
        var parts: [String] = []
        if report.truncated { parts.append("the trace is truncated") }
        if report.chunksCorrupt > 0 { parts.append(reader.describeSkipped(report.chunksCorrupt)) }
        if report.bytesLost > 0 { parts.append("\(formatCount(report.bytesLost)) of \(formatCount(report.fileSize)) bytes lost") }
        if parts.isEmpty { parts.append("\(damages) problem\(damages == 1 ? "" : "s") found") }
        let summary = "'\(path)': \(parts.joined(separator: ", "))"
        if strict {
            Diagnostics.error("Cannot read \(summary) (--strict).")
        } else {
            Diagnostics.warning(stoppedEarly
                ? "\(summary) (found before reading stopped)."
                : "\(summary); results cover the \(Self.survivors(report)) that survive.")
        }
        for damage in report.damages.prefix(5) { Diagnostics.note(damage.description) }
        if damages > 5 { Diagnostics.note("… and \(damages - 5) more (schedscope validate lists them all)") }
        if strict { throw ExitCode(1) }
    }
}

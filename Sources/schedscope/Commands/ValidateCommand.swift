import ArgumentParser
import SchedscopeAnalysis
import SchedscopeModel

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a trace's integrity: CRCs, framing, time order and the scheduler state machine.",
        discussion: """
            Reports every damaged chunk (byte offset, what failed) and every event that \
            breaks a rule: time going backwards on a thread, illegal task transitions \
            (start while running, unpark while runnable…), two tasks on one P, unbalanced \
            ranges, undefined strings. Exits 0 when the trace is clean, 2 when anything \
            was found, 1 when it cannot be read at all.

              schedscope validate run.sctrace
              schedscope validate run.sctrace --format json --limit 0
            """
    )

    @OptionGroup var input: TraceInput
    @Option(help: "Print at most this many violations (0 = all that were recorded).") var limit = 20
    @Option(help: "Output format: text or json.") var format: ReportFormat = .text

    func run() throws {
        let session = try TraceSession.open(input)
        let reader = session.reader
        var validator = TraceValidator()
        var events: UInt64 = 0
        do {
            try reader.forEachBatch { batch in
                // The strings change only between batches; fetched per event, the table
                // cost a retain and a release of its storage every time.
                validator.consume(batch, strings: reader.strings)
                events += UInt64(batch.count)
            }
        } catch {
            Diagnostics.error("\(error)")
            throw ExitCode(1)
        }
        validator.finish()
        let report = reader.report
        let violations = limit > 0 ? Array(validator.violations.prefix(limit)) : validator.violations
        let clean = !report.isDamaged && validator.violationCount == 0
        let out = OutputBuffer()
        switch format {
        case .json:
            out.line(JSON.object([
                ("schema", .string("schedscope.validate/1")),
                ("valid", .bool(clean)),
                ("events", .uint(events)),
                ("chunks", .object([("read", .uint(UInt64(report.chunksRead))), ("corrupt", .uint(UInt64(report.chunksCorrupt)))])),
                ("truncated", .bool(report.truncated)),
                ("bytes_lost", .uint(report.bytesLost)),
                ("damage", .array(report.damages.map { damage in
                    .object([
                        ("kind", .string(damage.kind.rawValue)), ("byte_offset", .uint(damage.byteOffset)),
                        ("chunk", damage.chunkIndex.map { .uint(UInt64($0)) } ?? .null),
                        ("bytes_lost", .uint(damage.bytesLost)), ("message", .string(damage.message)),
                    ])
                })),
                ("violation_count", .uint(validator.violationCount)),
                ("violations_by_rule", .object(Violation.Rule.allCases.compactMap { rule in
                    validator.countsByRule[rule].map { (rule.rawValue, .uint($0)) }
                })),
                ("violations", .array(violations.map { violation in
                    .object([
                        ("rule", .string(violation.rule.rawValue)), ("event_index", .uint(violation.eventIndex)),
                        ("ts_ns", .uint(violation.timestamp)), ("thread", .uint(violation.thread.rawValue)),
                        ("message", .string(violation.message)),
                    ])
                })),
            ]).pretty)
        case .text:
            out.line("\(input.trace): \(formatCount(events)) events, \(report.chunksRead) chunks read, \(report.chunksCorrupt) corrupt\(report.truncated ? ", truncated" : "")")
            if !report.damages.isEmpty {
                out.line("Damage (\(report.damages.count + report.unrecordedDamages)):")
                for damage in report.damages { out.line("  \(damage) [\(damage.kind.rawValue)]") }
            }
            if validator.violationCount > 0 {
                let byRule = Violation.Rule.allCases.compactMap { rule in
                    validator.countsByRule[rule].map { "\(formatCount($0)) \(rule.rawValue)" }
                }
                out.line("Violations (\(formatCount(validator.violationCount)): \(byRule.joined(separator: ", "))):")
                for violation in violations { out.line("  \(violation)") }
                if UInt64(violations.count) < validator.violationCount {
                    out.line("  … \(formatCount(validator.violationCount - UInt64(violations.count))) more (--limit 0 shows all recorded)")
                }
            }
            out.line(clean ? "OK: the trace is intact and follows the scheduler state machine." : "FAILED: see above.")
        }
        out.flush()
        if !clean { throw ExitCode(2) }
    }
}

import ArgumentParser
import Foundation
import SchedscopeAnalysis
import SchedscopeFormat
import SchedscopeModel

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare every figure of analyze between a BASE and a HEAD trace, and exit 2 on a regression.",
        discussion: """
            Runs analyze on each trace and puts its figures side by side: base, head, \
            delta, relative change, the limit and the verdict, plus leak groups and \
            regions (tests) that leak in HEAD but in no BASE trace. A metric regresses \
            when it gets worse by more than its limit; lower is better for latency, \
            pauses, leaks and imbalance, while counts such as gc.pauses are context.

            Default limits: any new leak group or newly leaking region, leaks.count \
            +0, imbalance.max_over_mean +10%, imbalance.idle_while_runnable_fraction \
            +25%, preemption.per_busy_second +25%, latency.p99_ns +25%, \
            gc.pause_p95_ns +25%, gc.pause_max_ns +50%. Other metrics have no limit \
            until one is set. A limit is relative (+20%) or absolute (5ms for times, a \
            plain number otherwise); none removes it. --config reads 'METRIC = LIMIT' \
            lines (# comments; 'alpha = 0.01' too); --threshold options come after it.

            With several runs a side (--base A1 A2 … --head B1 B2 …, or directories of \
            .sctrace files), timing metrics regress only when a Mann–Whitney test finds \
            a difference (p < --alpha) and the medians moved beyond the limit; the \
            Hodges–Lehmann shift and its confidence interval are shown. Fewer than 4 \
            runs a side cannot reach p < 0.05 (as benchstat), and one run a side is \
            judged on the limit alone, with a warning. Leak counts are compared exactly \
            (the worst run of each side).

            Metrics: \(DiffMetric.settable.map(\.name).joined(separator: ", ")).

              schedscope diff base.sctrace head.sctrace
              schedscope diff base.sctrace head.sctrace --threshold latency.p99_ns=+10%
              schedscope diff base.sctrace head.sctrace --threshold gc.pause_max_ns=5ms
              schedscope diff base.sctrace head.sctrace --config ci/diff-limits.conf
              schedscope diff --base runs/base --head runs/head --format markdown

            Exit codes: 0 nothing regressed · 2 something regressed · 1 a trace cannot \
            be read · 64 bad usage (unknown metric, bad limit, bad threshold file).
            """
    )

    @Argument(help: ArgumentHelp("BASE and HEAD: a trace, or a directory of runs, each (or use --base and --head).", valueName: "trace"),
              completion: .file(extensions: ["sctrace"]))
    var traces: [String] = []

    @Option(name: .customLong("base"), parsing: .upToNextOption,
            help: ArgumentHelp("BASE's runs: traces, or directories of .sctrace files.", valueName: "trace"))
    var baseTraces: [String] = []

    @Option(name: .customLong("head"), parsing: .upToNextOption,
            help: ArgumentHelp("HEAD's runs: traces, or directories of .sctrace files.", valueName: "trace"))
    var headTraces: [String] = []

    @Option(name: .customLong("threshold"),
            help: ArgumentHelp("Set a metric's limit: +20% (relative), 5ms or 0.05 (absolute), none (repeatable).",
                               valueName: "metric=limit"))
    var thresholdSettings: [String] = []

    @Option(help: ArgumentHelp("A threshold file: one 'METRIC = LIMIT' per line, # comments.", valueName: "file"),
            completion: .file())
    var config: String?

    @Option(help: ArgumentHelp("Significance level of the Mann–Whitney test with several runs a side (default 0.05).", valueName: "p"))
    var alpha: Double?

    @Option(help: "Output format: text, markdown (a pull-request comment) or json.") var format: DiffFormat = .text
    @Option(help: ArgumentHelp("The length of the imbalance windows; \(Duration.help).", valueName: "dur"))
    var window = Duration.defaultImbalanceWindow
    @OptionGroup var leaks: LeakOptionGroup
    @OptionGroup var runtime: RuntimeOption
    @Flag(help: "Treat any damage (truncation, corrupt chunks) as an error: exit 1 instead of reading what survives.")
    var strict = false

    func validate() throws {
        let sides = !baseTraces.isEmpty || !headTraces.isEmpty
        if sides {
            guard traces.isEmpty else {
                throw ValidationError("Give BASE and HEAD either as two arguments or with --base and --head, not both.")
            }
            guard !baseTraces.isEmpty, !headTraces.isEmpty else {
                throw ValidationError("--base and --head go together: give at least one trace (or directory) to each.")
            }
        } else if traces.count != 2 {
            throw ValidationError(traces.isEmpty
                ? "Missing BASE and HEAD: give two traces, or --base … --head …."
                : "Expected two traces, BASE and HEAD, not \(traces.count).")
        }
        guard window.nanoseconds > 0 else { throw ValidationError("--window must be longer than 0 ns.") }
        if let alpha, !(alpha > 0 && alpha < 1) { throw ValidationError("--alpha must be between 0 and 1, not \(alpha).") }
        _ = try thresholds()
    }

    /// The defaults, then the file, then each --threshold, then --alpha.
    func thresholds() throws -> DiffThresholds {
        var thresholds = DiffThresholds()
        do {
            if let config {
                let text: String
                do {
                    // A threshold file is a few lines; a huge one is a mistake, not something to read whole.
                    let size = (try FileManager.default.attributesOfItem(atPath: config)[.size] as? NSNumber)?.intValue ?? 0
                    guard size <= DiffInputs.maximumConfigBytes else {
                        throw DiffSetupError(
                            "Threshold file '\(config)' is \(formatCount(size)) bytes; expected a few lines (at most \(formatCount(DiffInputs.maximumConfigBytes)) bytes)")
                    }
                    text = try String(contentsOfFile: config, encoding: .utf8)
                } catch let error as DiffSetupError {
                    throw error
                } catch {
                    throw DiffSetupError("Cannot read threshold file '\(config)': \(Self.reason(error))")
                }
                try thresholds.read(file: text, named: config)
            }
            for setting in thresholdSettings { try thresholds.set(setting) }
        } catch let error as DiffSetupError {
            throw ValidationError(error.message)
        }
        if let alpha { thresholds.alpha = alpha }
        return thresholds
    }

    func run() throws {
        let thresholds = try thresholds()
        let basePaths = try DiffInputs.expand(traces.isEmpty ? baseTraces : [traces[0]])
        let headPaths = try DiffInputs.expand(traces.isEmpty ? headTraces : [traces[1]])
        for (side, paths) in [("BASE", basePaths), ("HEAD", headPaths)] where paths.count > DiffInputs.maximumRuns {
            // The Hodges–Lehmann interval sorts every pair of runs: n² values.
            Diagnostics.error("\(side) has \(paths.count) traces; diff compares at most \(DiffInputs.maximumRuns) runs a side.")
            throw ExitCode(64)
        }
        let figures = try DiffInputs.figures(
            paths: basePaths + headPaths, strict: strict, windowSize: window.nanoseconds, includeRuntime: runtime.includeRuntime,
            leakOptions: leaks.options(includeRuntime: runtime.includeRuntime), ignoring: try leaks.ignoring())
        let base = Array(figures[..<basePaths.count])
        let head = Array(figures[basePaths.count...])
        let report = TraceComparison.compare(base: base, head: head, thresholds: thresholds)
        for warning in report.warnings { Diagnostics.warning(warning + ".") }
        let sides = DiffRendering.Sides(base: basePaths, head: headPaths)
        let out = OutputBuffer()
        switch format {
        case .text: out.write(DiffRendering.text(report, sides, colour: DiffRendering.useColour))
        case .markdown: out.write(DiffRendering.markdown(report, sides))
        case .json: out.line(DiffRendering.json(report, sides).pretty)
        }
        out.flush()
        if report.regressed { throw ExitCode(2) }
    }

    static func reason(_ error: any Error) -> String {
        let cocoa = error as NSError
        if let posix = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(posix.code)))
        }
        if cocoa.domain == NSCocoaErrorDomain && cocoa.code == NSFileReadNoSuchFileError { return "no such file" }
        return cocoa.localizedDescription
    }
}

/// `--format` of `diff`.
enum DiffFormat: String, ExpressibleByArgument, CaseIterable {
    case text, markdown, json
}

/// The source end of `diff`: which files a side names, and each trace's figures.
enum DiffInputs {
    static let maximumRuns = 1000
    static let maximumConfigBytes = 1 << 20

    /// The paths as given, with each directory replaced by its `.sctrace` files in name order.
    /// - Throws: exit 1 for a directory without traces.
    static func expand(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                files.append(path)  // a missing file is reported when it is opened
                continue
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            let traces = names.filter { $0.hasSuffix(".sctrace") }.sorted()
            guard !traces.isEmpty else {
                Diagnostics.error("Cannot read '\(path)': the directory holds no .sctrace file.")
                throw ExitCode(1)
            }
            files += traces.map { (path as NSString).appendingPathComponent($0) }
        }
        return files
    }

    /// Every trace's figures, in order. With more than one core, the traces are analysed
    /// side by side, each read whole by one thread (`OrderedWorkPool`): the traces are
    /// independent, so each core does a whole trace's work, which beats splitting one
    /// trace's reading over the cores. Messages, warnings and a failure come in the order of
    /// the traces, as when they are read one after another (as they are on one core).
    static func figures(
        paths: [String], strict: Bool, windowSize: UInt64, includeRuntime: Bool, leakOptions: LeakOptions,
        ignoring: ((String) -> Bool)?
    ) throws -> [TraceFigures] {
        let analyze = { @Sendable (index: Int) in
            TraceAnalysisOutcome.analyze(path: paths[index], strict: strict, windowSize: windowSize,
                                         includeRuntime: includeRuntime, leakOptions: leakOptions)
        }
        // As many as a segmented read uses (memory grows with the traces in flight).
        let threads = min(TraceReader.defaultSegmentThreads, paths.count)
        let pool = threads > 1 ? OrderedWorkPool(count: paths.count, threads: threads, window: threads + 1, work: analyze) : nil
        defer { pool?.finish() }
        return try paths.indices.map { index in
            switch pool?.take(index) ?? analyze(index) {
            case .failed(let failure):
                Diagnostics.error(failure.message)
                throw ExitCode(1)
            case .analysed(let session, var analysis):
                try session.reportDamage()
                let report = analysis.finish(strings: session.reader.strings, ignoringLeaks: ignoring)
                Diagnostics.warnOfUntrackedProcs(
                    paths[index], imbalanceEvents: report.imbalance.untrackedProcEvents,
                    latencySamples: report.latency.untrackedProcSamples)
                return TraceFigures(report)
            }
        }
    }
}

/// One of `diff`'s traces read through every analysis, as `analyze` does, on the calling
/// thread and printing nothing: the opened session and the analysis (finished by the
/// caller, which also prints the damage), or why the trace could not be opened or read.
/// Unchecked: made on a thread of `diff`'s pool, then only used by the caller.
enum TraceAnalysisOutcome: @unchecked Sendable {
    case analysed(TraceSession, FullAnalysis)
    case failed(TraceSession.Failure)

    static func analyze(
        path: String, strict: Bool, windowSize: UInt64, includeRuntime: Bool, leakOptions: LeakOptions
    ) -> TraceAnalysisOutcome {
        let session: TraceSession
        switch TraceSession.attemptOpen(path: path, strict: strict) {
        case .success(let opened): session = opened
        case .failure(let failure): return .failed(failure)
        }
        var analysis = FullAnalysis(
            procCount: session.reader.info.procCount, windowSize: windowSize, includeRuntime: includeRuntime,
            leakOptions: leakOptions)
        if let failure = session.readQuietly({ analysis.consume($0) }) { return .failed(failure) }
        return .analysed(session, analysis)
    }
}

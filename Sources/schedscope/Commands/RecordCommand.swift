import ArgumentParser
import Foundation
import SchedscopeFormat

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Run a command with recording on (SCHEDSCOPE_TRACE) and say where its trace went.",
        discussion: """
            Sets SCHEDSCOPE_TRACE to the absolute path of -o for COMMAND and its children. \
            Programs record when they call Recorder.startFromEnvironment() or run tests with \
            SchedscopeTesting (.checksTaskLeaks, checkingTaskLeaks), which start the \
            recording themselves. A '%p' in the path becomes each process's id, so that \
            several processes (parallel test runners) write separate traces.

            --executor also sets SCHEDSCOPE_EXECUTOR, which a program that calls \
            SchedscopeExecutor.installFromEnvironment() at start-up reads to run all its \
            tasks on the instrumented executor: 'hook' (the global-enqueue hook; yields \
            and sleeps stay on Swift's threads) or 'default' (the process's default \
            executor, through an experimental runtime SPI; sees yields and sleeps too).

              schedscope record -o run.sctrace -- swift test
              schedscope leaks --by-region run.sctrace
              schedscope record -o 'run-%p.sctrace' -- ./my-server --port 8080
              schedscope record --executor default -o app.sctrace -- ./my-app

            Exits with COMMAND's exit status when it fails (a failing test run stays a \
            failure); 1 when COMMAND ran but wrote no trace, or could not be started.
            """
    )

    @Option(name: .shortAndLong, help: "Where the trace goes ('%p' becomes the process id).")
    var output: String

    @Option(help: "Run COMMAND's tasks on the instrumented executor (sets SCHEDSCOPE_EXECUTOR, read by SchedscopeExecutor.installFromEnvironment()).")
    var executor: ExecutorMode?

    enum ExecutorMode: String, ExpressibleByArgument, CaseIterable {
        case hook
        case `default`
    }

    @Argument(parsing: .captureForPassthrough, help: "The command to run, after '--'.")
    var command: [String] = []

    func validate() throws {
        if command.first == "--" { return }
        if command.isEmpty { throw ValidationError("Missing the command to record: schedscope record -o TRACE -- COMMAND …") }
    }

    func run() throws {
        let arguments = command.first == "--" ? Array(command.dropFirst()) : command
        guard !arguments.isEmpty else {
            throw ValidationError("Missing the command to record: schedscope record -o TRACE -- COMMAND …")
        }
        let path = URL(fileURLWithPath: output).standardizedFileURL.path
        let started = Date()
        if !path.contains("%p") { try? FileManager.default.removeItem(atPath: path) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SCHEDSCOPE_TRACE"] = path
        // Set or cleared, never inherited: a record inside a recorded run (a test that
        // records) gets the mode it asks for.
        environment["SCHEDSCOPE_EXECUTOR"] = executor?.rawValue
        process.environment = environment
        do {
            try process.run()
        } catch {
            Diagnostics.error("Cannot run '\(arguments[0])': \(error.localizedDescription)")
            throw ExitCode(1)
        }
        process.waitUntilExit()
        let status = process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus

        let traces = Self.tracesWritten(pattern: path, since: started)
        if traces.isEmpty {
            Diagnostics.error("'\(arguments.joined(separator: " "))' wrote no trace at \(output).")
            Diagnostics.note("Does it call Recorder.startFromEnvironment(), or run its tests with SchedscopeTesting?")
            throw ExitCode(status != 0 ? status : 1)
        }
        for trace in traces {
            let (description, procsStarted) = Self.describe(trace)
            Diagnostics.info(description)
            if let executor, procsStarted == 0 {
                // Asked for a mode, yet no P of any executor ever started in this trace.
                Diagnostics.note("--executor \(executor.rawValue): no executor ran in \(trace). Does the program call SchedscopeExecutor.installFromEnvironment(), after Recorder.startFromEnvironment()?")
            }
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// The files the run wrote: the path itself, or every file matching its `%p` pattern
    /// that changed since the run started.
    static func tracesWritten(pattern: String, since start: Date) -> [String] {
        let fileManager = FileManager.default
        guard pattern.contains("%p") else { return fileManager.fileExists(atPath: pattern) ? [pattern] : [] }
        let directory = (pattern as NSString).deletingLastPathComponent
        let namePattern = (pattern as NSString).lastPathComponent
        let parts = namePattern.components(separatedBy: "%p")
        guard parts.count == 2, let names = try? fileManager.contentsOfDirectory(atPath: directory) else { return [] }
        return names.filter { name in
            guard name.hasPrefix(parts[0]), name.hasSuffix(parts[1]), name.count > parts[0].count + parts[1].count else { return false }
            let middle = name.dropFirst(parts[0].count).dropLast(parts[1].count)
            guard middle.allSatisfy(\.isNumber) else { return false }
            let attributes = try? fileManager.attributesOfItem(atPath: directory + "/" + name)
            return (attributes?[.modificationDate] as? Date).map { $0 >= start.addingTimeInterval(-1) } ?? false
        }.sorted().map { directory + "/" + $0 }
    }

    /// "recorded PATH: SIZE, N events, M tasks" (or what went wrong reading it).
    /// One line about the trace at `path`, and how many `proc_start` events it holds (nil
    /// when it cannot be read).
    static func describe(_ path: String) -> (line: String, procsStarted: UInt64?) {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64) ?? 0
        do {
            let reader = try TraceReader(path: path)
            var events: UInt64 = 0
            var tasks: UInt64 = 0
            var procsStarted: UInt64 = 0
            try reader.forEachBatch { batch in
                for event in batch {
                    events += 1
                    if event.kind == .taskCreate { tasks += 1 }
                    if event.kind == .procStart { procsStarted += 1 }
                }
            }
            return ("recorded \(path): \(formatCount(size)) bytes, \(formatCount(events)) events, \(formatCount(tasks)) tasks created", procsStarted)
        } catch {
            return ("recorded \(path): \(formatCount(size)) bytes, but it cannot be read: \(error)", nil)
        }
    }
}

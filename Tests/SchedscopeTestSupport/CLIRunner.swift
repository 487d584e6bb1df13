import Foundation
import Synchronization

/// What one run of a command printed and how it ended.
public struct CLIResult: Sendable, CustomStringConvertible {
    /// The command line, starting with the executable's name.
    public var commandLine: [String]
    public var stdout: String
    public var stderr: String
    /// The exit status, or 128 + the signal number if the process was killed (as a shell reports it).
    public var status: Int32

    /// The non-empty lines of standard error.
    public var stderrLines: [String] {
        stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// The non-empty lines of standard output.
    public var stdoutLines: [String] {
        stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    public var description: String {
        "`\(commandLine.joined(separator: " "))` exited \(status)\n--- stderr:\n\(stderr)--- stdout (first 2000 characters):\n\(stdout.prefix(2000))"
    }
}

/// Runs a built executable of this package as a user would, and captures what it prints.
///
/// The executable is looked for where the test bundle was built (the products directory
/// of the current `swift build`/`swift test`, whatever its `--scratch-path` or
/// configuration), then in `.build/debug`; `SCHEDSCOPE_BINARY` overrides both.
public struct CLIRunner: Sendable {
    /// The executable that `run` starts.
    public let executable: URL

    /// The package's root directory (where Package.swift is).
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // SchedscopeTestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// `Fixtures/` in the package.
    public static let fixtures = packageRoot.appendingPathComponent("Fixtures", isDirectory: true)

    /// Kills a command that runs longer than this (no input may hang the tools).
    public static let timeoutSeconds = 120.0

    public init(executable: URL) {
        self.executable = executable
    }

    /// The runner for the executable product `name`, or an error that says where it was looked for.
    public static func product(_ name: String) throws -> CLIRunner {
        let candidates = candidateDirectories().map { $0.appendingPathComponent(name) }
        if let override = ProcessInfo.processInfo.environment["SCHEDSCOPE_BINARY"], !override.isEmpty {
            return CLIRunner(executable: URL(fileURLWithPath: override))
        }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return CLIRunner(executable: candidate)
        }
        throw CLIRunnerError(message: """
            Cannot find the '\(name)' executable; looked in: \(candidates.map(\.path).joined(separator: ", ")). \
            Build it first (swift build), or set SCHEDSCOPE_BINARY to its path.
            """)
    }

    /// Directories that may hold the products of the build that made this test bundle.
    private static func candidateDirectories() -> [URL] {
        var directories: [URL] = []
        // macOS: the tests live in an .xctest bundle inside the products directory.
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        // Linux: the test runner is itself an executable in the products directory.
        if let runner = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var directory = runner.deletingLastPathComponent()
            while directory.path != "/", directory.pathExtension == "xctest" || directory.lastPathComponent == "MacOS"
                || directory.lastPathComponent == "Contents" {
                directory = directory.deletingLastPathComponent()
            }
            directories.append(directory)
        }
        directories.append(packageRoot.appendingPathComponent(".build/debug", isDirectory: true))
        return directories
    }

    /// Runs the executable with `arguments` in `directory` (default: the package root,
    /// so that `Fixtures/…` paths work and print the same everywhere) and waits for it.
    ///
    /// Output goes to files, not pipes, so a command that prints megabytes cannot block.
    /// The terminal width is fixed at 80 columns, so help text wraps the same everywhere.
    public func run(_ arguments: [String], in directory: URL = CLIRunner.packageRoot) async throws -> CLIResult {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("schedscope-cli-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let stdoutURL = scratch.appendingPathComponent("stdout")
        let stderrURL = scratch.appendingPathComponent("stderr")
        try Data().write(to: stdoutURL)
        try Data().write(to: stderrURL)
        let stdout = try FileHandle(forWritingTo: stdoutURL)
        let stderr = try FileHandle(forWritingTo: stderrURL)

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "80"
        environment["LINES"] = "24"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr

        let watchdog = ChildWatchdog()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in
                watchdog.ended()
                continuation.resume()
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            watchdog.started(process.processIdentifier, timeout: Self.timeoutSeconds)
        }
        try stdout.close()
        try stderr.close()
        let status = process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
        return CLIResult(
            commandLine: [executable.lastPathComponent] + arguments,
            stdout: String(decoding: try Data(contentsOf: stdoutURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self),
            status: status)
    }
}

/// The executable could not be found.
public struct CLIRunnerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Kills a child that runs past its timeout. It only ever signals a child that has been
/// started and has not been reported ended, so it cannot hit a process that is not ours.
private final class ChildWatchdog: Sendable {
    private enum State { case notStarted, running(pid_t), ended }
    private let state = Mutex(State.notStarted)

    func started(_ pid: pid_t, timeout: Double) {
        let isRunning = state.withLock { state in
            guard case .notStarted = state else { return false }
            state = .running(pid)
            return true
        }
        guard isRunning else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [self] in
            state.withLock { state in
                if case .running(let pid) = state { kill(pid, SIGKILL) }
            }
        }
    }

    func ended() {
        state.withLock { $0 = .ended }
    }
}

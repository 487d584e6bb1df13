import Foundation
import SchedscopeAnalysis

/// Writes diagnostics to standard error (results go to standard output).
enum Diagnostics {
    static func error(_ message: String) {
        write("error: \(message)")
    }

    static func warning(_ message: String) {
        write("warning: \(message)")
    }

    /// A report about the run itself (`record`: where the trace went), kept off stdout,
    /// which belongs to the recorded command.
    static func info(_ message: String) {
        write("schedscope: \(message)")
    }

    static func note(_ message: String) {
        write("  \(message)")
    }

    /// Warns when a trace named more Ps than the analyses follow one by one (only a forged
    /// or corrupt trace does): the per-P figures then leave the others out.
    static func warnOfUntrackedProcs(_ trace: String, imbalanceEvents: UInt64 = 0, latencySamples: UInt64 = 0) {
        guard imbalanceEvents > 0 || latencySamples > 0 else { return }
        warning("'\(trace)' names more than \(formatCount(UInt64(AnalysisLimits.maxTrackedProcs))) Ps; the analyses follow the first \(formatCount(UInt64(AnalysisLimits.maxTrackedProcs))) and leave the others out of the per-P figures (\(formatCount(imbalanceEvents)) events and \(formatCount(latencySamples)) latency samples on them)")
    }

    private static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Buffered standard output: printing millions of lines through `print` is slow.
final class OutputBuffer {
    private var buffer: [UInt8] = []
    private let handle = FileHandle.standardOutput

    init() { buffer.reserveCapacity(1 << 16) }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Lets `build` append bytes to the buffer (a line at a time: the buffer is flushed
    /// once it holds 64 KiB).
    func append(_ build: (inout [UInt8]) -> Void) {
        build(&buffer)
        if buffer.count >= 1 << 16 { flush() }
    }

    func line(_ text: String) {
        write(text)
        buffer.append(10)
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    deinit { flush() }
}

import ArgumentParser
import Foundation

/// A file a command writes (`-o PATH`, or `-o -` for standard output). A command that
/// fails leaves no half-written file behind; only a regular file it created is removed
/// (never a device such as `-o /dev/null`, nor what a symbolic link points to).
final class OutputFile {
    let path: String
    private let handle: FileHandle
    private let isStandardOutput: Bool
    private var finished = false

    /// Creates (or truncates) `path`, or exits 1 with a message naming it.
    init(_ path: String) throws {
        self.path = path
        if path == "-" {
            handle = FileHandle.standardOutput
            isStandardOutput = true
            return
        }
        isStandardOutput = false
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            Diagnostics.error("Cannot write '\(path)': \(String(cString: strerror(errno))).")
            throw ExitCode(1)
        }
        self.handle = handle
    }

    /// Where the bytes end up, for messages.
    var displayName: String { isStandardOutput ? "standard output" : "'\(path)'" }

    func write(_ bytes: [UInt8]) throws {
        do {
            try handle.write(contentsOf: Data(bytes))
        } catch {
            Diagnostics.error("Cannot write \(displayName): \(error.localizedDescription).")
            throw ExitCode(1)
        }
    }

    /// Marks the output complete and closes it.
    func finish() throws {
        finished = true
        if !isStandardOutput { try? handle.close() }
    }

    /// Refuses an output path that is the input (writing would truncate what is being read).
    static func checkDistinct(output: String, input: String) throws {
        guard output != "-" else { return }
        if output == input {
            throw ValidationError("-o must name a different file than the input ('\(output)').")
        }
        var first = stat(), second = stat()
        if stat(output, &first) == 0, stat(input, &second) == 0, first.st_dev == second.st_dev, first.st_ino == second.st_ino {
            throw ValidationError("-o must name a different file than the input ('\(output)' and '\(input)' are the same file).")
        }
    }

    deinit {
        guard !finished, !isStandardOutput else { return }
        try? handle.close()
        var info = stat()
        if lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG { unlink(path) }
    }
}

#if canImport(Glibc)
import Glibc
#endif

extension Recorder {
    /// The environment variable that turns recording on: `SCHEDSCOPE_TRACE=path`.
    public static let environmentVariable = "SCHEDSCOPE_TRACE"

    /// The start-up hook: starts a recording to the path in `SCHEDSCOPE_TRACE`, if it is
    /// set and not empty. A `%p` in the path becomes the process id, so that several
    /// processes of one run write separate traces. The recording is stopped, and its
    /// buffers written, at normal exit (or by `stop()`).
    ///
    /// Call it early in `main`, or in a test suite's set-up.
    /// - Parameter options: the recording's options (defaults otherwise).
    /// - Returns: whether a recording was started.
    /// - Throws: as `start(path:options:)`.
    @discardableResult
    public static func startFromEnvironment(options: RecorderOptions = RecorderOptions()) throws(RecorderError) -> Bool {
        guard let value = getenv(environmentVariable) else { return false }
        let raw = String(cString: value)
        guard !raw.isEmpty else { return false }
        let path = raw.replacingPercentP(with: String(getpid()))
        try start(path: path, options: options)
        return true
    }
}

extension String {
    /// `self` with every `%p` replaced (no Foundation here).
    fileprivate func replacingPercentP(with replacement: String) -> String {
        var result = ""
        var iterator = makeIterator()
        while let character = iterator.next() {
            if character == "%" {
                if let next = iterator.next() {
                    if next == "p" { result += replacement } else { result.append(character); result.append(next) }
                } else {
                    result.append(character)
                }
            } else {
                result.append(character)
            }
        }
        return result
    }
}

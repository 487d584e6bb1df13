#if canImport(Glibc)
import Glibc
#endif

/// Starts a POSIX thread that runs `body` and ends with it: the one place the package
/// creates threads (the reader's merge stage, the executor's Ms, the recorder's flusher).
/// - Returns: the thread, to join, or `pthread_create`'s error number.
package func startThread(_ body: @escaping () -> Void) -> Result<pthread_t, ThreadStartError> {
    // The closure is handed to exactly one thread, which releases it.
    final class Work: @unchecked Sendable {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
    let work = Unmanaged.passRetained(Work(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(&thread, nil, { context in
        let work = Unmanaged<Work>.fromOpaque(context!).takeRetainedValue()
        work.body()
        return nil
    }, work)
    guard result == 0 else {
        Unmanaged<Work>.fromOpaque(work).release()
        return .failure(ThreadStartError(errorNumber: result))
    }
    return .success(thread)
}

/// `pthread_create` failed (`EAGAIN`: the system's thread limit; `ENOMEM`).
package struct ThreadStartError: Error {
    package let errorNumber: Int32

    package init(errorNumber: Int32) { self.errorNumber = errorNumber }
}

/// How a reader starts its background threads: `startThread`, or in tests one that fails.
package typealias ThreadStarter = (@escaping () -> Void) -> Result<pthread_t, ThreadStartError>

/// Runs `body` on a new POSIX thread; `join` waits for it. (A dedicated thread, not a
/// Dispatch queue: the producer of a pipeline runs for the whole read and blocks on it.)
package struct BackgroundThread: ~Copyable {
    private let thread: pthread_t

    /// Starts the thread; nil if the system will not start one (its thread limit reached,
    /// say, by a CI job's many processes), and `body` is then never run. Readers fall back
    /// to reading on the calling thread: slower, not wrong.
    package init?(starter: ThreadStarter = startThread, _ body: @escaping () -> Void) {
        guard case .success(let thread) = starter(body) else { return nil }
        self.thread = thread
    }

    package consuming func join() {
        pthread_join(thread, nil)
    }
}

/// Processors this process may run on (its affinity mask, so `taskset -c 0` means one),
/// for choosing whether to produce events on a background thread.
package func availableProcessorCount() -> Int {
    var mask = [UInt64](repeating: 0, count: 16)  // 1024 CPUs, glibc's cpu_set_t
    let status = mask.withUnsafeMutableBytes { linuxSchedGetAffinity(0, $0.count, $0.baseAddress!) }
    if status == 0 {
        let count = mask.reduce(0) { $0 + $1.nonzeroBitCount }
        if count > 0 { return count }
    }
    let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
    return online > 0 ? online : 1
}

// glibc declares sched_getaffinity only under _GNU_SOURCE, which the Glibc module does not
// set; the symbol itself is always there.
@_silgen_name("sched_getaffinity")
private func linuxSchedGetAffinity(_ pid: Int32, _ size: Int, _ mask: UnsafeMutableRawPointer) -> Int32

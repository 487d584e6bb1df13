import CSchedscopeExecutor
import Synchronization

/// The executor that the global hook feeds. Written before the hook is installed (the C
/// side's release store of the handler publishes it to the threads the hook runs on) and
/// never changed afterwards.
/// (Also the one `installAsDefaultExecutor` makes: a process has one whole-process executor.)
nonisolated(unsafe) var globallyInstalledExecutor: SchedscopeExecutor?
/// Serializes `installGlobally` and `installAsDefaultExecutor` (the hook reads
/// `globallyInstalledExecutor` without it: it is set, once, before the hook is installed).
let globalInstallation = Mutex<Void>(())

extension SchedscopeExecutor {
    /// Whole-process mode: routes every job that the runtime would give its default global
    /// executor into a new executor, through `swift_task_enqueueGlobal_hook`.
    ///
    /// What the hook does not see on Swift 6.3 (docs/EXECUTOR.md): `Task.yield`
    /// continuations and `Task.sleep` timers, which the runtime's default executor handles
    /// itself, and main-actor jobs. Installed once per process; later calls return the
    /// same executor (as does `installAsDefaultExecutor`, the other whole-process mode, which
    /// sees yields and sleeps too).
    ///
    /// ```swift
    /// let executor = SchedscopeExecutor.installGlobally()
    /// ```
    ///
    /// - Parameter configuration: Ps, names, tracking.
    /// - Returns: the executor now running the process's default-executor jobs.
    @discardableResult
    public static func installGlobally(_ configuration: ExecutorConfiguration = ExecutorConfiguration()) -> SchedscopeExecutor {
        // Under a lock, so that concurrent first calls make one executor, not one each.
        globalInstallation.withLock { _ in
            if let installed = globallyInstalledExecutor { return installed }
            let executor = SchedscopeExecutor(configuration, mode: .wholeProcess)
            globallyInstalledExecutor = executor
            schedscope_install_global_hook { job in
                globallyInstalledExecutor!.enqueue(word: UInt(bitPattern: job))
            }
            return executor
        }
    }
}

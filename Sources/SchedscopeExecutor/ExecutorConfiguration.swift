import CSchedscopeExecutor

/// How a `SchedscopeExecutor` is set up.
public struct ExecutorConfiguration: Sendable {
    /// Whether the executor follows tasks (create, start, park, end) in a table, which the
    /// recording of task events and in-process leak checks need.
    public enum TaskTracking: Sendable {
        /// On when a recording is running as the executor is created.
        case automatic
        case on
        case off
    }

    /// Number of Ps (and of worker threads): 1…64, clamped into that range however it is
    /// set. Default: the CPUs this process may use.
    public var procCount: Int {
        get { clampedProcCount }
        set { clampedProcCount = min(max(newValue, 1), IdleProcs.maxProcs) }
    }
    private var clampedProcCount = 1
    /// The executor's name; its threads are named `NAME-P<n>` (NAME shortened to fit the 15
    /// bytes Linux allows a thread name).
    public var name: String
    public var taskTracking: TaskTracking
    /// Seed of the Ps' steal-victim random sources (P p uses `stealSeed + p`), so that a run
    /// can be repeated with the same choices.
    public var stealSeed: UInt64
    /// How long an idle P keeps looking at the other Ps' queues before it parks.
    public var spinMicroseconds: Int
    /// Whether events go to the process's `Recorder` (when it records). Off for an executor
    /// that must not write into a recording someone else started.
    public var recordsEvents: Bool

    /// - Parameters:
    ///   - procCount: the number of Ps; `nil` for the CPUs this process may use.
    ///   - name: names the worker threads.
    ///   - taskTracking: see `TaskTracking`.
    public init(procCount: Int? = nil, name: String = "schedscope", taskTracking: TaskTracking = .automatic,
                stealSeed: UInt64 = 0x5EED, spinMicroseconds: Int = 20, recordsEvents: Bool = true) {
        self.name = name
        self.taskTracking = taskTracking
        self.stealSeed = stealSeed
        self.spinMicroseconds = spinMicroseconds
        self.recordsEvents = recordsEvents
        self.procCount = procCount ?? Int(schedscope_available_cpus())
    }
}

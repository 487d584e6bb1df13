import SchedscopeModel
import SchedscopeRecorder

/// Where the scheduler core reports what its Ps do. Generic, so that the recorder calls
/// inline into the scheduler and a stepped test can collect the same events in order.
package protocol SchedulerEventSink: Sendable {
    /// P `proc` starts running on the calling thread.
    func procStart(_ proc: Int)
    /// P `proc` goes idle.
    func procStop(_ proc: Int)
    /// P `thief` took `count` jobs from `victim`'s run queue.
    func procSteal(thief: Int, victim: Int, count: Int)
}

/// The executor's sink: the process's recorder (a no-op branch when no recording runs),
/// unless the executor was configured not to record (`ExecutorConfiguration.recordsEvents`).
package struct RecorderEventSink: SchedulerEventSink {
    let enabled: Bool

    package init(enabled: Bool = true) { self.enabled = enabled }

    @inline(__always)
    package func procStart(_ proc: Int) {
        if enabled { Recorder.procStart(ProcID(rawValue: UInt32(proc))) }
    }

    @inline(__always)
    package func procStop(_ proc: Int) {
        if enabled { Recorder.procStop(ProcID(rawValue: UInt32(proc))) }
    }

    @inline(__always)
    package func procSteal(thief: Int, victim: Int, count: Int) {
        if enabled {
            Recorder.procSteal(ProcID(rawValue: UInt32(thief)), from: ProcID(rawValue: UInt32(victim)), count: UInt64(count))
        }
    }
}

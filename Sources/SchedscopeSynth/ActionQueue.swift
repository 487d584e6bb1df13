import SchedscopeModel

/// Something the simulated scheduler will do at a given time.
struct SimulationAction {
    enum Kind: UInt8 {
        /// A P looks for its next task.
        case procSchedule
        /// The task running on a P reaches the end of its slice (`epoch` guards stale ones).
        case sliceEnd
        /// A parked task becomes runnable.
        case wake
        /// The next test case (a root task with its region) starts.
        case startTest
        /// A garbage-collection cycle begins with a stop-the-world pause.
        case gcStart
        /// A stop-the-world pause ends (`value` = phase: 0 sweep termination, 1 mark termination).
        case gcPauseEnd
        /// The concurrent mark phase ends with a second pause.
        case gcMarkTermination
    }

    var time: UInt64
    var kind: Kind
    var proc: Int
    var value: UInt64
}

/// The actions to come, earliest first; actions at equal times run in the order they were
/// scheduled.
struct ActionQueue {
    private var heap = TimeOrderedHeap<SimulationAction>()

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var nextTime: UInt64? { heap.firstTime }

    mutating func schedule(_ kind: SimulationAction.Kind, at time: UInt64, proc: Int = 0, value: UInt64 = 0) {
        heap.push(SimulationAction(time: time, kind: kind, proc: proc, value: value), at: time)
    }

    mutating func pop() -> SimulationAction? { heap.popFirst()?.payload }
}

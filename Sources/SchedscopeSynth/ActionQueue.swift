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
    /// Tie-breaker: actions at equal times run in the order they were scheduled.
    var sequence: UInt64
    var kind: Kind
    var proc: Int
    var value: UInt64
}

/// A binary min-heap of actions by (time, sequence).
struct ActionQueue {
    private var heap: [SimulationAction] = []
    private var nextSequence: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var nextTime: UInt64? { heap.first?.time }

    mutating func schedule(_ kind: SimulationAction.Kind, at time: UInt64, proc: Int = 0, value: UInt64 = 0) {
        heap.append(SimulationAction(time: time, sequence: nextSequence, kind: kind, proc: proc, value: value))
        nextSequence += 1
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.less(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> SimulationAction? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let left = 2 * i + 1
                guard left < heap.count else { break }
                var smallest = left
                if left + 1 < heap.count && Self.less(heap[left + 1], heap[left]) { smallest = left + 1 }
                guard Self.less(heap[smallest], heap[i]) else { break }
                heap.swapAt(i, smallest)
                i = smallest
            }
        }
        return top
    }

    private static func less(_ a: SimulationAction, _ b: SimulationAction) -> Bool {
        a.time < b.time || (a.time == b.time && a.sequence < b.sequence)
    }
}

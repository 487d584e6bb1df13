/// A binary min-heap of payloads by time: the earliest comes out first, and payloads of
/// equal times in the order they were pushed. The synthetic scheduler's actions and the
/// executor's timers are ordered this way.
package struct TimeOrderedHeap<Payload> {
    private struct Entry {
        var time: UInt64
        /// Push order: breaks ties of time, so the order is total and pops are deterministic.
        var sequence: UInt64
        var payload: Payload

        func isBefore(_ other: Entry) -> Bool {
            (time, sequence) < (other.time, other.sequence)
        }
    }

    private var heap: [Entry] = []
    private var nextSequence: UInt64 = 0

    package init() {}

    package var isEmpty: Bool { heap.isEmpty }
    package var count: Int { heap.count }
    /// The earliest time queued.
    package var firstTime: UInt64? { heap.first?.time }

    /// Queues `payload` at `time`. - Returns: whether it is now the first to come out.
    @discardableResult
    package mutating func push(_ payload: Payload, at time: UInt64) -> Bool {
        heap.append(Entry(time: time, sequence: nextSequence, payload: payload))
        nextSequence &+= 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].isBefore(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
        return child == 0
    }

    /// Takes out the earliest payload, with its time.
    package mutating func popFirst() -> (time: UInt64, payload: Payload)? {
        guard !heap.isEmpty else { return nil }
        let first = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count && heap[left].isBefore(heap[smallest]) { smallest = left }
                if right < heap.count && heap[right].isBefore(heap[smallest]) { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return (first.time, first.payload)
    }
}

import SchedscopeModel

/// A FIFO of task ids (a P's local run queue or the global one), as a growable ring.
struct TaskQueue {
    private var storage: [TaskID] = []
    private var head = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func pushBack(_ task: TaskID) {
        if count == storage.count { grow() }
        storage[(head + count) % storage.count] = task
        count += 1
    }

    mutating func popFront() -> TaskID? {
        guard count > 0 else { return nil }
        let task = storage[head]
        head = (head + 1) % storage.count
        count -= 1
        return task
    }

    private mutating func grow() {
        var bigger = [TaskID](repeating: .none, count: max(16, storage.count * 2))
        for i in 0..<count { bigger[i] = storage[(head + i) % storage.count] }
        storage = bigger
        head = 0
    }
}

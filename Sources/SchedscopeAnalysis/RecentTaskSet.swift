import SchedscopeModel

/// The most recently inserted task ids, up to a fixed capacity: lets the validator catch a
/// task used after its end without memory that grows with the trace.
struct RecentTaskSet {
    private var members = IDTable<Bool>()
    private var order: [TaskID]
    private var next = 0
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        order = []
        order.reserveCapacity(min(capacity, 1024))
    }

    func contains(_ task: TaskID) -> Bool { members.contains(task.rawValue) }

    mutating func insert(_ task: TaskID) {
        guard members.insert(task.rawValue, true) else { return }
        if order.count < capacity {
            order.append(task)
        } else {
            members.remove(order[next].rawValue)
            order[next] = task
            next = (next + 1) % capacity
        }
    }

    mutating func remove(_ task: TaskID) {
        // Left in `order`; a later eviction of an absent id is harmless.
        members.remove(task.rawValue)
    }
}

/// The `capacity` entries with the highest counts offered so far (ties: the lower key),
/// in descending order. O(capacity) per offer that makes the cut, O(1) otherwise.
struct TopCounts<Payload> {
    let capacity: Int
    private(set) var entries: [(key: UInt64, count: UInt64, payload: Payload)] = []

    init(capacity: Int) { self.capacity = max(1, capacity) }

    private static func before(_ a: (UInt64, UInt64), _ b: (UInt64, UInt64)) -> Bool {
        a.1 != b.1 ? a.1 > b.1 : a.0 < b.0
    }

    mutating func offer(_ key: UInt64, count: UInt64, _ payload: Payload) {
        guard count > 0 else { return }
        if entries.count == capacity, let last = entries.last, !Self.before((key, count), (last.key, last.count)) { return }
        var i = entries.count
        while i > 0 && Self.before((key, count), (entries[i - 1].key, entries[i - 1].count)) { i -= 1 }
        entries.insert((key, count, payload), at: i)
        if entries.count > capacity { entries.removeLast() }
    }
}

import SchedscopeExecutor
import Synchronization

/// An actor that tasks hop to and from.
actor Counter {
    private(set) var value = 0
    func add(_ amount: Int) -> Int {
        value += amount
        return value
    }
}

/// A continuation resumed from a plain thread (no task), after the task suspended.
final class LateResumer: Sendable {
    private let pending = Mutex<[CheckedContinuation<Int, Never>]>([])

    func wait() async -> Int {
        await withCheckedContinuation { continuation in pending.withLock { $0.append(continuation) } }
    }

    /// Resumes every waiter that has registered (returns how many).
    func resumeAll(with value: Int) -> Int {
        let waiting = pending.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        for continuation in waiting { continuation.resume(returning: value) }
        return waiting.count
    }

    var waiting: Int { pending.withLock { $0.count } }
}

/// A mixed async workload whose result is known: actors, task groups, yields, continuations
/// resumed by other tasks, short sleeps. Returns the sum it computed; expected: `expectedSum`.
func mixedWorkload(spawn: (@escaping @Sendable () async -> Int) -> Task<Int, Never>) async -> Int {
    let counter = Counter()
    let resumer = LateResumer()
    var tasks: [Task<Int, Never>] = []
    for index in 0..<40 {
        tasks.append(spawn {
            var sum = 0
            await withTaskGroup(of: Int.self) { group in
                for child in 0..<10 {
                    group.addTask {
                        await Task.yield()
                        return child
                    }
                }
                for await value in group { sum += value }
            }
            _ = await counter.add(1)
            if index % 4 == 0 {
                try? await Task.sleep(nanoseconds: 1_000_000)
            }
            if index % 5 == 0 {
                sum += await resumer.wait()
            }
            return sum + index
        })
    }
    // The waiters (indexes 0, 5, …, 35: eight of them) are resumed by this task once they
    // have all suspended.
    var resumed = 0
    while resumed < 8 {
        resumed += resumer.resumeAll(with: 1)
        await Task.yield()
    }
    var total = 0
    for task in tasks { total += await task.value }
    return total + (await counter.value)
}

/// 40 tasks × (0+…+9 = 45) + (0+…+39 = 780) + 8 resumed continuations + 40 actor calls.
let expectedSum = 40 * 45 + 780 + 8 + 40

import CSchedscopeExecutor
import SchedscopeModel
import SchedscopeRecorder
import Synchronization

extension SchedscopeExecutor {
    /// Starts a task that prefers this executor, as `Task(executorPreference:)` does, but
    /// labelled for leak reports (its name, else the call site) and with an exact end in the
    /// trace (`task_end` is emitted from inside the task as its operation returns).
    ///
    /// Unstructured `Task {}` created inside a task does not inherit a task executor
    /// preference; call `spawn` again to stay on this executor.
    ///
    /// ```swift
    /// executor.spawn { await serve(connection) }               // label "App/Server.swift:42"
    /// executor.spawn(name: "flusher") { await flushForever() } // label "flusher"
    /// ```
    ///
    /// - Parameters:
    ///   - name: the task's name (`Task.name`) and label; default: `#fileID:#line`.
    ///   - priority: the task's priority.
    ///   - operation: the work.
    /// - Returns: the task.
    @discardableResult
    public func spawn<Success: Sendable>(
        name: String? = nil, priority: TaskPriority? = nil,
        fileID: StaticString = #fileID, line: UInt = #line,
        operation: sending @escaping () async -> Success
    ) -> Task<Success, Never> {
        spawn(name: name, priority: priority, region: nil, fileID: fileID, line: line, operation: operation)
    }

    /// As `spawn(name:priority:operation:)`, for a throwing operation.
    @discardableResult
    public func spawn<Success: Sendable>(
        name: String? = nil, priority: TaskPriority? = nil,
        fileID: StaticString = #fileID, line: UInt = #line,
        operation: sending @escaping () async throws -> Success
    ) -> Task<Success, any Error> {
        let label = spawnLabel(name: name, fileID: fileID, line: line)
        let tracker = self.tracker
        let previous = PendingSpawn.set(label: label, region: nil)
        defer { PendingSpawn.restore(previous) }
        return Task(name: name, executorPreference: self, priority: priority) {
            defer { Self.endSpawnedTask(tracker) }
            return try await operation()
        }
    }

    /// `spawn` into region `region` (SchedscopeTesting's test regions).
    package func spawn<Success: Sendable>(
        name: String?, priority: TaskPriority?, region: UInt32?,
        fileID: StaticString, line: UInt,
        operation: sending @escaping () async -> Success
    ) -> Task<Success, Never> {
        let label = spawnLabel(name: name, fileID: fileID, line: line)
        let tracker = self.tracker
        let previous = PendingSpawn.set(label: label, region: region)
        defer { PendingSpawn.restore(previous) }
        return Task(name: name, executorPreference: self, priority: priority) {
            defer { Self.endSpawnedTask(tracker) }
            return await operation()
        }
    }

    private static func endSpawnedTask(_ tracker: TaskTracker?) {
        guard let tracker, let pointer = schedscope_current_worker() else { return }
        let worker = Unmanaged<Worker>.fromOpaque(pointer).takeUnretainedValue()
        guard worker.executor.tracker === tracker else { return }
        tracker.taskEnding(on: worker)
    }

    /// The interned label for a spawn site (only when tracking: otherwise nothing reads it).
    private func spawnLabel(name: String?, fileID: StaticString, line: UInt) -> StringID {
        guard tracker != nil else { return .empty }
        if let name { return Recorder.intern(name) }
        return SpawnSiteLabels.shared.label(fileID: fileID, line: line)
    }
}

/// Call-site labels, cached by the address of the `#fileID` string and the line, so that a
/// spawn site is formatted and interned once.
final class SpawnSiteLabels: Sendable {
    static let shared = SpawnSiteLabels()

    private struct Site: Hashable {
        var file: UInt
        var line: UInt
    }

    private let cache = Mutex<[Site: StringID]>([:])

    func label(fileID: StaticString, line: UInt) -> StringID {
        let site = Site(file: UInt(bitPattern: fileID.utf8Start), line: line)
        if let label = cache.withLock({ $0[site] }) { return label }
        let label = Recorder.intern("\(fileID):\(line)")
        cache.withLock { $0[site] = label }
        return label
    }
}

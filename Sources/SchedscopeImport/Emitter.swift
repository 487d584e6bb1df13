import SchedscopeModel

/// Writes mapped events with the current Go event's time and M.
struct Emitter {
    let buffer: UnsafeMutablePointer<Event>
    let fill: UnsafeMutablePointer<Int>
    /// The next event's time: each event emitted takes one nanosecond more than the last.
    private(set) var timestamp: UInt64
    let thread: ThreadID
    var emitted = false

    @inline(__always)
    mutating func emit(_ kind: EventKind, proc: UInt32, task: UInt64 = 0, _ argument1: UInt64 = 0,
                       _ argument2: UInt64 = 0, flags: UInt8 = 0) {
        buffer[fill.pointee] = Event(
            kind: kind, timestamp: timestamp, thread: thread, proc: ProcID(rawValue: proc),
            task: TaskID(rawValue: task), argument1: argument1, argument2: argument2, flags: flags)
        fill.pointee += 1
        timestamp += 1
        emitted = true
    }
}

/// Writes Go execution traces byte by byte (the Go 1.26 wire format), for parser tests
/// that need orderings, damage or values no real program produces on demand.
struct GoTraceBytes {
    private(set) var bytes: [UInt8] = Array("go 1.26 trace\0\0\0".utf8)

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
        return out
    }

    /// One event: its type byte, then its arguments (time delta first for timed events).
    static func event(_ type: UInt8, _ arguments: UInt64...) -> [UInt8] {
        [type] + arguments.flatMap(varint)
    }

    /// An event batch of M `thread` starting at `time` ticks.
    mutating func batch(generation: UInt64 = 1, thread: UInt64, time: UInt64, _ events: [[UInt8]]) {
        let payload = events.flatMap { $0 }
        bytes += [1] + Self.varint(generation) + Self.varint(thread) + Self.varint(time) + Self.varint(UInt64(payload.count)) + payload
    }

    /// The sync batch (frequency, clock snapshot), string and stack tables, and the
    /// end-of-generation marker that close a generation.
    mutating func endGeneration(generation: UInt64 = 1, strings: [UInt64: String] = [:], stacks: [UInt64: [UInt64]] = [:]) {
        let noThread = UInt64.max
        batch(generation: generation, thread: noThread, time: 0, [
            [50], Self.event(8, 15_625_000), Self.event(51, 1, 1_000_000, 1_700_000_000, 0),
        ])
        if !strings.isEmpty {
            batch(generation: generation, thread: noThread, time: 0, [[4]] + strings.sorted { $0.key < $1.key }.map { id, text in
                [5] + Self.varint(id) + Self.varint(UInt64(text.utf8.count)) + Array(text.utf8)
            })
        }
        if !stacks.isEmpty {
            batch(generation: generation, thread: noThread, time: 0, [[2]] + stacks.sorted { $0.key < $1.key }.map { id, functions in
                [3] + Self.varint(id) + Self.varint(UInt64(functions.count))
                    + functions.flatMap { Self.varint(0x1000) + Self.varint($0) + Self.varint(0) + Self.varint(1) }
            })
        }
        bytes.append(52)
    }
}

/// Go wire event types used by the tests.
enum Go {
    static let procStart: UInt8 = 10, procStop: UInt8 = 11, procSteal: UInt8 = 12, procStatus: UInt8 = 13
    static let goCreate: UInt8 = 14, goStart: UInt8 = 16, goDestroy: UInt8 = 17, goStop: UInt8 = 19
    static let goBlock: UInt8 = 20, goUnblock: UInt8 = 21, goSyscallBegin: UInt8 = 22
    static let goSyscallEndBlocked: UInt8 = 24, goStatus: UInt8 = 25
    // Statuses.
    static let running: UInt64 = 1, idle: UInt64 = 2
    static let gRunnable: UInt64 = 1, gRunning: UInt64 = 2, gWaiting: UInt64 = 4
}

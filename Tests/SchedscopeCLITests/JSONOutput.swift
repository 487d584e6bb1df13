import Foundation

/// The JSON outputs, decoded with the key names docs/CLI.md and DESIGN.md §6 promise:
/// a missing or renamed key fails the decode.
struct SummaryJSON: Decodable {
    struct Tasks: Decodable {
        var created: UInt64
        var ended: UInt64
        var liveAtEnd: UInt64
        enum CodingKeys: String, CodingKey { case created, ended, liveAtEnd = "live_at_end" }
    }

    struct Chunks: Decodable {
        var read: Int
        var corrupt: Int
    }

    var schema: String
    var durationNanoseconds: UInt64
    var procs: Int
    var events: UInt64
    var eventsByKind: [String: UInt64]
    var tasks: Tasks
    var lostEvents: UInt64
    var chunks: Chunks
    var truncated: Bool

    enum CodingKeys: String, CodingKey {
        case schema, procs, events, tasks, chunks, truncated
        case durationNanoseconds = "duration_ns", eventsByKind = "events_by_kind", lostEvents = "lost_events"
    }
}

struct StatsJSON: Decodable {
    struct Group: Decodable {
        var key: String
        var count: UInt64
        var timeNanoseconds: UInt64?
        var tasks: UInt64?
        enum CodingKeys: String, CodingKey { case key, count, tasks, timeNanoseconds = "time_ns" }
    }

    var schema: String
    var by: String
    var events: UInt64
    var totalGroups: Int
    var groups: [Group]

    enum CodingKeys: String, CodingKey { case schema, by, events, groups, totalGroups = "total_groups" }

    /// Groups by key.
    var byKey: [String: Group] { Dictionary(uniqueKeysWithValues: groups.map { ($0.key, $0) }) }
}

struct ValidateJSON: Decodable {
    struct Damage: Decodable {
        var kind: String
        var byteOffset: UInt64
        var chunk: Int?
        var message: String
        enum CodingKeys: String, CodingKey { case kind, chunk, message, byteOffset = "byte_offset" }
    }

    var schema: String
    var valid: Bool
    var events: UInt64
    var truncated: Bool
    var damage: [Damage]
    var violationCount: UInt64

    enum CodingKeys: String, CodingKey { case schema, valid, events, truncated, damage, violationCount = "violation_count" }
}

/// One line of `events --format jsonl`.
struct EventLine: Decodable, Equatable {
    var timestamp: UInt64
    var kind: String
    var thread: UInt64
    var proc: UInt32?
    var task: UInt64?
    var parent: UInt64?
    var label: String?
    var reason: String?
    var name: String?

    enum CodingKeys: String, CodingKey {
        case kind, thread, proc, task, parent, label, reason, name
        case timestamp = "ts_ns"
    }
}

func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(text.utf8))
}

/// Decodes JSON Lines in one pass (as one array: far faster than a decode per line).
func decodeLines(_ text: String) throws -> [EventLine] {
    let lines = text.split(separator: "\n")
    return try JSONDecoder().decode([EventLine].self, from: Data(("[" + lines.joined(separator: ",") + "]").utf8))
}

extension Sequence {
    /// How many elements fall in each group.
    func counted<Key: Hashable>(by key: (Element) -> Key?) -> [Key: UInt64] {
        var counts: [Key: UInt64] = [:]
        for element in self {
            if let group = key(element) { counts[group, default: 0] += 1 }
        }
        return counts
    }
}

import SchedscopeFormat
import SchedscopeModel
import Synchronization

/// The process's interned strings: ids from 1 upward, kept across recordings so that a
/// scheduler can intern its labels and reasons once, at start-up, and use the ids forever.
struct StringInterner: ~Copyable {
    private var ids: [String: StringID] = ["": .empty]
    /// `values[id]` is the string of `id` (index 0 is the empty string).
    private(set) var values: [String] = [""]
    /// Strings refused because the table reached `FormatLimits.maxStringID`.
    private(set) var refused = 0

    init() {}

    mutating func intern(_ value: String) -> StringID {
        if let id = ids[value] { return id }
        guard values.count <= Int(FormatLimits.maxStringID) else {
            refused += 1
            return .empty
        }
        let id = StringID(rawValue: UInt32(values.count))
        ids[value] = id
        values.append(value)
        return id
    }

    /// The entries with ids in `range`, for a strings chunk.
    func entries(_ range: Range<Int>) -> [(StringID, String)] {
        range.map { (StringID(rawValue: UInt32($0)), values[$0]) }
    }

    var count: Int { values.count }

    func string(for id: StringID) -> String? {
        Int(id.rawValue) < values.count ? values[Int(id.rawValue)] : nil
    }
}

/// The one table of the process.
let internedStrings = Mutex(StringInterner())

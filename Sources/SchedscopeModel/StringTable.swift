/// The strings of a trace, by id. Lookups are total: an id the trace never defined
/// reads as `<string #N?>` so that damaged traces still print.
///
/// Ids are dense in practice (writers number strings 1, 2, 3…) and live in an array; an id
/// far past the others (a forged or sparse one) goes to a dictionary instead, so that one
/// large id cannot make the table allocate room for every id below it.
public struct StringTable: Sendable {
    private var values: [String?] = [""]
    private var sparse: [UInt32: String] = [:]
    /// How far past the dense array's end an id may land and still extend it.
    private static let denseSlack = 4096

    public init() {}

    /// Whether `id` was defined.
    public func isDefined(_ id: StringID) -> Bool {
        let index = Int(id.rawValue)
        if index < values.count { return values[index] != nil }
        return sparse[id.rawValue] != nil
    }

    /// The string for `id`, or a placeholder naming the id if the trace never defined it.
    public subscript(id: StringID) -> String {
        let index = Int(id.rawValue)
        if index < values.count, let value = values[index] { return value }
        if let value = sparse[id.rawValue] { return value }
        return "<string #\(id.rawValue)?>"
    }

    /// Defines `id`. The caller bounds `id` (the reader caps ids before calling).
    /// - Returns: false if `id` was already defined (the old value is kept).
    @discardableResult
    public mutating func define(_ id: StringID, _ value: String) -> Bool {
        let index = Int(id.rawValue)
        if index >= values.count + Self.denseSlack {
            if sparse[id.rawValue] != nil { return false }
            sparse[id.rawValue] = value
            return true
        }
        if index >= values.count {
            values.append(contentsOf: repeatElement(nil, count: index + 1 - values.count))
        }
        if values[index] != nil || sparse[id.rawValue] != nil { return false }
        values[index] = value
        return true
    }

    /// Every defined id and its string, in id order.
    public var definedEntries: [(id: StringID, value: String)] {
        let dense = values.enumerated().compactMap { index, value in
            value.map { (id: StringID(rawValue: UInt32(index)), value: $0) }
        }
        let far = sparse.map { (id: StringID(rawValue: $0.key), value: $0.value) }
        return (dense + far).sorted { $0.id < $1.id }
    }

    /// The id of the first string equal to `value`, if any (linear; for filters, not hot paths).
    public func firstID(of value: String) -> StringID? {
        definedEntries.first(where: { $0.value == value })?.id
    }
}

/// The strings of a trace, by id. Lookups are total: an id the trace never defined
/// reads as `<string #N?>` so that damaged traces still print.
public struct StringTable: Sendable {
    private var values: [String?] = [""]

    public init() {}

    /// The number of id slots (the highest defined id + 1).
    public var capacity: Int { values.count }

    /// Whether `id` was defined.
    public func isDefined(_ id: StringID) -> Bool {
        let index = Int(id.rawValue)
        return index < values.count && values[index] != nil
    }

    /// The string for `id`, or a placeholder naming the id if the trace never defined it.
    public subscript(id: StringID) -> String {
        let index = Int(id.rawValue)
        if index < values.count, let value = values[index] { return value }
        return "<string #\(id.rawValue)?>"
    }

    /// Defines `id`. The caller bounds `id` (the reader caps ids before calling).
    /// - Returns: false if `id` was already defined (the old value is kept).
    @discardableResult
    public mutating func define(_ id: StringID, _ value: String) -> Bool {
        let index = Int(id.rawValue)
        if index >= values.count {
            values.append(contentsOf: repeatElement(nil, count: index + 1 - values.count))
        }
        if values[index] != nil { return false }
        values[index] = value
        return true
    }

    /// Every defined id and its string, in id order.
    public var definedEntries: [(id: StringID, value: String)] {
        values.enumerated().compactMap { index, value in
            value.map { (StringID(rawValue: UInt32(index)), $0) }
        }
    }

    /// The id of the first string equal to `value`, if any (linear; for filters, not hot paths).
    public func firstID(of value: String) -> StringID? {
        values.firstIndex(where: { $0 == value }).map { StringID(rawValue: UInt32($0)) }
    }
}

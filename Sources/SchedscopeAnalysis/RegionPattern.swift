/// A region name or pattern for `--region`: `*` stands for any run of characters (none
/// included) and `?` for any one character; everything else matches itself. So
/// `ParserTests/test7` names one test case and `ParserTests/*` (or `*`) several.
///
/// Only these two wildcards, not a shell glob's brackets: test names often hold brackets
/// and parentheses (`test(arguments: [1, 2])`), which must match themselves.
public struct RegionPattern: Sendable, Equatable {
    private let pattern: [Character]
    private let hasWildcards: Bool

    public init(_ pattern: String) {
        self.pattern = Array(pattern)
        hasWildcards = pattern.contains { $0 == "*" || $0 == "?" }
    }

    /// Whether `name` matches: the classic two-pointer match, backtracking only to the
    /// last `*`, so linear in practice and O(n·m) at worst.
    public func matches(_ name: String) -> Bool {
        guard hasWildcards else { return name.elementsEqual(pattern) }
        let text = Array(name)
        var (t, p) = (0, 0)
        var star: Int?
        var resume = 0
        while t < text.count {
            if p < pattern.count && (pattern[p] == "?" || pattern[p] == text[t]) {
                t += 1
                p += 1
            } else if p < pattern.count && pattern[p] == "*" {
                star = p
                resume = t
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}

/// A duration written as a number and a unit (`150ms`, `2s`, `1.5us`, `300ns`, `1m`, `1h`):
/// the syntax of every duration the CLI takes, its options and `diff`'s limits alike.
public enum DurationText {
    /// The units, in nanoseconds.
    public static let units: [(suffix: String, nanoseconds: Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// The units as the help and the error messages list them.
    public static let unitList = "ns, us, ms, s, m, h"

    /// The nanoseconds `text` stands for, or nil if it is not a non-negative finite number
    /// followed by a unit. Surrounding whitespace is the caller's to trim.
    public static func nanoseconds<Text: StringProtocol>(_ text: Text) -> Double? {
        // Longest suffix first, so "ms" is not read as "m" + "s".
        for (suffix, scale) in units.sorted(by: { $0.suffix.count > $1.suffix.count }) where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            guard !number.isEmpty, let value = Double(String(number)), value >= 0, value.isFinite else { return nil }
            return value * scale
        }
        return nil
    }
}

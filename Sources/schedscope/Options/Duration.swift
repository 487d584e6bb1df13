import ArgumentParser
import Foundation

/// A duration given on the command line: a number and a unit (`150ms`, `2s`, `1.5us`,
/// `300ns`, `1m`), stored in nanoseconds.
struct Duration: ExpressibleByArgument, Equatable {
    var nanoseconds: UInt64

    init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    init?(argument: String) {
        guard let parsed = Self.parse(argument) else { return nil }
        nanoseconds = parsed
    }

    static let units: [(suffix: String, nanoseconds: Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    static func parse(_ text: String) -> UInt64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Longest suffix first, so "ms" is not read as "m" + "s".
        for (suffix, scale) in units.sorted(by: { $0.suffix.count > $1.suffix.count }) where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            guard !number.isEmpty, let value = Double(number), value >= 0, value.isFinite else { return nil }
            let total = value * scale
            guard total < 1.8e19 else { return nil }
            return UInt64(total.rounded())
        }
        return nil
    }

}

extension Duration {
    /// How `--help` shows a default: in the syntax the option takes (`2ms`), with the
    /// largest unit that keeps it whole.
    var defaultValueDescription: String {
        for (suffix, scale) in [("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000)] as [(String, UInt64)]
        where nanoseconds >= scale && nanoseconds % scale == 0 {
            return "\(nanoseconds / scale)\(suffix)"
        }
        return "\(nanoseconds)ns"
    }

    /// Help text shared by every duration option.
    static let help = "a duration with a unit: ns, us, ms, s, m (e.g. 150ms, 2s)"
}

import ArgumentParser
import SchedscopeAnalysis
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

    static func parse(_ text: String) -> UInt64? {
        guard let total = DurationText.nanoseconds(text.trimmingCharacters(in: .whitespaces)), total < 1.8e19 else { return nil }
        return UInt64(total.rounded())
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
    static let help = "a duration with a unit: \(DurationText.unitList) (e.g. 150ms, 2s)"
}

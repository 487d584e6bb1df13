import Foundation

/// Durations, ranges and counts in text, the way every Schedscope output prints them
/// (the CLI's tables and the HTML report): one definition, so they cannot drift apart.
public enum UnitText {
    /// Three significant digits in the unit that reads best: `812 ns`, `12.3 µs`, `4.56 ms`.
    public static func duration(_ nanoseconds: UInt64) -> String {
        let units: [(String, Double)] = [("ns", 1), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)]
        var index = 0
        while index < units.count - 1 && Double(nanoseconds) >= units[index + 1].1 * 0.9995 { index += 1 }
        if index == 0 { return "\(nanoseconds) ns" }
        let value = Double(nanoseconds) / units[index].1
        let digits = value >= 99.95 ? 0 : value >= 9.995 ? 1 : 2
        return String(format: "%.\(digits)f %@", value, units[index].0)
    }

    /// A time range with its two ends distinct: three significant digits when that tells
    /// them apart (`40.0 ms – 50.0 ms`), otherwise seconds with as many decimals as the
    /// range's length needs (`26.020 s – 26.030 s`), as the CLI prints ranges.
    public static func range(_ start: UInt64, _ end: UInt64) -> String {
        let from = duration(start), to = duration(end)
        if from != to || start == end { return "\(from) – \(to)" }
        let length = Double(end - start) / 1e9
        let decimals = min(9, max(0, Int((-log10(length)).rounded(.up)) + 1))
        return String(format: "%.\(decimals)f s – %.\(decimals)f s", Double(start) / 1e9, Double(end) / 1e9)
    }

    /// `12,345,678`.
    public static func count<T: BinaryInteger>(_ value: T) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, character) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }
}

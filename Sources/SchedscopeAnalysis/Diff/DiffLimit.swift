/// How much worse HEAD may be than BASE on one metric before the change counts as a
/// regression: a fraction of BASE (`+20%`) or an amount in the metric's unit (`5ms`, `0.05`, `3`).
public enum DiffLimit: Sendable, Equatable, CustomStringConvertible {
    /// (head − base) / base, in the worse direction; 0.2 for `+20%`.
    case relative(Double)
    /// head − base in the metric's unit (nanoseconds for times), in the worse direction.
    case absolute(Double)

    /// As written on the command line: `+20%`, `5ms`, `0.05`.
    public var description: String {
        switch self {
        case .relative(let fraction): "+" + DiffLimit.trim(fraction * 100) + "%"
        case .absolute(let amount): DiffLimit.trim(amount)
        }
    }

    /// The limit as written for a metric of this unit (times with a unit).
    public func description(for unit: DiffMetric.Unit) -> String {
        guard case .absolute(let amount) = self, unit == .nanoseconds, amount > 0 else { return description }
        for (suffix, scale) in [("s", 1e9), ("ms", 1e6), ("us", 1e3)] where amount >= scale {
            return DiffLimit.trim(amount / scale) + suffix
        }
        return DiffLimit.trim(amount) + "ns"
    }

    /// Whether a change from `base` to `head` goes beyond the limit in the worse direction
    /// of `polarity` (either direction for context metrics). A relative limit on a zero
    /// base: any worsening goes beyond it.
    public func isExceeded(base: Double, head: Double, polarity: DiffMetric.Polarity) -> Bool {
        let worsening = switch polarity {
        case .lowerIsBetter: head - base
        case .higherIsBetter: base - head
        case .context: abs(head - base)
        }
        guard worsening > 0 else { return false }
        switch self {
        case .absolute(let amount):
            return worsening > amount * (1 + 1e-12)
        case .relative(let fraction):
            guard base != 0 else { return true }
            return worsening / abs(base) > fraction * (1 + 1e-12)
        }
    }

    /// Parses a limit for `metric`: `+20%` or `20%` (relative), or an amount: a duration
    /// with a unit for times (`5ms`, `250us`, `0`), a plain number otherwise (`0.05`, `3`).
    /// `none` (or `off`) means no limit: the metric is reported but never regresses.
    /// - Returns: nil for `none`.
    /// - Throws: a message that says what was expected.
    public static func parse(_ text: String, for metric: DiffMetric) throws(DiffSetupError) -> DiffLimit? {
        let trimmed = text.trimmingWhitespace
        if trimmed == "none" || trimmed == "off" { return nil }
        if trimmed.hasSuffix("%") {
            var number = trimmed.dropLast()
            if number.hasPrefix("+") { number = number.dropFirst() }
            guard let value = Double(number), value.isFinite, value >= 0 else {
                throw DiffSetupError("limit '\(text)' for \(metric.name) is not a percentage; expected e.g. +20%")
            }
            return .relative(value / 100)
        }
        var amount = Substring(trimmed)
        if amount.hasPrefix("+") { amount = amount.dropFirst() }
        if metric.unit == .nanoseconds {
            if let value = Double(amount), value == 0 { return .absolute(0) }
            guard let nanoseconds = DurationText.nanoseconds(amount) else {
                throw DiffSetupError(
                    "limit '\(text)' for \(metric.name) is neither a percentage nor a duration; expected e.g. +20% or 5ms (units \(DurationText.unitList))")
            }
            return .absolute(nanoseconds)
        }
        guard let value = Double(amount), value.isFinite, value >= 0 else {
            throw DiffSetupError("limit '\(text)' for \(metric.name) is neither a percentage nor a number; expected e.g. +20% or \(metric.unit == .count ? "3" : "0.05")")
        }
        return .absolute(value)
    }

    static func trim(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}

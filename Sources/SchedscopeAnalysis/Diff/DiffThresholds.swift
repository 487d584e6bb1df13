/// The limits `diff` judges by: each metric's default, overridden by a threshold file
/// (`--config`) and then by `--threshold METRIC=LIMIT`, the last setting winning.
public struct DiffThresholds: Sendable, Equatable {
    /// Metrics whose limit was set, to a limit or to none.
    private var overrides: [String: DiffLimit?] = [:]
    /// The significance level of the Mann–Whitney test (`alpha = 0.01` in a file, `--alpha`).
    public var alpha: Double = 0.05

    public init() {}

    /// The limit for `metric`: its setting if any, else its default.
    public func limit(for metric: DiffMetric) -> DiffLimit? {
        if let setting = overrides[metric.name] { return setting }
        return metric.defaultLimit
    }

    /// Sets one limit from `METRIC=LIMIT`.
    public mutating func set(_ assignment: String) throws(DiffSetupError) {
        guard let equals = assignment.firstIndex(of: "=") else {
            throw DiffSetupError("'\(assignment)' is not METRIC=LIMIT (e.g. latency.p99_ns=+20% or gc.pause_max_ns=5ms)")
        }
        try set(String(assignment[..<equals]), to: String(assignment[assignment.index(after: equals)...]))
    }

    public mutating func set(_ name: String, to limit: String) throws(DiffSetupError) {
        let name = name.trimmingWhitespace
        if name == "alpha" {
            guard let value = Double(limit.trimmingWhitespace), value > 0, value < 1 else {
                throw DiffSetupError("alpha '\(limit.trimmingWhitespace)' must be a number between 0 and 1 (e.g. 0.05)")
            }
            alpha = value
            return
        }
        guard let metric = DiffMetric.named(name) else {
            throw DiffSetupError("unknown metric '\(name)'\(DiffThresholds.suggestion(for: name)) (schedscope diff --help lists them)")
        }
        overrides[metric.name] = .some(try DiffLimit.parse(limit, for: metric))
    }

    /// Reads a threshold file: one `METRIC = LIMIT` (or `alpha = P`) per line; `#` starts
    /// a comment; blank lines are skipped.
    /// - Throws: the first bad line, as `FILE:LINE: message`.
    public mutating func read(file text: String, named path: String) throws(DiffSetupError) {
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            guard !line.trimmingWhitespace.isEmpty else { continue }
            do throws(DiffSetupError) {
                guard let equals = line.firstIndex(of: "=") else {
                    throw DiffSetupError("expected 'METRIC = LIMIT', found '\(line.trimmingWhitespace)'")
                }
                try set(String(line[..<equals]), to: String(line[line.index(after: equals)...]))
            } catch {
                throw DiffSetupError("\(path):\(index + 1): \(error.message)")
            }
        }
    }

    /// ", did you mean 'x'?" for a name close to a known one.
    static func suggestion(for name: String) -> String {
        let names = DiffMetric.settable.map(\.name)
        if let match = names.first(where: { $0.hasSuffix("." + name) || $0.split(separator: ".").last.map(String.init) == name }) {
            return ", did you mean '\(match)'?"
        }
        let best = names.min { editDistance($0, name) < editDistance($1, name) }
        if let best, editDistance(best, name) <= 3 { return ", did you mean '\(best)'?" }
        return ""
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}

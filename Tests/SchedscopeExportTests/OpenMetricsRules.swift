/// A checker for the OpenMetrics text format (openmetrics.io, "Text format"), written from
/// the specification's ABNF and rules so that tests hold the exposition to them:
///
/// - lines end with LF; no blank lines; the text ends with `# EOF` and a LF, once;
/// - `# TYPE`, `# UNIT`, `# HELP` come before a family's samples, at most once each;
///   a family's samples are contiguous and its name is not used again;
/// - metric and label names match `[a-zA-Z_:][a-zA-Z0-9_:]*` / `[a-zA-Z_][a-zA-Z0-9_]*`;
/// - a family with a unit has a name ending in `_<unit>`;
/// - sample names are the family name plus a suffix its type allows;
/// - label values are quoted with only `\\`, `\"` and `\n` escapes; no duplicate label
///   names; no two samples with the same name and labels;
/// - values are numbers, `NaN`, `+Inf` or `-Inf`; summaries have quantiles in [0, 1] and
///   non-negative `_sum` and `_count`; an info sample's value is 1.
struct OpenMetricsRules {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Family {
        var name: String
        var type = "unknown"
        var unit: String?
        var help: String?
        var samples: [Sample] = []
    }

    struct Violation: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    private(set) var families: [Family] = []

    static let types: [String: [String]] = [
        "gauge": [""], "counter": ["_total", "_created"], "summary": ["", "_sum", "_count", "_created"],
        "info": ["_info"], "unknown": [""], "stateset": [""],
        "histogram": ["_bucket", "_count", "_sum", "_created"], "gaugehistogram": ["_bucket", "_gcount", "_gsum"],
    ]

    /// Parses `text`; throws the first violation.
    init(_ text: String) throws {
        guard text.hasSuffix("# EOF\n") else { throw Violation(line: 0, message: "does not end with '# EOF\\n'") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var seen = Set<String>()
        var current: Family?
        var sampleKeys = Set<String>()
        for (index, line) in lines.enumerated() {
            let number = index + 1
            func fail(_ message: String) -> Violation { Violation(line: number, message: "\(message): \(line)") }
            if line == "# EOF" {
                guard index == lines.count - 1 else { throw fail("# EOF before the end") }
                break
            }
            guard !line.isEmpty else { throw fail("blank line") }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
                guard parts.count >= 3, parts[0] == "#", ["TYPE", "UNIT", "HELP"].contains(parts[1]) else { throw fail("unknown comment") }
                let name = parts[2]
                guard Self.isMetricName(name) else { throw fail("bad metric name") }
                if current?.name != name {
                    if let done = current { families.append(done) }
                    guard !seen.contains(name) else { throw fail("family \(name) appears twice") }
                    seen.insert(name)
                    current = Family(name: name)
                    sampleKeys = []
                }
                guard current!.samples.isEmpty else { throw fail("metadata after samples") }
                let rest = parts.count > 3 ? parts[3] : ""
                switch parts[1] {
                case "TYPE":
                    guard current!.type == "unknown", Self.types[rest] != nil else { throw fail("bad or repeated TYPE") }
                    current!.type = rest
                case "UNIT":
                    guard current!.unit == nil, !rest.isEmpty, name.hasSuffix("_" + rest) else { throw fail("bad UNIT") }
                    current!.unit = rest
                default:
                    guard current!.help == nil else { throw fail("repeated HELP") }
                    current!.help = try Self.unescape(rest[...], line: number)
                }
                continue
            }
            let sample = try Self.sample(line, line: number)
            guard var family = current, let suffixes = Self.types[family.type],
                  suffixes.contains(where: { family.name + $0 == sample.name }) else {
                throw fail("sample outside its family")
            }
            let key = sample.name + "|" + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            guard sampleKeys.insert(key).inserted else { throw fail("duplicate sample") }
            switch family.type {
            case "summary":
                if sample.name == family.name {
                    guard let quantile = sample.labels["quantile"].flatMap(Double.init), (0...1).contains(quantile) else {
                        throw fail("summary quantile missing or out of [0, 1]")
                    }
                } else if sample.value < 0 || sample.value.isNaN {
                    throw fail("negative summary sum or count")
                }
            case "info":
                guard sample.value == 1 else { throw fail("info value is not 1") }
            default:
                break
            }
            family.samples.append(sample)
            current = family
        }
        if let done = current { families.append(done) }
    }

    func family(_ name: String) -> Family? { families.first { $0.name == name } }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == ":" }
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    private static func sample(_ text: String, line: Int) throws -> Sample {
        func fail(_ message: String) -> Violation { Violation(line: line, message: "\(message): \(text)") }
        var rest = Substring(text)
        let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
        let name = String(rest[..<nameEnd])
        guard isMetricName(name) else { throw fail("bad sample name") }
        rest = rest[nameEnd...]
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let equals = rest.firstIndex(of: "=") else { throw fail("label without '='") }
                let label = String(rest[..<equals])
                guard isLabelName(label), labels[label] == nil else { throw fail("bad or duplicate label name '\(label)'") }
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { throw fail("label value not quoted") }
                rest = rest.dropFirst()
                var value = ""
                while true {
                    guard let character = rest.popFirst() else { throw fail("unterminated label value") }
                    if character == "\"" { break }
                    if character == "\\" {
                        switch rest.popFirst() {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw fail("bad escape in label value")
                        }
                    } else {
                        value.append(character)
                    }
                }
                labels[label] = value
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { throw fail("expected ',' or '}'") }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw fail("no space before the value") }
        let fields = rest.dropFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 1 || fields.count == 2 else { throw fail("extra fields") }
        let valueText = String(fields[0])
        let value: Double
        switch valueText {
        case "NaN": value = .nan
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        default:
            guard valueText.allSatisfy({ "0123456789+-.eE".contains($0) }), let parsed = Double(valueText) else { throw fail("bad value") }
            value = parsed
        }
        return Sample(name: name, labels: labels, value: value)
    }

    private static func unescape(_ text: Substring, line: Int) throws -> String {
        var out = ""
        var rest = text
        while let character = rest.popFirst() {
            guard character == "\\" else { out.append(character); continue }
            switch rest.popFirst() {
            case "\\": out.append("\\")
            case "\"": out.append("\"")
            case "n": out.append("\n")
            default: throw Violation(line: line, message: "bad escape in HELP")
            }
        }
        return out
    }
}

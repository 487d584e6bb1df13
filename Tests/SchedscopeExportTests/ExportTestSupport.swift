import Foundation
import SchedscopeExport
import SchedscopeModel
import SchedscopeTestSupport
import Testing

/// Runs a trace through an exporter in memory and returns what it wrote.
func exportText(_ bytes: [UInt8], chrome: Bool) throws -> String {
    let trace = try readTrace(bytes)
    let strings = trace.strings
    let output = ExportOutput()
    let exporter: any EventExporter = chrome
        ? ChromeTraceExporter(info: trace.info, output: output, string: { strings[$0] })
        : CSVExporter(output: output, string: { strings[$0] })
    try exporter.begin()
    for event in trace.events { try exporter.consume(event) }
    try exporter.finish()
    return output.text
}

/// A Chrome trace-event document, parsed with Foundation's JSON parser.
struct ChromeDocument {
    var events: [[String: Any]]

    init(_ text: String) throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        events = try #require(object["traceEvents"] as? [[String: Any]])
    }

    func events(phase: String, pid: Int? = nil, tid: Int? = nil) -> [[String: Any]] {
        events.filter { event in
            event["ph"] as? String == phase && (pid == nil || event["pid"] as? Int == pid) && (tid == nil || event["tid"] as? Int == tid)
        }
    }

    /// The names given to tracks by `thread_name` metadata, by (pid, tid).
    var trackNames: [[Int]: String] {
        var names: [[Int]: String] = [:]
        for event in events(phase: "M") where event["name"] as? String == "thread_name" {
            let args = event["args"] as? [String: Any]
            names[[event["pid"] as? Int ?? -1, event["tid"] as? Int ?? -1]] = args?["name"] as? String
        }
        return names
    }
}

/// A microsecond value from the JSON (three decimals) back in whole nanoseconds.
func nanoseconds(_ value: Any?) -> UInt64? {
    guard let number = value as? NSNumber else { return nil }
    return UInt64((number.doubleValue * 1000).rounded())
}

/// A strict RFC 4180 reader: fields separated by commas, records by CRLF, quoted fields
/// with doubled quotes. Throws on anything else (a bare quote, a lone LF outside quotes).
func parseCSV(_ text: String) throws -> [[String]] {
    struct Malformed: Error, CustomStringConvertible { var description: String }
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var scalars = Array(text.unicodeScalars)[...]
    var quoted = false
    var wasQuoted = false
    while let scalar = scalars.popFirst() {
        if quoted {
            if scalar == "\"" {
                if scalars.first == "\"" {
                    field.unicodeScalars.append(scalars.removeFirst())
                } else {
                    quoted = false
                }
            } else {
                field.unicodeScalars.append(scalar)
            }
            continue
        }
        switch scalar {
        case "\"":
            guard field.isEmpty, !wasQuoted else { throw Malformed(description: "quote inside an unquoted field: \(field)") }
            quoted = true
            wasQuoted = true
        case ",":
            record.append(field)
            field = ""
            wasQuoted = false
        case "\r":
            guard scalars.popFirst() == "\n" else { throw Malformed(description: "CR without LF") }
            record.append(field)
            records.append(record)
            record = []
            field = ""
            wasQuoted = false
        case "\n":
            throw Malformed(description: "LF without CR after \(record)")
        default:
            guard !wasQuoted else { throw Malformed(description: "text after a closing quote") }
            field.unicodeScalars.append(scalar)
        }
    }
    guard !quoted, field.isEmpty, record.isEmpty else { throw Malformed(description: "the last record does not end with CRLF") }
    return records
}

/// Escaping of trace strings for each output language. Trace strings come from the program
/// that was traced (labels, park reasons, region names, log messages) and may hold
/// anything: quotes, newlines, `</script>`, control characters.
public enum TextEscaping {
    /// A JSON string literal, quotes included. Besides what JSON requires, `<`, `>`, `&`,
    /// U+2028 and U+2029 are written as `\u` escapes so that the literal can also sit
    /// inside an HTML `<script>` element and in JavaScript source.
    public static func json(_ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: [0x5C, 0x22])
            case "\\": out.append(contentsOf: [0x5C, 0x5C])
            case "\n": out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case "\r": out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case "\t": out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case "<", ">", "&", "\u{2028}", "\u{2029}": unicodeEscape(scalar.value, into: &out)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    unicodeEscape(scalar.value, into: &out)
                } else {
                    out.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    public static func json(_ value: String) -> String {
        var out: [UInt8] = []
        json(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func unicodeEscape(_ value: UInt32, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(contentsOf: [0x5C, UInt8(ascii: "u")])
        for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int((value >> UInt32(shift)) & 0xF)]) }
    }

    /// A CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, a quote,
    /// CR or LF (or starts or ends with a space, which some readers trim); as is otherwise.
    public static func csv(_ value: String, into out: inout [UInt8]) {
        let utf8 = value.utf8
        let needsQuotes = utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
            || utf8.first == UInt8(ascii: " ") || utf8.last == UInt8(ascii: " ")
        guard needsQuotes else {
            out.append(contentsOf: utf8)
            return
        }
        out.append(UInt8(ascii: "\""))
        for byte in utf8 {
            if byte == UInt8(ascii: "\"") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Text for HTML element content and quoted attribute values.
    public static func html(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Controls other than tab and newline are not allowed in HTML text.
                if (scalar.value < 0x20 && scalar != "\t" && scalar != "\n") || scalar.value == 0x7F {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// An OpenMetrics label value, without the quotes: `\`, `"` and newline escaped.
    public static func openMetricsLabel(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

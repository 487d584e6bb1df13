import Foundation
import SchedscopeExport
import Testing

@Suite("Escaping of trace strings")
struct TextEscapingTests {
    static let hostile = [
        "<script>alert(1)</script>", "quote \" and back\\slash", "line\nbreak\r\n", "tab\tand\u{1}control",
        "comma, here", " padded ", "ünïcödé ✓ 🚀", "\u{2028}\u{2029}", "", "</script><!--", "a&b'c",
    ]

    @Test(arguments: hostile)
    func jsonRoundTrips(value: String) throws {
        let literal = TextEscaping.json(value)
        let decoded = try JSONSerialization.jsonObject(with: Data("[\(literal)]".utf8)) as? [String]
        #expect(decoded == [value])
        // Safe inside an HTML <script> element: no markup characters survive.
        #expect(!literal.contains("<") && !literal.contains(">") && !literal.contains("&"))
    }

    @Test(arguments: hostile)
    func htmlHasNoMarkup(value: String) {
        let text = TextEscaping.html(value)
        #expect(!text.contains("<") && !text.contains(">") && !text.contains("\"") && !text.contains("'"))
        // Every ampersand starts one of the five entities.
        let entities = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
        var rest = Substring(text)
        while let index = rest.firstIndex(of: "&") {
            #expect(entities.contains { rest[index...].hasPrefix($0) }, "bare & in \(text)")
            rest = rest[rest.index(after: index)...]
        }
    }

    @Test func htmlEntities() {
        #expect(TextEscaping.html("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;")
        #expect(TextEscaping.html("a&b\"c'd") == "a&amp;b&quot;c&#39;d")
    }

    @Test func csvQuotesOnlyWhenNeeded() {
        func csv(_ value: String) -> String {
            var out: [UInt8] = []
            TextEscaping.csv(value, into: &out)
            return String(decoding: out, as: UTF8.self)
        }
        #expect(csv("plain") == "plain")
        #expect(csv("a,b") == "\"a,b\"")
        #expect(csv("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(csv("two\nlines") == "\"two\nlines\"")
        #expect(csv(" padded") == "\" padded\"")
        #expect(csv("") == "")
    }

    @Test func openMetricsLabel() {
        #expect(TextEscaping.openMetricsLabel("a\\b\"c\nd") == "a\\\\b\\\"c\\nd")
    }
}

import SchedscopeAnalysis
import Testing

@Suite("region patterns: * and ? wildcards, everything else literal")
struct RegionPatternTests {
    @Test(arguments: [
        ("ParserTests/test7", "ParserTests/test7", true),
        ("ParserTests/test7", "ParserTests/test70", false),
        ("ParserTests/*", "ParserTests/test7", true),
        ("ParserTests/*", "ParserTests/", true),
        ("ParserTests/*", "CacheTests/test0", false),
        ("*", "", true),
        ("*", "anything at all", true),
        ("", "", true),
        ("", "x", false),
        ("*/test?", "ParserTests/test7", true),
        ("*/test?", "ParserTests/test70", false),
        ("*test*", "ParserTests/test7", true),
        ("a*b*c", "aXXbYYc", true),
        ("a*b*c", "aXXbYY", false),
        ("**", "ab", true),
        ("a*", "b", false),
        // Brackets and parentheses are literal (test names hold them).
        ("Suite/test(arguments: [1, 2])", "Suite/test(arguments: [1, 2])", true),
        ("Suite/test(arguments: [1, ?])", "Suite/test(arguments: [1, 2])", true),
        ("Suite/[ab]", "Suite/a", false),
        ("Suite/*é", "Suite/café", true),
    ])
    func matches(pattern: String, name: String, expected: Bool) {
        #expect(RegionPattern(pattern).matches(name) == expected)
    }
}

import Testing
@testable import Scenarios

@Suite struct JSONParserTests {
    @Test func parsesEveryValueKindKeepingKeyOrder() throws {
        let value = try JSONParser.parse(#"{"b": [1, -2.5e3, true, false, null], "a": "x\n\u00e9\ud83d\ude00", "c": {}}"#)
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["b", "a", "c"])
        #expect(value["b"] == .array([.integer(1), .number(-2500), .bool(true), .bool(false), .null]))
        #expect(value["a"] == .string("x\né😀"))
        #expect(value["c"] == .object([]))
    }

    @Test func integersStayExactTo64Bits() throws {
        #expect(try JSONParser.parse("9223372036854775807") == .integer(Int64.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .integer(Int64.min))
        #expect(try JSONParser.parse("9223372036854775808") == .number(9223372036854775808.0))
    }

    @Test(arguments: [
        ("", 1, 1, "empty"),
        ("{\"a\": 1,}", 1, 9, "trailing comma"),
        ("{\"a\": 1\n \"b\": 2}", 2, 2, "expected ',' or '}'"),
        ("{\"a\": NaN}", 1, 7, "NaN is not a JSON number"),
        ("[1, Infinity]", 1, 5, "Infinity"),
        ("[1, -Infinity]", 1, 6, "-Infinity"),
        ("{\"a\": 1e400}", 1, 7, "too large"),
        ("{'a': 1}", 1, 2, "double quotes"),
        ("{\"a\": 1, \"a\": 2}", 1, 10, "duplicate key \"a\""),
        ("{\"a\": 01}", 1, 7, "leading zeros"),
        ("{\"a\": \"open}", 1, 7, "unterminated string"),
        ("{\"a\": \"line\nbreak\"}", 1, 7, "line break"),
        ("{\"a\": True}", 1, 7, "case-sensitive"),
        ("[1, 2] x", 1, 8, "after the end"),
        ("{\"a\": [1, 2}", 1, 12, "expected ',' or ']'"),
    ])
    func malformedJSONIsLocated(text: String, line: Int, column: Int, fragment: String) {
        do {
            _ = try JSONParser.parse(text)
            Issue.record("accepted malformed JSON: \(text)")
        } catch {
            #expect(error.line == line, "\(text): \(error)")
            #expect(error.column == column, "\(text): \(error)")
            #expect(error.message.contains(fragment), "\(text): \(error)")
        }
    }

    @Test func serialisationRoundTrips() throws {
        let text = #"{"kind": "lorenz", "x": [1, 2.5, -3e-7], "nested": {"s": "q\"uote\\", "n": null, "t": true}}"#
        let value = try JSONParser.parse(text)
        #expect(try JSONParser.parse(value.serialized()) == value)
        #expect(try JSONParser.parse(value.serialized(pretty: false)) == value)
    }

    @Test func deepNestingIsRefusedNotOverflowed() {
        let text = String(repeating: "[", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
    }
}

import Foundation
import Testing
import ScenarioTestSupport
@testable import Scenarios

@Suite struct ScenarioValidationTests {
    init() { AllKinds.register() }

    func issues(_ text: String) -> [ValidationIssue] {
        do {
            _ = try Scenario.parse(text, file: "test.json")
            Issue.record("accepted: \(text)")
            return []
        } catch {
            return error.issues
        }
    }

    @Test func minimalScenarioGetsDefaults() throws {
        let scenario = try Scenario.parse(#"{"kind": "lorenz", "name": "a", "seed": 1}"#, file: "t.json")
        #expect(scenario.output == "runs")
        #expect(scenario.runDirectory == "runs/a")
        #expect(scenario.parameters.int("max_steps") == 10_000_000)
        #expect(scenario.parameters["dt"] == .null)
        #expect(scenario.parameters.string("method") == "Tsit5")
        #expect(scenario.parameters.double("beta") == 8.0 / 3.0)
        #expect(scenario.parameters.doubles("initial") == [1, 1, 1])
        // The normalised JSON validates again to the same scenario.
        let again = try Scenario.parse(scenario.json.serialized(), file: "again.json")
        #expect(again.json == scenario.json)
    }

    @Test func integralFloatsAreAcceptedForIntegers() throws {
        let scenario = try Scenario.parse(#"{"kind": "lorenz", "name": "a", "seed": 1, "parameters": {"max_steps": 1e3}}"#, file: "t.json")
        #expect(scenario.parameters.int("max_steps") == 1000)
        #expect(scenario.parameters["max_steps"] == .integer(1000))
    }

    @Test func everyProblemIsReportedAtOnce() {
        let found = issues(#"""
            {"kind": "lorenz", "name": "bad name/..", "seed": -3, "outptu": "x",
             "parameters": {"dt": -1, "max_steps": 2.5, "initial": [1, 2], "sigmaa": 10}}
            """#)
        let paths = Set(found.map(\.path))
        #expect(paths == ["$.name", "$.seed", "$.outptu", "$.parameters.dt", "$.parameters.max_steps",
                          "$.parameters.initial", "$.parameters.sigmaa"])
        #expect(found.first { $0.path == "$.outptu" }?.expected.contains("did you mean \"output\"") == true)
        #expect(found.first { $0.path == "$.parameters.sigmaa" }?.expected.contains("did you mean \"sigma\"") == true)
        #expect(found.first { $0.path == "$.parameters.dt" }?.found == "-1")
        #expect(found.first { $0.path == "$.parameters.max_steps" }?.expected.contains("whole number") == true)
        #expect(found.first { $0.path == "$.parameters.initial" }?.expected.contains("3 finite numbers (got 2)") == true)
    }

    @Test func unknownKindSuggestsTheNearestOne() {
        let found = issues(#"{"kind": "lorentz", "name": "a", "seed": 1}"#)
        #expect(found.count == 1)
        #expect(found[0].path == "$.kind")
        #expect(found[0].found == "\"lorentz\"")
        #expect(found[0].expected.contains("did you mean \"lorenz\""))
    }

    @Test func crossParameterLimitsAreChecked() {
        let tooMany = issues(#"{"kind": "lorenz", "name": "a", "seed": 1, "parameters": {"t_end": 1000000, "save_at": 0.01}}"#)
        #expect(tooMany.map(\.path) == ["$.parameters.save_at"])
        #expect(tooMany.first?.expected.contains("at most 20000000 records") == true)
        let fixedWithoutStep = issues(#"{"kind": "lorenz", "name": "a", "seed": 1, "parameters": {"method": "RK4"}}"#)
        #expect(fixedWithoutStep.map(\.path) == ["$.parameters.dt"])
        #expect(fixedWithoutStep.first?.expected.contains("method RK4 takes fixed steps") == true)
        let unsorted = issues(#"{"kind": "lorenz", "name": "a", "seed": 1, "parameters": {"save_at": [0, 2, 1]}}"#)
        #expect(unsorted.map(\.path) == ["$.parameters.save_at[2]"])
        let outside = issues(#"{"kind": "lorenz", "name": "a", "seed": 1, "parameters": {"save_at": [0, 50]}}"#)
        #expect(outside.map(\.path) == ["$.parameters.save_at[1]"])
    }

    @Test func saveAtTakesEveryForm() throws {
        for form in ["0.5", #""steps""#, #""final""#, "[0, 1, 2.5]"] {
            let scenario = try Scenario.parse(#"{"kind": "lorenz", "name": "a", "seed": 1, "parameters": {"save_at": \#(form)}}"#, file: "t.json")
            #expect(scenario.parameters["save_at"] == (try JSONParser.parse(form)))
        }
        let bad = issues(#"{"kind": "lorenz", "name": "a", "seed": 1, "parameters": {"save_at": "always"}}"#)
        #expect(bad.first?.expected == #"a finite number > 0, or one of "steps", "final", or a non-empty array of at most 20000000 finite numbers"#)
    }

    @Test func descriptionOfAnIssueNamesPathValueAndExpectation() {
        let issue = ValidationIssue(path: "$.parameters.dt", value: .number(-1), expected: "a finite number > 0")
        #expect(issue.description == "$.parameters.dt: found -1.0; expected a finite number > 0")
        let error = ScenarioError.invalid(file: "s.json", issues: [issue])
        #expect(error.description == "s.json: 1 problem in the scenario:\n  - $.parameters.dt: found -1.0; expected a finite number > 0")
    }

    @Test func builtinQuickstartIsTheShippedFile() throws {
        let file = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scenarios/quickstart.json")
        let shipped = try String(contentsOf: file, encoding: .utf8)
        #expect(try JSONParser.parse(shipped) == JSONParser.parse(BuiltinScenarios.quickstart))
        #expect(shipped.trimmingCharacters(in: .whitespacesAndNewlines) == BuiltinScenarios.quickstart)
        let scenario = try Scenario.parse(BuiltinScenarios.quickstart, file: "<quickstart>")
        #expect(scenario.kind == "lorenz" && scenario.name == "quickstart")
    }

    @Test func namesAreSafeDirectoryNames() {
        #expect(Scenario.isValidName("run-1.a_b"))
        for bad in ["", ".", "..", "-x", "a/b", "a b", String(repeating: "x", count: 101), "ü"] {
            #expect(!Scenario.isValidName(bad), "\(bad)")
        }
    }

    @Test func suggestionsUseEditDistance() {
        #expect(Suggestions.editDistance("kitten", "sitting") == 3)
        #expect(Suggestions.closest(to: "stesp", in: ["steps", "dt"]) == "steps")
        #expect(Suggestions.closest(to: "completely_else", in: ["steps", "dt"]) == nil)
    }
}

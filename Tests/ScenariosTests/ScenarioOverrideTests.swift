import Foundation
import Testing
import ScenarioTestSupport
@testable import Scenarios

/// `--set PATH=VALUE`: applied before validation, validated like the file, named in every
/// problem it causes, and recorded in the scenario.
@Suite struct ScenarioOverrideTests {
    init() { AllKinds.register() }

    static let base = #"{"kind": "lorenz", "name": "a", "seed": 1, "parameters": {"rho": 28, "t_end": 1}}"#

    static func parse(_ text: String = base, _ sets: String...) throws -> Scenario {
        try Scenario.parse(text, file: "t.json", overrides: sets.map { try ScenarioOverride(parsing: $0) })
    }

    static func issues(_ text: String = base, _ sets: String...) -> [ValidationIssue] {
        do {
            _ = try Scenario.parse(text, file: "t.json", overrides: sets.map { try ScenarioOverride(parsing: $0) })
            Issue.record("accepted \(sets)")
            return []
        } catch let error as ScenarioError {
            return error.issues
        } catch {
            Issue.record("unexpected \(error)")
            return []
        }
    }

    @Test func valuesAreReadAsJSONElseAsStrings() throws {
        let s = try Self.parse(Self.base, "parameters.rho=14.5", "seed=7", "parameters.method=Verner7",
                               "parameters.initial=[2, 0, 1]", "checkpoint.every_steps=50", "name=b")
        #expect(s.parameters.double("rho") == 14.5)
        #expect(s.seed == 7 && s.name == "b")
        #expect(s.parameters.string("method") == "Verner7")
        #expect(s.parameters.doubles("initial") == [2, 0, 1])
        #expect(s.overrides.map(\.text) == ["parameters.rho=14.5", "seed=7", "parameters.method=Verner7",
                                            "parameters.initial=[2, 0, 1]", "checkpoint.every_steps=50", "name=b"])
        // The effective scenario carries the values, so it validates again to itself without overrides.
        #expect(try Scenario.parse(s.json.serialized(), file: "again.json").json == s.json)
        // A later override of the same path wins; a quoted JSON string stays a string.
        #expect(try Self.parse(Self.base, "parameters.rho=1", "parameters.rho=2").parameters.double("rho") == 2)
        #expect(try Self.parse(Self.base, #"name="c""#).name == "c")
    }

    @Test func problemsNameTheOverride() {
        let unknown = Self.issues(Self.base, "parameters.rhoo=10")
        #expect(unknown.count == 1 && unknown[0].path == "--set parameters.rhoo=10 ($.parameters.rhoo)")
        #expect(unknown.first?.expected.contains(#"did you mean "rho"?"#) == true)
        let wrongType = Self.issues(Self.base, "parameters.rho=abc")
        #expect(wrongType.count == 1 && wrongType[0].path.hasPrefix("--set parameters.rho=abc") && wrongType[0].found == #""abc""#)
        let topLevel = Self.issues(Self.base, "paramters.rho=1")
        #expect(topLevel.count == 1 && topLevel[0].path == "--set paramters.rho=1" && topLevel[0].expected.contains(#"did you mean "parameters"?"#))
        let throughArray = Self.issues(Self.base, "parameters.initial=[1,2,3]", "parameters.initial.x=1")
        #expect(throughArray.count == 1 && throughArray[0].path == "--set parameters.initial.x=1")
        #expect(throws: ScenarioError.self) { try ScenarioOverride(parsing: "parameters.rho") }
        #expect(throws: ScenarioError.self) { try ScenarioOverride(parsing: "parameters..rho=1") }
        #expect(throws: ScenarioError.self) { try ScenarioOverride(parsing: "=1") }
    }

    @Test func sweepAxesAndTheSweepItselfCannotBeOverridden() throws {
        let swept = #"{"kind": "lorenz", "name": "s", "seed": 1, "parameters": {"t_end": 1}, "sweep": {"grid": {"rho": [14, 28]}, "list": [{"beta": 2}]}}"#
        let axis = Self.issues(swept, "parameters.rho=10")
        #expect(axis.count == 1 && axis[0].found.contains("a parameter the sweep varies"))
        #expect(Self.issues(swept, "parameters.beta=1").first?.found.contains("sweep varies") == true)
        #expect(Self.issues(swept, "sweep.grid.rho=[1]").first?.path == "--set sweep.grid.rho=[1]")
        #expect(try Self.parse(swept, "sweep.replicas=3").memberCount == 6)  // 1 list entry × 2 grid points × 3
        // Other parameters reach every member.
        let s = try Self.parse(swept, "parameters.sigma=9")
        #expect(try s.members().allSatisfy { $0.parameters.double("sigma") == 9 })
    }

    @Test func slurmScriptPassesTheOverridesOnToEveryMember() throws {
        let swept = #"{"kind": "lorenz", "name": "s", "seed": 1, "parameters": {"t_end": 1}, "sweep": {"grid": {"rho": [14, 28]}}}"#
        let s = try Self.parse(swept, "parameters.sigma=9", "parameters.method=Tsit5")
        let script = SlurmArrayScript(scenario: s, scenarioPath: "/x/s.json", executable: "/bin/ndyn", workingDirectory: "/w",
                                      outputDirectory: "out").text
        #expect(script.contains(#""$NDYN" run "$SCENARIO" --set 'parameters.sigma=9' --set 'parameters.method=Tsit5' --output '/w/out' --member"#),
                "\(script)")
    }
}

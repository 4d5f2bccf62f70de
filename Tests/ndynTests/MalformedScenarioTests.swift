import Foundation
import Testing
import TestSupport

/// Malformed scenarios: `ndyn validate` and `ndyn run` both exit with 2 and name the
/// problem precisely; `run` creates nothing.
@Suite struct MalformedScenarioTests {
    static let base = #""kind": "lorenz", "name": "m", "seed": 1"#

    static let cases: [(label: String, json: String, fragments: [String])] = [
        ("truncated JSON", #"{"kind": "lorenz","#,
         ["not valid JSON: line 1, column 19: unexpected end of file"]),
        ("empty file", "", ["the file is empty"]),
        ("not an object", "[1, 2]", ["$: found [1, 2]; expected a JSON object"]),
        ("missing kind", #"{"name": "m", "seed": 1}"#, ["$.kind: found (missing); expected a string naming the scenario kind: lorenz"]),
        ("missing name and seed", #"{"kind": "lorenz"}"#, ["2 problems", "$.name: found (missing)", "$.seed: found (missing)"]),
        ("kind of wrong type", #"{"kind": 3, "name": "m", "seed": 1}"#, ["$.kind: found 3; expected a string"]),
        ("unknown kind", #"{"kind": "lorentz", "name": "m", "seed": 1}"#, [#"$.kind: found "lorentz"; expected a known scenario kind (did you mean "lorenz"?)"#]),
        ("unknown top-level key", "{\(base), \"sede\": 2}", [#"$.sede: found 2; expected no such key (did you mean "seed"?)"#]),
        ("unknown parameter", "{\(base), \"parameters\": {\"max_stepz\": 10}}", [#"$.parameters.max_stepz: found 10; expected no such parameter (did you mean "max_steps"?)"#]),
        ("negative step count", "{\(base), \"parameters\": {\"max_steps\": -5}}", ["$.parameters.max_steps: found -5; expected an integer from 1 to 1000000000"]),
        ("fractional step count", "{\(base), \"parameters\": {\"max_steps\": 2.5}}", ["$.parameters.max_steps: found 2.5; expected an integer from 1 to 1000000000 (a whole number, without a fraction)"]),
        ("step count as string", "{\(base), \"parameters\": {\"max_steps\": \"100\"}}", [#"$.parameters.max_steps: found "100"; expected an integer"#]),
        ("NaN", "{\(base), \"parameters\": {\"dt\": NaN}}", ["line 1, column 65: NaN is not a JSON number; every number in a scenario must be finite"]),
        ("overflowing number", "{\(base), \"parameters\": {\"rho\": 1e400}}", ["the number 1e400 is too large"]),
        ("zero time step", "{\(base), \"parameters\": {\"dt\": 0}}", ["$.parameters.dt: found 0; expected a finite number > 0"]),
        ("fixed-step method without a step", "{\(base), \"parameters\": {\"method\": \"RK4\"}}", ["$.parameters.dt: found (missing); expected a step size > 0: method RK4 takes fixed steps"]),
        ("unknown method", "{\(base), \"parameters\": {\"method\": \"tsit5\"}}", [#"$.parameters.method: found "tsit5"; expected one of "Tsit5""#, #"(did you mean "Tsit5"?)"#]),
        ("negative tolerance", "{\(base), \"parameters\": {\"rtol\": -1e-6}}", ["$.parameters.rtol: found -1e-06; expected a finite number > 0 ≤ 1.0"]),
        ("huge step count", "{\(base), \"parameters\": {\"max_steps\": 1e12}}", ["$.parameters.max_steps: found 1000000000000.0; expected an integer from 1 to 1000000000"]),
        ("huge output", "{\(base), \"parameters\": {\"t_end\": 1e6, \"save_at\": 0.01}}", ["$.parameters.save_at: found 0.01; expected an interval giving at most 20000000 records over 1000000.0 time units"]),
        ("short initial state", "{\(base), \"parameters\": {\"initial\": [1, 2]}}", ["$.parameters.initial: found [1, 2]; expected an array of 3 finite numbers (got 2)"]),
        ("text in initial state", "{\(base), \"parameters\": {\"initial\": [1, \"2\", 3]}}", ["expected an array of 3 finite numbers (element 1 is a string)"]),
        ("negative seed", #"{"kind": "lorenz", "name": "m", "seed": -1}"#, ["$.seed: found -1; expected an integer from 0 to 9223372036854775807"]),
        ("fractional seed", #"{"kind": "lorenz", "name": "m", "seed": 1.5}"#, ["$.seed: found 1.5; expected an integer"]),
        ("name with a slash", #"{"kind": "lorenz", "name": "../escape", "seed": 1}"#, [#"$.name: found "../escape"; expected a run name"#]),
        ("empty output", "{\(base), \"output\": \"\"}", [#"$.output: found ""; expected a non-empty directory path"#]),
        ("parameters not an object", "{\(base), \"parameters\": 5}", ["$.parameters: found 5; expected an object of parameters"]),
        ("boolean for a number", "{\(base), \"parameters\": {\"sigma\": true}}", ["$.parameters.sigma: found true; expected a finite number"]),
        ("duplicate key", #"{"kind": "lorenz", "kind": "lorenz"}"#, [#"duplicate key "kind""#]),
    ]

    @Test(arguments: cases.indices)
    func validateAndRunRefuseIt(index: Int) throws {
        let (label, json, fragments) = Self.cases[index]
        let dir = TemporaryDirectory()
        let path = dir.write("scenario.json", json)
        for command in ["validate", "run"] {
            let result = try CLI.run([command, path], in: dir.path)
            #expect(result.status == 2, "\(label): ndyn \(command) exited \(result.status)")
            #expect(result.stderr.hasPrefix("error: \(path): "), "\(label): \(result.stderr)")
            for fragment in fragments {
                #expect(result.stderr.contains(fragment), "\(label): missing «\(fragment)» in:\n\(result.stderr)")
            }
        }
        #expect(dir.contents() == ["scenario.json"], "\(label): run created files")
    }

    @Test func missingFileAndDirectory() throws {
        let dir = TemporaryDirectory()
        let missing = try CLI.run(["run", dir.file("nope.json")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.json: cannot read the scenario: no such file"))
        let directory = try CLI.run(["validate", dir.path])
        #expect(directory.status == 2)
        #expect(directory.stderr.contains("this is a directory"))
    }
}

import Foundation
import Randomness
import Testing
import ScenarioTestSupport
@testable import Scenarios

/// Sweep declaration, expansion into members, seed derivation, member assignment and the
/// Slurm job-array script.
@Suite struct SweepTests {
    init() { AllKinds.register() }

    static func scenario(_ sweep: String, seed: Int = 11, parameters: String = #""t_end": 1"#) throws(ScenarioError) -> Scenario {
        try Scenario.parse(#"{"kind": "lorenz", "name": "s", "seed": \#(seed), "parameters": {\#(parameters)}, "sweep": \#(sweep)}"#,
                           file: "s.json")
    }

    static func issues(_ sweep: String) -> [ValidationIssue] {
        do {
            _ = try scenario(sweep)
            return []
        } catch {
            return error.issues
        }
    }

    static func parseIssues(_ json: String) -> [ValidationIssue] {
        do {
            _ = try Scenario.parse(json, file: "c.json")
            return []
        } catch {
            return error.issues
        }
    }

    @Test func gridTimesListTimesReplicasInDocumentedOrder() throws {
        let s = try Self.scenario(#"{"grid": {"rho": [14, 28], "sigma": [10, 11, 12]}, "list": [{"beta": 2}, {"beta": 3}], "replicas": 2}"#)
        let sweep = try #require(s.sweep)
        #expect(sweep.memberCount == 2 * 2 * 3 * 2)
        #expect(sweep.parameterNames == ["beta", "rho", "sigma"])
        // Replica fastest, then the grid's last key, then its first, then the list entry.
        let labels = (0..<6).map { sweep.member($0, baseSeed: 11).label }
        #expect(labels == [
            "beta=2, rho=14, sigma=10, replica 0", "beta=2, rho=14, sigma=10, replica 1",
            "beta=2, rho=14, sigma=11, replica 0", "beta=2, rho=14, sigma=11, replica 1",
            "beta=2, rho=14, sigma=12, replica 0", "beta=2, rho=14, sigma=12, replica 1",
        ])
        #expect(sweep.member(6, baseSeed: 11).label == "beta=2, rho=28, sigma=10, replica 0")
        #expect(sweep.member(12, baseSeed: 11).label == "beta=3, rho=14, sigma=10, replica 0")
        #expect(sweep.member(23, baseSeed: 11).label == "beta=3, rho=28, sigma=12, replica 1")
        // Every combination appears exactly once per replica.
        let all = Set((0..<sweep.memberCount).map { sweep.member($0, baseSeed: 11).label })
        #expect(all.count == sweep.memberCount)
    }

    @Test func membersAreValidatedScenariosWithTheirOwnDirectories() throws {
        let s = try Self.scenario(#"{"grid": {"rho": [14, 28.5]}, "replicas": 3}"#, parameters: #""t_end": 2, "rho": 99"#)
        let members = try s.members()
        #expect(members.count == 6)
        #expect(members.map { $0.parameters.double("rho") } == [14, 14, 14, 28.5, 28.5, 28.5])
        #expect(members.allSatisfy { $0.parameters.double("t_end") == 2 })
        #expect(members.map(\.runDirectory) == (0..<6).map { "runs/s/000\($0)" })
        #expect(members[4].member?.id == "0004" && members[4].member?.replica == 1)
        // The member (and its seed) is part of what the run records.
        #expect(members[4].json["member"]?["index"] == .integer(4))
        #expect(members[4].json["seed"] == .integer(members[4].seed))
        #expect(throws: ScenarioError.self) { try s.member(6) }
        #expect(throws: ScenarioError.self) { try members[0].member(0) }
    }

    @Test func memberIDsPadToTheSweepSize() {
        #expect(SweepMember(index: 7, count: 12, replica: 0, seed: 1, values: []).id == "0007")
        #expect(SweepMember(index: 7, count: 123_456, replica: 0, seed: 1, values: []).id == "000007")
    }

    @Test func replicaZeroKeepsTheSeedAndOthersAreDerivedAndDistinct() throws {
        #expect(Sweep.derivedSeed(base: 42, replica: 0) == 42)
        // Replica r > 0: the r-th SplitMix64 output of a stream keyed by the base seed, made non-negative.
        #expect(Sweep.derivedSeed(base: 42, replica: 3) == Int64(bitPattern: SplitMix64.hash(42, 3) >> 1))
        let seeds = (0..<1000).map { Sweep.derivedSeed(base: 42, replica: $0) }
        #expect(Set(seeds).count == 1000)
        #expect(seeds.allSatisfy { $0 >= 0 })
        #expect(Sweep.derivedSeed(base: 43, replica: 1) != Sweep.derivedSeed(base: 42, replica: 1))

        // Members that differ only in parameters share seeds (common random numbers).
        let s = try Self.scenario(#"{"grid": {"rho": [14, 28]}, "replicas": 2}"#, seed: 42)
        let members = try s.members()
        #expect(members.map(\.seed) == [42, seeds[1], 42, seeds[1]])
    }

    @Test func badSweepsAreRefusedWithPathsAndHints() {
        let unknown = Self.issues(#"{"grid": {"rhoo": [1, 2]}}"#)
        #expect(unknown.map(\.path) == ["$.sweep.grid.rhoo"])
        #expect(unknown.first?.expected.contains("did you mean \"rho\"") == true, "\(unknown)")

        #expect(Self.issues(#"{"grid": {"rho": []}}"#).map(\.path) == ["$.sweep.grid.rho"])
        #expect(Self.issues(#"{"grid": {"rho": 5}}"#).map(\.path) == ["$.sweep.grid.rho"])
        #expect(Self.issues(#"{"replicas": 0}"#).map(\.path) == ["$.sweep.replicas"])
        #expect(Self.issues(#"{"list": []}"#).map(\.path) == ["$.sweep.list"])
        #expect(Self.issues(#"{}"#).map(\.path) == ["$.sweep"])
        #expect(Self.issues(#"{"grid": {"rho": [1]}, "repeats": 2}"#).map(\.path) == ["$.sweep.repeats"])
        #expect(Self.issues(#"{"grid": {"rho": [1, 2]}, "list": [{"rho": 3}]}"#).map(\.path) == ["$.sweep.list[0].rho"])
        #expect(Self.issues(#""all""#).map(\.path) == ["$.sweep"])

        // A value the kind refuses is reported with the member it belongs to.
        let bad = Self.issues(#"{"grid": {"rho": [14, "high"], "method": ["Tsit5", "RK45"]}}"#)
        #expect(!bad.isEmpty)
        #expect(bad.allSatisfy { $0.path.hasPrefix("$.sweep (member ") })
        #expect(bad.contains { $0.path.hasSuffix("$.parameters.rho") && $0.path.contains("rho=\"high\"") }, "\(bad)")
        #expect(bad.contains { $0.path.hasSuffix("$.parameters.method") }, "\(bad)")

        let huge = Self.issues(#"{"grid": {"rho": [\#((0..<1000).map(String.init).joined(separator: ","))], "sigma": [\#((0..<1001).map(String.init).joined(separator: ","))]}}"#)
        #expect(huge.map(\.path) == ["$.sweep"])
        #expect(huge.first?.expected.contains("1001000") == true || huge.first?.expected.contains("1,001,000") == true, "\(huge)")
    }

    @Test func assignmentFollowsMemberThenSlurmThenRanks() throws {
        let s = try Self.scenario(#"{"grid": {"rho": [1, 2, 3, 4, 5]}}"#)
        let plain = try Scenario.parse(#"{"kind": "lorenz", "name": "p", "seed": 1}"#, file: "p.json")
        #expect(try MemberAssignment.resolve(scenario: s, member: 3, environment: ["SLURM_ARRAY_TASK_ID": "1"], rank: 0, size: 1) == .members([3]))
        #expect(try MemberAssignment.resolve(scenario: s, member: nil, environment: ["SLURM_ARRAY_TASK_ID": "1"], rank: 0, size: 1) == .members([1]))
        #expect(try MemberAssignment.resolve(scenario: s, member: nil, environment: [:], rank: 0, size: 1) == .members([0, 1, 2, 3, 4]))
        #expect(try MemberAssignment.resolve(scenario: s, member: nil, environment: [:], rank: 1, size: 2) == .members([1, 3]))
        #expect(try MemberAssignment.resolve(scenario: s, member: nil, environment: [:], rank: 0, size: 2) == .members([0, 2, 4]))
        #expect(try MemberAssignment.resolve(scenario: plain, member: nil, environment: ["SLURM_ARRAY_TASK_ID": "1"], rank: 0, size: 1) == .single)
        #expect(throws: AssignmentError.self) { try MemberAssignment.resolve(scenario: s, member: 5, environment: [:], rank: 0, size: 1) }
        #expect(throws: AssignmentError.self) { try MemberAssignment.resolve(scenario: s, member: nil, environment: ["SLURM_ARRAY_TASK_ID": "x"], rank: 0, size: 1) }
        #expect(throws: AssignmentError.self) { try MemberAssignment.resolve(scenario: plain, member: 0, environment: [:], rank: 0, size: 1) }
    }

    @Test func slurmScriptIsAJobArrayThatResumesAndRequeues() throws {
        var s = try Self.scenario(#"{"grid": {"rho": [14, 28]}, "replicas": 3}"#)
        s.output = "results"
        let script = SlurmArrayScript(scenario: s, scenarioPath: "/home/u/s.json", executable: "/opt/nd/bin/ndyn",
                                      workingDirectory: "/home/u/work", partition: "short", timeLimit: "01:30:00",
                                      cpusPerTask: 4, maxConcurrent: 2)
        let text = script.text
        let directives = text.split(separator: "\n").filter { $0.hasPrefix("#SBATCH ") }.map { String($0.dropFirst(8)) }
        #expect(directives.contains("--array=0-5%2"))
        #expect(directives.contains("--requeue"))
        #expect(directives.contains("--output=/home/u/work/results/s/slurm-%A_%a.out"))
        #expect(directives.contains("--partition=short"))
        #expect(directives.contains("--time=01:30:00"))
        #expect(directives.contains("--cpus-per-task=4"))
        #expect(directives.contains("--chdir=/home/u/work"))
        #expect(directives.contains { $0.hasPrefix("--signal=B:TERM@") })
        #expect(text.hasPrefix("#!/bin/bash\n"))
        #expect(text.contains(#""$NDYN" run "$SCENARIO" --member "$SLURM_ARRAY_TASK_ID" --resume"#))
        #expect(text.contains("NDYN='/opt/nd/bin/ndyn'") && text.contains("SCENARIO='/home/u/s.json'"))
        #expect(text.contains(#"if [ "$status" -eq 75 ]"#) && text.contains("scontrol requeue"))
        #expect(script.path == "/home/u/work/results/s/sweep.sbatch")

        let defaults = SlurmArrayScript(scenario: s, scenarioPath: "/s.json", executable: "/ndyn", workingDirectory: "/w").text
        #expect(defaults.contains("#SBATCH --array=0-5\n"))
        #expect(!defaults.contains("--partition") && !defaults.contains("--time="))

        // bash accepts it.
        let dir = NSTemporaryDirectory() + "/sbatch-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var placed = s
        placed.output = dir
        let written = try SlurmArrayScript(scenario: placed, scenarioPath: "/s.json", executable: "/ndyn", workingDirectory: "/w").write()
        let bash = Process()
        bash.executableURL = URL(fileURLWithPath: "/bin/bash")
        bash.arguments = ["-n", written]
        try bash.run()
        bash.waitUntilExit()
        #expect(bash.terminationStatus == 0)
        let permissions = try FileManager.default.attributesOfItem(atPath: written)[.posixPermissions] as? Int
        #expect(permissions == 0o755)
    }

    @Test func checkpointPolicyIsValidated() throws {
        let ok = try Scenario.parse(#"{"kind": "lorenz", "name": "c", "seed": 1, "checkpoint": {"every_steps": 100, "every_minutes": 0.5}}"#, file: "c.json")
        #expect(ok.checkpoint == CheckpointPolicy(everySteps: 100, everyMinutes: 0.5))
        #expect(ok.json["checkpoint"]?["every_steps"] == .integer(100))
        let bad = Self.parseIssues(#"{"kind": "lorenz", "name": "c", "seed": 1, "checkpoint": {"every_step": 100, "every_minutes": -1}}"#)
        #expect(bad.map(\.path) == ["$.checkpoint.every_step", "$.checkpoint.every_minutes"])
        let standard = try Scenario.parse(#"{"kind": "lorenz", "name": "c", "seed": 1}"#, file: "c.json")
        #expect(standard.checkpoint == .standard && standard.json["checkpoint"] == nil)
    }
}

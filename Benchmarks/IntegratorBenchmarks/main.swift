// Times NeuralDynamics' integrators on the reference problems, printing one JSON line per
// (problem, method) in the format of the peer programs in Benchmarks/peers, so that
// Benchmarks/report.py can put them side by side. Build in release mode:
//
//     swift build -c release --product integrator-bench
//     .build/release/integrator-bench [--problems lorenz,hires,brusselator2d] [--quick] [--grids 32,64]
import Foundation
import Integrators
import ReferenceProblems

var selected: Set<String>?
var methods: Set<String>?
var quick = false
var grids = [32, 64, 128]
var referenceDirectory = ".build/bench/references"
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--problems": selected = Set((arguments.next() ?? "").split(separator: ",").map(String.init))
    case "--methods": methods = Set((arguments.next() ?? "").split(separator: ",").map(String.init))
    case "--quick": quick = true
    case "--grids": grids = (arguments.next() ?? "").split(separator: ",").compactMap { Int($0) }
    case "--reference-dir": referenceDirectory = arguments.next() ?? referenceDirectory
    default:
        FileHandle.standardError.write(Data(("usage: integrator-bench [--problems a,b] [--methods Tsit5,BDF] [--quick] "
            + "[--grids 32,64,128] [--reference-dir DIR]\n").utf8))
        exit(2)
    }
}

@MainActor
func run<Method: AdaptiveRungeKuttaMethod>(_ reference: ReferenceProblem, _ method: Method) throws -> BenchmarkResult {
    try run(reference, name: method.name) { problem in
        try solve(problem, using: method, tolerance: reference.tolerance, saveAt: .final, maxSteps: 10_000_000,
                  denseOutput: false)
    }
}

/// Times `solver` on the reference problem: an accuracy solve to the reference time (Lorenz:
/// t = 10; otherwise the same solve as timed), then repeated whole solves.
@MainActor
func run(_ reference: ReferenceProblem, name: String, solver: (ODEProblem) throws -> ODESolution) throws -> BenchmarkResult {
    let tolerance = reference.tolerance
    let accuracy = try solver(reference.referenceProblem)
    var solution = accuracy
    let timing = try medianTime(minimumSeconds: quick ? 0 : 0.3, minimumRepetitions: quick ? 1 : 5) {
        solution = try solver(reference.problem)
    }
    let isLarge = solution.final.count > 100
    return BenchmarkResult(
        problem: reference.name, method: name, rtol: tolerance.relative[0], atol: tolerance.absolute,
        final: isLarge ? Array(solution.final.prefix(3) + solution.final.suffix(3)) : solution.final,
        finalNote: isLarge ? "first 3 and last 3 of \(solution.final.count) components" : nil,
        error: reference.error(of: accuracy.final), steps: solution.statistics.acceptedSteps,
        rejected: solution.statistics.rejectedSteps, rhsEvaluations: solution.statistics.rhsEvaluations,
        jacobianEvaluations: solution.statistics.jacobianEvaluations, factorizations: solution.statistics.factorizations,
        medianSeconds: timing.seconds, repetitions: timing.repetitions)
}

for reference in ReferenceProblem.all + [ReferenceProblem.decay(size: 1_000_000)] where selected?.contains(reference.name) ?? true {
    var results: [BenchmarkResult] = []
    do {
        func wanted(_ name: String) -> Bool { methods?.contains(name) ?? true }
        if reference.isStiff {
            let tolerance = reference.tolerance
            // Finite-difference Jacobians, as CVODE's default difference quotients.
            if wanted("BDF") {
                results.append(try run(reference, name: "BDF") {
                    try solve($0, using: BDF(), tolerance: tolerance, saveAt: .final, maxSteps: 10_000_000, denseOutput: false)
                })
            }
            if wanted("Rodas5P") {
                results.append(try run(reference, name: "Rodas5P") {
                    try solve($0, using: Rodas5P(), tolerance: tolerance, saveAt: .final, maxSteps: 10_000_000, denseOutput: false)
                })
            }
            if wanted("BDF (analytic J)"), let jacobian = reference.jacobian {
                results.append(try run(reference, name: "BDF (analytic J)") {
                    try solve($0.withJacobian(jacobian), using: BDF(), tolerance: tolerance, saveAt: .final,
                              maxSteps: 10_000_000, denseOutput: false)
                })
            }
            for result in results { print(result.jsonLine) }
            continue
        }
        if wanted("Tsit5") { results.append(try run(reference, Tsit5())) }
        if wanted("DormandPrince5") { results.append(try run(reference, DormandPrince5())) }
        if wanted("Verner7"), !reference.name.hasPrefix("decay") { results.append(try run(reference, Verner7())) }
    } catch {
        FileHandle.standardError.write(Data("\(reference.name): \(error)\n".utf8))
        exit(1)
    }
    for result in results { print(result.jsonLine) }
}

// The Brusselator runs when named (make bench runs it after the SUNDIALS peer cached its references).
if selected?.contains("brusselator2d") == true {
    do {
        try brusselatorBenchmarks(grids: grids, referenceDirectory: referenceDirectory, quick: quick)
    } catch {
        FileHandle.standardError.write(Data("brusselator2d: \(error)\n".utf8))
        exit(1)
    }
}

import Fluids
import Foundation
import NetCDF
import Scenarios
import Spectral

/// Reference data for learned PDE solvers: 2-D Kolmogorov flow by pseudo-spectral DNS (the
/// TSM / JAX-CFD setup: ν = 0.001, forcing sin(4y) with linear drag 0.1, CFL-limited steps),
/// recorded on the DNS grid and as exact cell averages on coarser model grids.
public struct KolmogorovDNSKind: ScenarioKind {
    public init() {}

    public let name = "ns2d-dns"

    public let domain = "navier-stokes"
    public let summary = "2-D Kolmogorov flow by pseudo-spectral DNS (FFTW, ETDRK4); vorticity on the DNS grid and cell-averaged coarse grids"

    public let parameters: [ParameterSpec] = [
        ParameterSpec("grid", .integer(8...4096), default: .integer(256), summary: "DNS grid points per side of the [0, 2π)² box (even)"),
        ParameterSpec("viscosity", .number(minimum: 0), default: .number(0.001), summary: "kinematic viscosity ν"),
        ParameterSpec("drag", .number(minimum: 0), default: .number(0.1), summary: "linear drag α (the −0.1 u of the TSM setup)"),
        ParameterSpec("forcing_amplitude", .number(), default: .number(1), summary: "Kolmogorov body force f_x = A sin(k_f y): A"),
        ParameterSpec("forcing_wavenumber", .integer(0...512), default: .integer(4), summary: "k_f"),
        ParameterSpec("max_velocity", .number(positive: true), default: .number(7),
                      summary: "the speed the CFL step assumes (and the initial field's largest speed)"),
        ParameterSpec("cfl", .number(maximum: 2, positive: true), default: .number(0.5), summary: "CFL number: dt = cfl·Δx/max_velocity"),
        ParameterSpec("peak_wavenumber", .number(positive: true), default: .number(4), summary: "peak wavenumber of the random initial field"),
        ParameterSpec("warmup", .number(minimum: 0), default: .number(5), summary: "time integrated before recording starts (model time units)"),
        ParameterSpec("duration", .number(positive: true), default: .number(10), summary: "recorded time span"),
        ParameterSpec("save_every", .number(positive: true), default: .number(0.2), summary: "interval between records"),
        ParameterSpec("coarse_grids", .numberList(maximumCount: 8), default: .array([.integer(32), .integer(64)]),
                      summary: "model grids (dividing grid) to write cell-averaged vorticity for"),
        ParameterSpec("write_dns", .boolean, default: .bool(true), summary: "also write the DNS-grid vorticity (float32)"),
        ParameterSpec("history_frames", .integer(0...4096), default: .integer(0),
                      summary: "also record the coarse velocities of this many frames up to t = 0 (the input history a TSM model reads)"),
        ParameterSpec("threads", .integer(0...1024), default: .integer(1),
                      summary: "threads for FFTW and the grid loops (0: all cores); results may differ from 1 thread in the last bits"),
        ParameterSpec("history_every", .number(minimum: 0), default: .number(0),
                      summary: "spacing of the history frames (the model time step; must divide save_every; 0: save_every)"),
    ]

    public func check(_ p: ParameterValues, issues: inout [ValidationIssue]) {
        let n = p.int("grid")
        if n % 2 != 0 { issues.append(ValidationIssue(path: "$.parameters.grid", value: p["grid"], expected: "an even number of grid points")) }
        for (i, m) in p.doubles("coarse_grids").enumerated() where m < 2 || m != m.rounded() || n % Int(m) != 0 {
            issues.append(ValidationIssue(path: "$.parameters.coarse_grids[\(i)]", value: .number(m), expected: "a whole number ≥ 2 that divides grid (\(n))"))
        }
        let every = p.double("history_every"), save = p.double("save_every")
        if p.int("history_frames") > 0, every > 0, abs(save / every - (save / every).rounded()) > 1e-9 * max(1, save / every) {
            issues.append(ValidationIssue(path: "$.parameters.history_every", value: p["history_every"],
                                          expected: "a spacing that divides save_every (\(save)) a whole number of times"))
        }
    }

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let n = p.int("grid")
        let threads = p.int("threads") == 0 ? ProcessInfo.processInfo.activeProcessorCount : p.int("threads")
        FFTWPlanning.useThreads(threads)  // before the solver makes its plans
        let solver = VorticityNavierStokes2D(n: n, viscosity: p.double("viscosity"), drag: p.double("drag"),
                                             forcingAmplitude: p.double("forcing_amplitude"), forcingWavenumber: p.int("forcing_wavenumber"))
        let saveEvery = p.double("save_every")
        let historyFrames = p.int("history_frames")
        let schedule: RecordSchedule
        do {
            schedule = try RecordSchedule(cflStep: solver.cflStep(cfl: p.double("cfl"), maxVelocity: p.double("max_velocity")),
                                          saveEvery: saveEvery, duration: p.double("duration"), warmup: p.double("warmup"),
                                          historyFrames: historyFrames, historyEvery: p.double("history_every"))
        } catch {
            throw NavierStokesRunError(message: error.message)
        }
        let (dt, records, historyEvery) = (schedule.step, schedule.records, schedule.historyEvery)
        let stepper = solver.stepper(step: dt)
        let coarse = p.doubles("coarse_grids").map { Int($0) }
        let writeDNS = p.bool("write_dns")
        var run = RecordedRun(state: solver.randomInitialState(peakWavenumber: p.double("peak_wavenumber"),
                                                               maxVelocity: p.double("max_velocity"), seed: UInt64(scenario.seed)))

        let dataset = try context.createOutput(
            title: "2-D Kolmogorov flow, pseudo-spectral DNS at \(n)x\(n)",
            references: "Z. Sun, Y. Yang, S. Yoo (2023), A Neural PDE Solver with Temporal Stencil Modeling, ICML; D. Kochkov et al. (2021), Machine learning-accelerated computational fluid dynamics, PNAS 118",
            comment: "Vorticity form on [0, 2pi)^2, FFTW real transforms, 2/3 dealiasing, ETDRK4 with dt = \(dt) (CFL \(p.double("cfl")) at speed \(p.double("max_velocity"))); nu = \(solver.viscosity), drag \(solver.drag), forcing \(solver.forcingAmplitude) sin(\(solver.forcingWavenumber) y). Coarse fields are exact cell averages.")
        defer { dataset.discard() }
        try dataset.defineDimension("time", length: nil)
        try dataset.defineVariable("time", type: .float64, dimensions: ["time"], attributes: [
            "standard_name": "time", "long_name": "model time after the warm-up", "units": "1", "axis": "T",
        ])
        func defineGrid(_ m: Int, suffix: String, centred: Bool) throws {
            for (axis, name) in [("X", "x"), ("Y", "y")] {
                try dataset.defineDimension("\(name)\(suffix)", length: m)
                try dataset.defineVariable("\(name)\(suffix)", type: .float64, dimensions: ["\(name)\(suffix)"], attributes: [
                    "long_name": .text(centred ? "\(name) of the cell centre" : "\(name) of the grid point"), "units": "1", "axis": .text(axis),
                ])
                let h = 2 * Double.pi / Double(m)
                try dataset.write((0..<m).map { (Double($0) + (centred ? 0.5 : 0)) * h }, to: "\(name)\(suffix)")
            }
        }
        if writeDNS {
            try defineGrid(n, suffix: "", centred: false)
            try dataset.defineVariable("vorticity", type: .float32, dimensions: ["time", "y", "x"], attributes: [
                "long_name": "vorticity dv/dx - du/dy on the DNS grid", "units": "1",
            ], compression: Compression(), chunkSizes: [1, n, n])
        }
        for m in coarse {
            try defineGrid(m, suffix: "_\(m)", centred: true)
            try dataset.defineVariable("vorticity_\(m)", type: .float64, dimensions: ["time", "y_\(m)", "x_\(m)"], attributes: [
                "long_name": .text("vorticity averaged over the cells of the \(m)x\(m) model grid"), "units": "1",
            ], compression: Compression(), chunkSizes: [1, m, m])
            try dataset.defineVariable("u_\(m)", type: .float64, dimensions: ["time", "y_\(m)", "x_\(m)"], attributes: [
                "long_name": .text("x velocity averaged over the x-faces of the \(m)x\(m) staggered grid (face at x + H/2 of the cell)"), "units": "1",
            ], compression: Compression(), chunkSizes: [1, m, m])
            try dataset.defineVariable("v_\(m)", type: .float64, dimensions: ["time", "y_\(m)", "x_\(m)"], attributes: [
                "long_name": .text("y velocity averaged over the y-faces of the \(m)x\(m) staggered grid (face at y + H/2 of the cell)"), "units": "1",
            ], compression: Compression(), chunkSizes: [1, m, m])
        }
        if historyFrames > 0 {
            try dataset.defineDimension("history", length: historyFrames)
            try dataset.defineVariable("history_time", type: .float64, dimensions: ["history"], attributes: [
                "long_name": "time of the history frames (the last is the first record, t = 0)", "units": "1",
            ])
            for m in coarse {
                for (component, face) in [("u", "x"), ("v", "y")] {
                    try dataset.defineVariable("\(component)_history_\(m)", type: .float64, dimensions: ["history", "y_\(m)", "x_\(m)"], attributes: [
                        "long_name": .text("\(component) averaged over the \(face)-faces of the \(m)x\(m) grid, frames up to t = 0 every \(historyEvery)"), "units": "1",
                    ], compression: Compression(), chunkSizes: [1, m, m])
                }
            }
        }
        try dataset.defineVariable("energy", type: .float64, dimensions: ["time"], attributes: [
            "long_name": "kinetic energy per unit area, box mean of |u|^2/2", "units": "1",
        ])
        try dataset.defineVariable("enstrophy", type: .float64, dimensions: ["time"], attributes: [
            "long_name": "enstrophy, box mean of omega^2/2", "units": "1",
        ])

        // Resume: the spectral state, the steps taken and every record written before the checkpoint.
        var maxSpeed = 0.0
        var saved: [String: [Double]] = [:]
        var columnsOfRecord: [(name: String, size: Int)] = [("time", 1)]
        if writeDNS { columnsOfRecord.append(("vorticity", n * n)) }
        for m in coarse {
            for prefix in ["vorticity", "u", "v"] { columnsOfRecord.append(("\(prefix)_\(m)", m * m)) }
        }
        columnsOfRecord += [("energy", 1), ("enstrophy", 1)]
        let historyNames = historyFrames > 0 ? coarse.flatMap { ["u_history_\($0)", "v_history_\($0)"] } : []
        let names = columnsOfRecord.map(\.name) + historyNames
        if context.isResuming {
            let checkpoint = try context.openCheckpoint()
            defer { try? checkpoint.close() }
            run.state = try checkpoint.read(Double.self, from: "dns_state")
            guard run.state.count == solver.stateCount, let counters = try checkpoint.attribute("dns_counters")?.doubles, counters.count == 4 else {
                throw NavierStokesRunError(message: "\(context.checkpointPath) is not an ns2d-dns checkpoint of this grid")
            }
            (run.stepsDone, run.recordsTaken, maxSpeed, run.historyFramesTaken) = (Int(counters[0]), Int(counters[1]), counters[2], Int(counters[3]))
            for name in names where (historyNames.contains(name) ? run.historyFramesTaken : run.recordsTaken) > 0 {
                saved[name] = try checkpoint.read(Double.self, from: "saved_\(name)")
            }
            for r in 0..<run.recordsTaken { try dataset.appendRecords(recordColumns(r, saved: saved, names: columnsOfRecord), records: 1) }
            context.progress.note("resuming '\(scenario.name)' after \(run.stepsDone) steps (\(run.recordsTaken) records)")
        }
        context.progress.begin("ns2d-dns '\(scenario.name)'")
        let totalSteps = schedule.totalSteps
        while true {
            let event: RecordedRun.Event?
            do { event = try run.next(solver: solver, stepper: stepper, schedule: schedule) } catch { throw NavierStokesRunError(message: error.message) }
            guard let event else { break }
            switch event {
            case .historyFrame:
                for m in coarse {
                    let (u, v) = solver.faceAveragedVelocity(run.state, coarse: m)
                    saved["u_history_\(m)", default: []] += u
                    saved["v_history_\(m)", default: []] += v
                }
            case .record(let r):
                let state = run.state
                var columns: [(String, [Double])] = [("time", [Double(r) * saveEvery])]
                if writeDNS { columns.append(("vorticity", solver.vorticity(state).map { Double(Float($0)) })) }
                for m in coarse {
                    columns.append(("vorticity_\(m)", solver.cellAverages(state, coarse: m)))
                    let (u, v) = solver.faceAveragedVelocity(state, coarse: m)
                    columns += [("u_\(m)", u), ("v_\(m)", v)]
                }
                let (energy, enstrophy) = solver.energyAndEnstrophy(state)
                columns += [("energy", [energy]), ("enstrophy", [enstrophy])]
                let (u, v) = solver.velocity(state)
                maxSpeed = max(maxSpeed, zip(u, v).map { ($0 * $0 + $1 * $1).squareRoot() }.max() ?? 0)
                for (name, values) in columns { saved[name, default: []] += values }
                try dataset.appendRecords(recordColumns(r, saved: saved, names: columnsOfRecord), records: 1)
            case .advanced:
                let done = run.stepsDone
                context.progress.update(fraction: Double(done) / Double(max(totalSteps, 1)), steps: done)
                if context.checkpointDue(step: done) {
                    let counters = [Double(done), Double(run.recordsTaken), maxSpeed, Double(run.historyFramesTaken)]
                    let (snapshotState, snapshot) = (run.state, saved)
                    try context.writeCheckpoint(step: done) { checkpoint in
                        try checkpoint.defineDimension("dns_state_length", length: snapshotState.count)
                        try checkpoint.defineVariable("dns_state", type: .float64, dimensions: ["dns_state_length"], attributes: [
                            "long_name": "vorticity half spectrum (re, im pairs) at the checkpoint",
                        ])
                        try checkpoint.setAttribute("dns_counters", .float64(counters))
                        for name in names where !(snapshot[name] ?? []).isEmpty {
                            try checkpoint.defineDimension("saved_\(name)_length", length: snapshot[name]!.count)
                            try checkpoint.defineVariable("saved_\(name)", type: .float64, dimensions: ["saved_\(name)_length"],
                                                          compression: Compression())
                        }
                        try checkpoint.write(snapshotState, to: "dns_state")
                        for name in names where !(snapshot[name] ?? []).isEmpty { try checkpoint.write(snapshot[name]!, to: "saved_\(name)") }
                    }
                    try context.stopIfRequested(progress: "step \(done) of \(totalSteps)")
                }
            }
        }
        let statistics: [(key: String, value: JSONValue)] = [
            ("grid", .integer(Int64(n))), ("threads", .integer(Int64(threads))), ("dt", .number(dt)), ("steps", .integer(Int64(totalSteps))),
            ("records", .integer(Int64(records))), ("max_speed_recorded", .number(maxSpeed)),
            ("cfl_at_max_speed", .number(maxSpeed * dt / (2 * Double.pi / Double(n)))),
        ]
        if historyFrames > 0 {
            try dataset.write(schedule.historyTimes, to: "history_time")
            for name in historyNames { try dataset.write(saved[name]!, to: name) }
        }
        try context.recordSolverStatistics(statistics, in: dataset)
        try dataset.close()
        context.removeCheckpoint()  // the output holds everything it had
        return RunSummary(statistics: statistics)
    }
}

/// Record `r`'s columns from the saved values (each name holds `records × size` values).
private func recordColumns(_ r: Int, saved: [String: [Double]], names: [(name: String, size: Int)]) -> [(String, NetCDFArray)] {
    names.map { name, size in
        let slice = Array(saved[name]![(r * size)..<((r + 1) * size)])
        return (name, name == "vorticity" ? .float32(slice.map { Float($0) }) : .float64(slice))
    }
}

/// A DNS run that cannot go on: a bad checkpoint, a blow-up, a history the warm-up cannot supply.
public struct NavierStokesRunError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

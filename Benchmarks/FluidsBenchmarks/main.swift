// fluids-bench: step time of the pseudo-spectral Kolmogorov-flow DNS (the ns2d-dns kind's solver)
// at 256² and 1024², on 1 and 2 FFTW threads, and the share of the step spent inside FFTW. One JSON line
// per (grid, threads) on stdout; Benchmarks/report.py puts them next to JAX-CFD. The FFTW share
// is measured inside the real steps (FFTWTiming around every execute call).
import Fluids
import Foundation
import Spectral

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

// fluids-bench [grid ...] [--threads 1,2,4]: grids default to 256 and 1024, thread counts to 1 and 2.
var grids: [Int] = [], threadCounts = [1, 2]
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    if argument == "--threads" {
        threadCounts = (arguments.next() ?? "").split(separator: ",").compactMap { Int($0) }
    } else if let n = Int(argument) {
        grids.append(n)
    } else {
        FileHandle.standardError.write(Data("usage: fluids-bench [grid ...] [--threads 1,2,4]\n".utf8))
        exit(2)
    }
}
if grids.isEmpty { grids = [256, 1024] }
for threads in threadCounts {
    FFTWPlanning.useThreads(threads)
    for n in grids {
        let solver = VorticityNavierStokes2D(n: n, viscosity: 0.001, drag: 0.1, forcingAmplitude: 1, forcingWavenumber: 4)
        let dt = solver.cflStep(cfl: 0.5, maxVelocity: 7)
        let stepper = solver.stepper(step: dt)
        var state = solver.randomInitialState(peakWavenumber: 4, maxVelocity: 7, seed: 0)
        solver.advance(&state, steps: 2, with: stepper)
        let stepsPerRepeat = n >= 1024 ? 3 : 20
        var stepTimes: [Double] = [], fftShares: [Double] = []
        FFTWTiming.isEnabled = true
        for _ in 0..<5 {
            FFTWTiming.reset()
            let start = now()
            solver.advance(&state, steps: stepsPerRepeat, with: stepper)
            let elapsed = now() - start
            stepTimes.append(elapsed / Double(stepsPerRepeat))
            fftShares.append(FFTWTiming.seconds / elapsed)   // time inside FFTW's execute calls of these steps
        }
        FFTWTiming.isEnabled = false
        let step = median(stepTimes), share = median(fftShares), transforms = share * step
        let maxVorticity = solver.vorticity(state).map(abs).max() ?? .nan
        let line: [String: Any] = [
            "problem": "ns2d-spectral", "peer": "neuraldynamics", "method": "ETDRK4", "grid": n, "threads": threads,
            "dt": dt, "median_seconds_per_step": step, "fftw_seconds_per_step": transforms,
            "fftw_fraction": share, "max_abs_vorticity": maxVorticity,
        ]
        let data = try! JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}

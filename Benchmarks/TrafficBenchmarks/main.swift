// traffic-bench: the speed of the traffic module. One JSON line per case on stdout;
// Benchmarks/peers/traffic_peer.py times PyTorch and dtaidistance on the same cases and
// Benchmarks/report.py puts them side by side.
//
// `--only epoch`: one training epoch of traffic-train's default GRAM-ODE on Los-loop (207 sensors,
// the 1,186 training windows of the 60/20/20 split in batches of 64: forward, backward through the
// Euler-solved ODE blocks, AdamW), after one untimed warm-up epoch; `--epochs N` timed epochs
// (default 2), the median reported. Options `--width`, `--blocks`, `--edge-ode` change the model
// (the peer takes the same).
// `--only dtw`: DTW distances between all pairs of 207 series of 288 values (Los-loop's mean
// training days, the semantic graph's input), squared local cost (dtaidistance's), without a band
// and with a Sakoe–Chiba band of 6 steps (dtaidistance `window=7`).
import Foundation
import Tensors
import TrafficODE

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? { arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } }
let only = option("--only")
let data = option("--data") ?? "Data/traffic/los-loop"

func emit(_ line: [String: Any]) {
    let json = try! JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
    FileHandle.standardOutput.write(json + Data("\n".utf8))
}

let series = try TrafficSeries.read("\(data)/los_speed.csv")
let windows = try ForecastWindows.standard(timeSteps: series.timeSteps)
let profiles = series.meanDailyProfiles(feature: 0, steps: windows.segments[0])

if only == nil || only == "dtw" {
    for band in [nil, 6] as [Int?] {
        let dtw = DynamicTimeWarping(localCost: .squared, band: band)
        _ = dtw.pairwiseDistances(profiles)
        var times: [Double] = []
        var checksum = 0.0
        let started = now()
        while times.count < 5 || now() - started < 2 {
            let t0 = now()
            checksum = dtw.pairwiseDistances(profiles).reduce(0, +)
            times.append(now() - t0)
        }
        emit(["problem": "dtw-all-pairs", "peer": "neuraldynamics", "series": profiles.count, "length": profiles[0].count,
              "band": band.map { $0 as Any } ?? NSNull(), "median_seconds": times.sorted()[times.count / 2], "repeats": times.count,
              "distance_sum": checksum])
    }
}

if only == nil || only == "epoch" {
    var c = TrafficModelConfiguration(model: "gram-ode", sensors: series.sensors)
    c.width = Int(option("--width") ?? "") ?? 16
    c.blocks = Int(option("--blocks") ?? "") ?? 2
    c.edgeODE = option("--edge-ode") == "true"
    c.localODEs = true
    let road = try SensorGraph.read("\(data)/los_adj.csv", sensors: series.sensors)
    let semantic = try SensorGraph.semantic(of: series, steps: windows.segments[0], band: 6).graph
    let network = try AnyTrafficNetwork(c, graphs: ["spatial": road, "semantic": semantic], seed: 1)
    var trainer = try TrafficTrainer(network: network, series: series, windows: windows, batchSize: 64, seed: 1)
    let epochs = Int(option("--epochs") ?? "") ?? 2
    var times: [Double] = [], losses: [Double] = []
    for k in 0...epochs {
        let t0 = now()
        let loss = try trainer.trainEpoch()
        if k > 0 { times.append(now() - t0) }
        losses.append(loss)
    }
    let median = times.sorted()[times.count / 2]
    let trainingWindows = windows.windowStarts(in: .training).count
    emit(["problem": "gram-ode-epoch", "peer": "neuraldynamics", "sensors": series.sensors, "width": c.width, "blocks": c.blocks,
          "branches": c.branches.joined(separator: ","), "edge_ode": c.edgeODE, "local_odes": c.localODEs,
          "parameters": trainer.network.parameters.scalarCount, "training_windows": trainingWindows, "batch_size": 64,
          "median_seconds": median, "epochs_timed": times.count, "windows_per_second": Double(trainingWindows) / median,
          "losses": losses])
}

// wavelet-bench: the Wavelet Diffusion Neural Operator's speed. `--only dwt` (the default runs all):
// forward + inverse discrete wavelet transform (Spectral's WaveletTransform) on the
// Burgers trajectory of the Wavelet Diffusion Neural Operator (81 x 120, bior2.4, periodization,
// one level) and on a 3-D array (32 x 64 x 64, bior2.4, periodization, one level). One JSON line
// per case on stdout; Benchmarks/peers/wavelet_peer.py times PyWavelets' wavedecn + waverecn on the
// same cases, and Benchmarks/report.py puts them side by side. Each timed repeat is one forward and
// one inverse; repeats continue until 20 and 0.5 s, the median is reported. `--only unet`: one
// training step of the default diffusion U-Net (width 32, multipliers 1, 2, 4, 9 channels of 64 x 64,
// batch 16, Float32) and the DDIM sampling of one trajectory (50 network calls), next to
// Benchmarks/peers/unet_peer.py (the same network in PyTorch).
import Foundation
import Integrators
import Spectral
import Tensors
import WaveletDiffusion

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

let arguments = CommandLine.arguments.dropFirst()
let only = arguments.first == "--only" ? arguments.dropFirst().first : nil

func emit(_ line: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

let cases: [(name: String, shape: [Int])] = [("burgers-trajectory", [81, 120]), ("array-3d", [32, 64, 64])]
for (name, shape) in cases where only == nil || only == "dwt" {
    let transform = try! WaveletTransform(wavelet: .bior2_4, mode: .periodization, levels: 1)
    let count = shape.reduce(1, *)
    var state: UInt64 = 42
    let signal = (0..<count).map { _ -> Double in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53) - 0.5
    }
    var back = try! transform.inverse(transform.forward(signal, shape: shape))
    var times: [Double] = []
    let started = now()
    while times.count < 20 || now() - started < 0.5 {
        let t0 = now()
        back = try! transform.inverse(transform.forward(signal, shape: shape))
        times.append(now() - t0)
    }
    let error = zip(back, signal).map { abs($0 - $1) }.max()!
    emit([
        "problem": "dwt-roundtrip", "case": name, "shape": shape, "peer": "neuraldynamics", "wavelet": "bior2.4",
        "mode": "periodization", "levels": 1, "median_seconds": times.sorted()[times.count / 2], "repeats": times.count,
        "reconstruction_error": error,
    ])
}

if only == nil || only == "unet" {
    let layout = try! WaveletChannels()
    var state: UInt64 = 7
    let samples = (0..<(32 * layout.sampleSize)).map { _ -> Float in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Double(state >> 11) / Double(1 << 53) - 0.5)
    }
    let network = DiffusionUNet<Float>(DiffusionUNetConfiguration(), seed: 0)
    var trainer = try! DiffusionTrainer(network: network, layout: layout, task: .simulation, samples: samples,
                                        channelWeights: layout.channelWeights, options: DiffusionTrainingOptions(batchSize: 16))
    var times: [Double] = []
    for step in 0..<12 {
        let t0 = now()
        try! trainer.trainStep()
        if step >= 2 { times.append(now() - t0) }
    }
    emit(["problem": "unet-train-step", "peer": "neuraldynamics", "batch": 16, "parameters": network.parameters.scalarCount,
          "median_seconds": times.sorted()[times.count / 2], "steps": times.count])
    let sampler = ConditionalSampler(network: trainer.network, parameters: trainer.network.parameters, layout: layout, task: .simulation)
    var sampling: [Double] = []
    for repeat_ in 0..<4 {
        let t0 = now()
        _ = try! sampler.sample(given: Array(samples.prefix(layout.sampleSize)), method: .ddim, steps: 49, seed: UInt64(repeat_))
        if repeat_ >= 1 { sampling.append(now() - t0) }
    }
    emit(["problem": "ddim-sampling", "peer": "neuraldynamics", "network_calls": 51,
          "median_seconds": sampling.sorted()[sampling.count / 2], "repeats": sampling.count])
}



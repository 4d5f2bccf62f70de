// wavelet-bench: forward + inverse discrete wavelet transform (Spectral's WaveletTransform) on the
// Burgers trajectory of the Wavelet Diffusion Neural Operator (81 x 120, bior2.4, periodization,
// one level) and on a 3-D array (32 x 64 x 64, bior2.4, periodization, one level). One JSON line
// per case on stdout; Benchmarks/peers/wavelet_peer.py times PyWavelets' wavedecn + waverecn on the
// same cases, and Benchmarks/report.py puts them side by side. Each timed repeat is one forward and
// one inverse; repeats continue until 20 and 0.5 s, the median is reported.
import Foundation
import Spectral

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

let cases: [(name: String, shape: [Int])] = [("burgers-trajectory", [81, 120]), ("array-3d", [32, 64, 64])]
for (name, shape) in cases {
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
    let line: [String: Any] = [
        "problem": "dwt-roundtrip", "case": name, "shape": shape, "peer": "neuraldynamics", "wavelet": "bior2.4",
        "mode": "periodization", "levels": 1, "median_seconds": times.sorted()[times.count / 2], "repeats": times.count,
        "reconstruction_error": error,
    ]
    let data = try! JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

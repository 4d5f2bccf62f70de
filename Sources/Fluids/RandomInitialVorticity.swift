import Foundation
import Randomness

extension VorticityNavierStokes2D {
    /// A random smooth initial vorticity (as JAX-CFD's `filtered_velocity_field`): Gaussian
    /// noise in every resolved mode, shaped by `|k|⁴ exp(−(|k|/k_peak)²)·|k|⁻²` so the velocity
    /// spectrum peaks near `peakWavenumber`, then scaled so the largest speed on the grid is
    /// `maxVelocity`. Returns the (dealiased, zero-mean) state.
    public func randomInitialState(peakWavenumber: Double, maxVelocity: Double, seed: UInt64) -> [Double] {
        var rng = Xoshiro256StarStar(seed: seed)
        var state = [Double](repeating: 0, count: stateCount)
        for row in 0..<n {
            for col in 0..<columns {
                let i = row * columns + col
                let k = (kx[col] * kx[col] + ky[row] * ky[row]).squareRoot()
                let amplitude = k == 0 ? 0 : k * exp(-(k / peakWavenumber) * (k / peakWavenumber)) * dealias[i]
                state[2 * i] = amplitude * rng.nextNormal()
                state[2 * i + 1] = amplitude * rng.nextNormal()
            }
        }
        // A real field needs Hermitian symmetry on the kx = 0 column: go through physical space.
        let field = vorticity(state)
        var clean = spectrum(ofVorticity: field)
        let (u, v) = velocity(clean)
        let speed = zip(u, v).map { ($0 * $0 + $1 * $1).squareRoot() }.max() ?? 1
        let scale = speed > 0 ? maxVelocity / speed : 0
        for i in clean.indices { clean[i] *= scale }
        return clean
    }
}

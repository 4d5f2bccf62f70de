/// Coarse-graining of a periodic `n × n` field to `m × m`. Finite-volume (cell) averages are
/// ``VorticityNavierStokes2D/cellAverages(_:coarse:)``; this is the spectral alternative.
public enum Downsampling {
    /// Spectral truncation: keeps the Fourier modes the coarse grid resolves (|k| < m/2 on both
    /// axes) of a fine half spectrum (`n·(n/2+1)` complex values as pairs) and rescales them for
    /// the coarse grid's unnormalised transform; returns the coarse half spectrum (`m·(m/2+1)` pairs).
    public static func truncateSpectrum(_ state: [Double], from n: Int, to m: Int) -> [Double] {
        precondition(m <= n && m % 2 == 0 && state.count == n * (n / 2 + 1) * 2)
        let (fineColumns, coarseColumns) = (n / 2 + 1, m / 2 + 1)
        var coarse = [Double](repeating: 0, count: m * coarseColumns * 2)
        let scale = Double(m * m) / Double(n * n)
        for row in 0..<m {
            let k = row < m / 2 ? row : row - m
            guard abs(k) < m / 2 else { continue }   // drop the coarse Nyquist row
            let fineRow = k >= 0 ? k : n + k
            for col in 0..<(m / 2) {                 // drop the coarse Nyquist column
                let i = row * coarseColumns + col, j = fineRow * fineColumns + col
                coarse[2 * i] = state[2 * j] * scale
                coarse[2 * i + 1] = state[2 * j + 1] * scale
            }
        }
        return coarse
    }
}

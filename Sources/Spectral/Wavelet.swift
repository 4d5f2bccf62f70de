/// A two-channel wavelet filter bank: the decomposition (analysis) and reconstruction (synthesis)
/// low- and high-pass filters, each `filterLength` taps, in PyWavelets' layout and sign
/// conventions (so coefficients equal `pywt.dwt`'s).
///
/// Orthogonal families (Haar, Daubechies) are defined by their scaling filter `h` (the
/// reconstruction low-pass; decomposition low-pass = `h` reversed); biorthogonal families
/// (Cohen–Daubechies–Feauveau, `biorN.M`) by their two low-pass filters. The high-pass filters
/// follow from the low-pass ones by the quadrature-mirror relations
/// `decompositionHighPass[k] = −(−1)^k reconstructionLowPass[k]` and
/// `reconstructionHighPass[k] = (−1)^k decompositionLowPass[k]`.
public struct Wavelet: Sendable, Equatable, CustomStringConvertible {
    /// PyWavelets' name: `"haar"`, `"db2"`, …, `"bior2.4"`.
    public let name: String
    public let decompositionLowPass: [Double]
    public let decompositionHighPass: [Double]
    public let reconstructionLowPass: [Double]
    public let reconstructionHighPass: [Double]
    /// Whether synthesis is the transpose of analysis (orthogonal families).
    public let isOrthogonal: Bool

    /// Taps of every filter of the bank.
    public var filterLength: Int { decompositionLowPass.count }
    public var description: String { name }

    /// A filter bank from its two low-pass filters (equal, even lengths).
    init(name: String, decompositionLowPass dl: [Double], reconstructionLowPass rl: [Double], orthogonal: Bool) {
        precondition(dl.count == rl.count && dl.count % 2 == 0, "Wavelet \(name): low-pass filters of unequal or odd length")
        self.name = name
        decompositionLowPass = dl
        reconstructionLowPass = rl
        decompositionHighPass = rl.indices.map { k in (k % 2 == 0 ? -1 : 1) * rl[k] }
        reconstructionHighPass = dl.indices.map { k in (k % 2 == 0 ? 1 : -1) * dl[k] }
        isOrthogonal = orthogonal
    }

    /// An orthogonal filter bank from its scaling filter `h` (`Σh = √2`).
    init(orthogonal name: String, scaling h: [Double]) {
        self.init(name: name, decompositionLowPass: h.reversed(), reconstructionLowPass: h, orthogonal: true)
    }

    /// A biorthogonal filter bank from its low-pass filters given as multiples of `√2`.
    init(biorthogonal name: String, decomposition dl: [Double], reconstruction rl: [Double]) {
        let root2 = Double(2.0).squareRoot()
        self.init(name: name, decompositionLowPass: dl.map { $0 * root2 }, reconstructionLowPass: rl.map { $0 * root2 },
                  orthogonal: false)
    }

    /// Haar (= db1): `h = (1, 1)/√2`.
    public static let haar = Wavelet(orthogonal: "haar", scaling: [Double(0.5).squareRoot(), Double(0.5).squareRoot()])

    /// Daubechies with two vanishing moments: `h = (1+√3, 3+√3, 3−√3, 1−√3) / (4√2)`.
    public static let db2: Wavelet = {
        let s3 = Double(3.0).squareRoot(), d = 4 * Double(2.0).squareRoot()
        return Wavelet(orthogonal: "db2", scaling: [(1 + s3) / d, (3 + s3) / d, (3 - s3) / d, (1 - s3) / d])
    }()

    /// Daubechies with three vanishing moments (Daubechies 1992, Table 6.1).
    public static let db3 = Wavelet(orthogonal: "db3", scaling: [
        0.33267055295008263, 0.8068915093110925, 0.45987750211849154,
        -0.13501102001025458, -0.08544127388202666, 0.03522629188570953,
    ])

    /// Daubechies with four vanishing moments (Daubechies 1992, Table 6.1).
    public static let db4 = Wavelet(orthogonal: "db4", scaling: [
        0.2303778133088965, 0.7148465705529157, 0.6308807679298589, -0.027983769416859854,
        -0.18703481171909309, 0.030841381835560764, 0.0328830116668852, -0.010597401785069032,
    ])

    /// CDF biorthogonal 1.3 (Haar synthesis, 6-tap analysis), padded to six taps as in PyWavelets.
    public static let bior1_3 = Wavelet(
        biorthogonal: "bior1.3",
        decomposition: [-1.0 / 16, 1.0 / 16, 0.5, 0.5, 1.0 / 16, -1.0 / 16],
        reconstruction: [0, 0, 0.5, 0.5, 0, 0])

    /// CDF biorthogonal 2.2 (linear-spline synthesis, 5-tap analysis), six taps.
    public static let bior2_2 = Wavelet(
        biorthogonal: "bior2.2",
        decomposition: [0, -1.0 / 8, 1.0 / 4, 3.0 / 4, 1.0 / 4, -1.0 / 8],
        reconstruction: [0, 1.0 / 4, 1.0 / 2, 1.0 / 4, 0, 0])

    /// CDF biorthogonal 2.4 (linear-spline synthesis, 9-tap analysis), ten taps: the wavelet of
    /// the Wavelet Diffusion Neural Operator's Burgers experiments.
    public static let bior2_4 = Wavelet(
        biorthogonal: "bior2.4",
        decomposition: [0, 3.0 / 128, -6.0 / 128, -16.0 / 128, 38.0 / 128, 90.0 / 128, 38.0 / 128, -16.0 / 128, -6.0 / 128, 3.0 / 128],
        reconstruction: [0, 0, 0, 1.0 / 4, 1.0 / 2, 1.0 / 4, 0, 0, 0, 0])

    /// Every filter bank this module defines.
    public static let all: [Wavelet] = [.haar, .db2, .db3, .db4, .bior1_3, .bior2_2, .bior2_4]

    /// The filter bank called `name` (PyWavelets' names; `"db1"` is Haar).
    /// - Throws: ``WaveletError/unknownWavelet(_:known:)``.
    public init(named name: String) throws(WaveletError) {
        let key = name == "db1" ? "haar" : name
        guard let found = Wavelet.all.first(where: { $0.name == key }) else {
            throw .unknownWavelet(name, known: Wavelet.all.map(\.name))
        }
        self = found
    }
}

/// What a wavelet transform could not do, naming the input at fault.
public enum WaveletError: Error, Equatable, CustomStringConvertible {
    case unknownWavelet(String, known: [String])
    case unknownMode(String)
    /// A signal or coefficient array whose shape does not fit the transform.
    case invalidShape(String)
    /// A level count the signal cannot take.
    case invalidLevel(String)

    public var description: String {
        switch self {
        case let .unknownWavelet(name, known):
            return "unknown wavelet '\(name)'; known: \(known.joined(separator: ", "))"
        case let .unknownMode(name):
            return "unknown wavelet boundary mode '\(name)'; known: \(WaveletMode.allCases.map(\.rawValue).joined(separator: ", "))"
        case let .invalidShape(message), let .invalidLevel(message):
            return message
        }
    }
}

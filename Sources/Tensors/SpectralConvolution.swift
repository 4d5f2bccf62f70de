import CFFTW
import Spectral

// The Fourier layer's spectral convolution (Li et al., "Fourier Neural Operator for Parametric
// Partial Differential Equations", ICLR 2021) as a tape operation, through FFTW's real 2-D
// transforms. With x̂ = rfft2(x) (unnormalised) and K the kept modes (the first and last
// `modes.height` row wavenumbers, the first `modes.width` column wavenumbers), the output is
//
//     y[o] = (1/(H·W)) Re Σ_{k ∈ K} c_k (Σ_i x̂[i, k] w[i, o, k]) e^{2πi k·n/(H, W)},
//
// c_k = 1 in the zero column and 2 elsewhere (the half spectrum stands for both halves). It is
// linear in x and in w, so its vector–Jacobian products are adjoints:
//   ĝ = (c_k / (H·W)) rfft2(g),  ∂w = Σ_batch ĝ · conj(x̂),  ∂x = Re Σ_k (Σ_o ĝ · conj(w)) e^{+…}.
// The zero column of every half spectrum handed to FFTW's c2r is made Hermitian first, so the
// inverse transform computes exactly the real part above.

extension Variable {
    /// The spectral convolution of a Fourier layer: `[N, Cin, H, W]` → `[N, Cout, H, W]`, mixing
    /// channels mode by mode with complex weights `weightReal + i·weightImaginary` of shape
    /// `[Cin, Cout, 2·modes.height, modes.width]` (rows: wavenumbers `0..<m₁`, then `−m₁..<0`)
    /// and dropping every other mode. Computed in Float64 through FFTW.
    ///
    /// - Throws: ``TensorError/shapeMismatch(operation:lhs:rhs:reason:)`` for weights of another
    ///   shape; ``TensorError/invalidArgument(operation:message:)`` for an odd grid or more modes
    ///   than it holds (`2·m₁ ≤ H`, `m₂ ≤ W/2`).
    public func spectralConvolution2D(weightReal: Variable, weightImaginary: Variable, modes: (height: Int, width: Int)) throws -> Variable {
        let operation = "spectralConvolution2D"
        guard rank == 4 else {
            throw TensorError.invalidArgument(operation: operation, message: "expected an input [N, C, H, W], got \(shape)")
        }
        let (n, ci, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let (m1, m2) = modes
        guard h >= 2, w >= 2, h % 2 == 0, w % 2 == 0 else {
            throw TensorError.invalidArgument(operation: operation, message: "the grid \(h) x \(w) must have even sides (pad it)")
        }
        guard m1 >= 1, m2 >= 1, 2 * m1 <= h, m2 <= w / 2 else {
            throw TensorError.invalidArgument(operation: operation,
                                              message: "modes (\(m1), \(m2)) do not fit the grid \(h) x \(w) (need 2·m1 <= H and m2 <= W/2)")
        }
        guard weightReal.rank == 4, weightReal.shape == weightImaginary.shape, weightReal.shape[0] == ci,
              weightReal.shape[2] == 2 * m1, weightReal.shape[3] == m2 else {
            throw TensorError.shapeMismatch(operation: operation, lhs: shape, rhs: weightReal.shape,
                                            reason: "weights must be [\(ci), Cout, \(2 * m1), \(m2)] (real and imaginary parts alike), got \(weightReal.shape) and \(weightImaginary.shape)")
        }
        let co = weightReal.shape[1]
        let plan = SpectralModes(height: h, width: w, modes: modes)
        let wr = doubles(weightReal.value), wi = doubles(weightImaginary.value)
        // x̂ on the kept modes, [N, Cin, K] as real and imaginary parts.
        let (xr, xi) = plan.analyse(doubles(value), fields: n * ci)
        let k = plan.count
        var yr = [Double](repeating: 0, count: n * co * k), yi = yr
        // y[b, o] = Σ_i x̂[b, i] · w[i, o], mode by mode.
        xr.withUnsafeBufferPointer { xr in xi.withUnsafeBufferPointer { xi in
        wr.withUnsafeBufferPointer { wr in wi.withUnsafeBufferPointer { wi in
        yr.withUnsafeMutableBufferPointer { yr in yi.withUnsafeMutableBufferPointer { yi in
            for b in 0..<n { for i in 0..<ci { for o in 0..<co {
                let (x0, w0, y0) = ((b * ci + i) * k, (i * co + o) * k, (b * co + o) * k)
                for m in 0..<k {
                    let (ar, ai, br, bi) = (xr[x0 + m], xi[x0 + m], wr[w0 + m], wi[w0 + m])
                    yr[y0 + m] += ar * br - ai * bi
                    yi[y0 + m] += ar * bi + ai * br
                }
            } } }
        } } } } } }
        let output = Tensor<Scalar>(uninitializedShape: [n, co, h, w])
        plan.synthesise(real: yr, imaginary: yi, fields: n * co, scale: 1 / Double(h * w), dividingByMultiplicity: false, into: output)
        let (inputShape, weightShape) = (shape, weightReal.shape)
        return .recording(operation, value: output, inputs: [self, weightReal, weightImaginary]) { g, _ in
            // ĝ with the factor c_k/(H·W) of the adjoint of the synthesis.
            var (gr, gi) = plan.analyse(doubles(g), fields: n * co)
            plan.scaleByMultiplicity(&gr, &gi, scale: 1 / Double(h * w))
            var dwr = [Double](repeating: 0, count: ci * co * k), dwi = dwr
            var dxr = [Double](repeating: 0, count: n * ci * k), dxi = dxr
            xr.withUnsafeBufferPointer { xr in xi.withUnsafeBufferPointer { xi in
            wr.withUnsafeBufferPointer { wr in wi.withUnsafeBufferPointer { wi in
            gr.withUnsafeBufferPointer { gr in gi.withUnsafeBufferPointer { gi in
            dwr.withUnsafeMutableBufferPointer { dwr in dwi.withUnsafeMutableBufferPointer { dwi in
            dxr.withUnsafeMutableBufferPointer { dxr in dxi.withUnsafeMutableBufferPointer { dxi in
                for b in 0..<n { for i in 0..<ci { for o in 0..<co {
                    let (x0, w0, y0) = ((b * ci + i) * k, (i * co + o) * k, (b * co + o) * k)
                    for m in 0..<k {
                        let (pr, pi) = (gr[y0 + m], gi[y0 + m])
                        // ∂w += ĝ · conj(x̂); ∂x̂ += ĝ · conj(w).
                        dwr[w0 + m] += pr * xr[x0 + m] + pi * xi[x0 + m]
                        dwi[w0 + m] += pi * xr[x0 + m] - pr * xi[x0 + m]
                        dxr[x0 + m] += pr * wr[w0 + m] + pi * wi[w0 + m]
                        dxi[x0 + m] += pi * wr[w0 + m] - pr * wi[w0 + m]
                    }
                } } }
            } } } } } } } } } }
            let dx = Tensor<Scalar>(uninitializedShape: inputShape)
            plan.synthesise(real: dxr, imaginary: dxi, fields: n * ci, scale: 1, dividingByMultiplicity: true, into: dx)
            return [dx, tensor(dwr, shape: weightShape), tensor(dwi, shape: weightShape)]
        }
    }
}

/// A tensor's values in Float64 (a plain copy for the two concrete scalar types).
func doubles<Scalar: TensorScalar>(_ t: Tensor<Scalar>) -> [Double] {
    let count = t.count
    return withExtendedLifetime(t) {
        let base = UnsafeRawPointer(t.storage.base)
        return [Double](unsafeUninitializedCapacity: count) { out, initialized in
            if Scalar.self == Float.self {
                let p = base.assumingMemoryBound(to: Float.self)
                for i in 0..<count { out[i] = Double(p[i]) }
            } else if Scalar.self == Double.self {
                let p = base.assumingMemoryBound(to: Double.self)
                for i in 0..<count { out[i] = p[i] }
            } else {
                let p = base.assumingMemoryBound(to: Scalar.self)
                for i in 0..<count { out[i] = Double(p[i]) }
            }
            initialized = count
        }
    }
}

/// Writes `value(i)` for `i in 0..<count` into a tensor's storage in its scalar type.
func store<Scalar: TensorScalar>(into t: Tensor<Scalar>, offset: Int, count: Int, _ value: (Int) -> Double) {
    withExtendedLifetime(t) {
        let base = UnsafeMutableRawPointer(t.storage.base)
        if Scalar.self == Float.self {
            let p = base.assumingMemoryBound(to: Float.self) + offset
            for i in 0..<count { p[i] = Float(value(i)) }
        } else if Scalar.self == Double.self {
            let p = base.assumingMemoryBound(to: Double.self) + offset
            for i in 0..<count { p[i] = value(i) }
        } else {
            let p = t.storage.base + offset
            for i in 0..<count { p[i] = Scalar(value(i)) }
        }
    }
}

/// A tensor of `shape` holding `values`.
func tensor<Scalar: TensorScalar>(_ values: [Double], shape: [Int]) -> Tensor<Scalar> {
    let t = Tensor<Scalar>(uninitializedShape: shape)
    values.withUnsafeBufferPointer { v in store(into: t, offset: 0, count: v.count) { v[$0] } }
    return t
}

/// The kept modes of an `H × W` grid and the two transforms between fields and those modes.
struct SpectralModes: Sendable {
    let height: Int
    let width: Int
    let modes: (height: Int, width: Int)
    /// Kept modes per field, `2·m₁·m₂`.
    var count: Int { 2 * modes.height * modes.width }
    var columns: Int { width / 2 + 1 }

    /// Row of the half spectrum that kept row `r` (`0..<2·m₁`) is.
    func spectrumRow(_ r: Int) -> Int { r < modes.height ? r : height - 2 * modes.height + r }

    /// rfft2 of each of `fields` fields (`H·W` values each), its kept modes as `[fields, K]`.
    func analyse(_ values: [Double], fields: Int) -> ([Double], [Double]) {
        let fft = RealFFT2D(nx: width, ny: height)
        let k = count, m2 = modes.width, cols = columns, plane = height * width
        var re = [Double](repeating: 0, count: fields * k), im = re
        let spectrum = UnsafeMutableRawPointer(fft.spectrum).assumingMemoryBound(to: Double.self)
        values.withUnsafeBufferPointer { v in
            re.withUnsafeMutableBufferPointer { re in
                im.withUnsafeMutableBufferPointer { im in
                    for f in 0..<fields {
                        fft.physical.update(from: v.baseAddress! + f * plane, count: plane)
                        fft.forward()
                        for r in 0..<(2 * modes.height) {
                            let row = spectrumRow(r)
                            for j in 0..<m2 {
                                re[f * k + r * m2 + j] = spectrum[2 * (row * cols + j)]
                                im[f * k + r * m2 + j] = spectrum[2 * (row * cols + j) + 1]
                            }
                        }
                    }
                }
            }
        }
        return (re, im)
    }

    /// Multiplies each kept mode by `c_k · scale` (c = 1 in the zero column, 2 elsewhere).
    func scaleByMultiplicity(_ re: inout [Double], _ im: inout [Double], scale: Double) {
        let m2 = modes.width
        for i in 0..<re.count {
            let c = (i % m2) == 0 ? scale : 2 * scale
            re[i] *= c
            im[i] *= c
        }
    }

    /// Writes `scale · Re Σ_{k ∈ K} c_k z_k e^{+2πi k·n}` for each of `fields` mode sets `z`
    /// (`[fields, K]`) into `output` (`fields · H · W` values), or with `z_k / c_k` in place of
    /// `z_k` when `dividingByMultiplicity`.
    func synthesise<Scalar: TensorScalar>(real: [Double], imaginary: [Double], fields: Int, scale: Double, dividingByMultiplicity: Bool,
                                          into output: Tensor<Scalar>) {
        let fft = RealFFT2D(nx: width, ny: height)
        let k = count, m2 = modes.width, cols = columns, plane = height * width
        let buffer = fft.allocateSpectrum(), field = fft.allocateField()
        defer { RealFFT2D.freeSpectrum(buffer); RealFFT2D.freeField(field) }
        let spectrum = UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: Double.self)
        var column = [Double](repeating: 0, count: 2 * height)
        real.withUnsafeBufferPointer { real in
            imaginary.withUnsafeBufferPointer { imaginary in
                for f in 0..<fields {
                    spectrum.update(repeating: 0, count: 2 * height * cols)
                    for r in 0..<(2 * modes.height) {
                        let row = spectrumRow(r)
                        for j in 0..<m2 {
                            let c = dividingByMultiplicity && j > 0 ? 0.5 : 1
                            spectrum[2 * (row * cols + j)] = c * real[f * k + r * m2 + j]
                            spectrum[2 * (row * cols + j) + 1] = c * imaginary[f * k + r * m2 + j]
                        }
                    }
                    // The zero column made Hermitian: z[r] ← (z[r] + conj z[−r]) / 2, which keeps the
                    // real part of the synthesis and makes c2r's input consistent.
                    for r in 0..<height { (column[2 * r], column[2 * r + 1]) = (spectrum[2 * r * cols], spectrum[2 * r * cols + 1]) }
                    for r in 0..<height {
                        let s = (height - r) % height
                        spectrum[2 * r * cols] = 0.5 * (column[2 * r] + column[2 * s])
                        spectrum[2 * r * cols + 1] = 0.5 * (column[2 * r + 1] - column[2 * s + 1])
                    }
                    fft.inverseUnnormalised(buffer, into: field)
                    store(into: output, offset: f * plane, count: plane) { scale * field[$0] }
                }
            }
        }
    }
}

/// A Fourier layer's spectral convolution as a layer: parameters `"weight_real"` and
/// `"weight_imaginary"`, each `[Cin, Cout, 2·modes.height, modes.width]`, drawn as the reference
/// implementation does, `U(0, 1)/(Cin·Cout)`. Input `[N, Cin, H, W]`, output `[N, Cout, H, W]`.
public struct SpectralConvolution2D<Scalar: TensorScalar>: Layer {
    public var parameters: Parameters<Scalar>
    public let modes: (height: Int, width: Int)

    public init(inChannels: Int, outChannels: Int, modes: (height: Int, width: Int), seed: UInt64) {
        precondition(inChannels > 0 && outChannels > 0 && modes.height > 0 && modes.width > 0,
                     "Tensors: SpectralConvolution2D needs positive channels and modes")
        self.modes = modes
        let shape = [inChannels, outChannels, 2 * modes.height, modes.width]
        let scale = Scalar(1) / Scalar(inChannels * outChannels)
        parameters = Parameters()
        parameters["weight_real"] = Tensor.randomUniform(shape: shape, lower: 0, upper: scale, seed: seed)
        parameters["weight_imaginary"] = Tensor.randomUniform(shape: shape, lower: 0, upper: scale, seed: seed &+ 1)
    }

    public func callAsFunction(_ input: Variable<Scalar>, parameters p: ParameterVariables<Scalar>) throws -> Variable<Scalar> {
        try input.spectralConvolution2D(weightReal: p.variable("weight_real", layer: "SpectralConvolution2D"),
                                        weightImaginary: p.variable("weight_imaginary", layer: "SpectralConvolution2D"), modes: modes)
    }
}

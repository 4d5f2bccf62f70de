import Foundation
import NetCDF
import Testing
import Tensors
import TestSupport

/// The bit patterns of every tensor, in name order (so NaN payloads and −0 count).
func bits<Scalar: TensorScalar>(_ p: Parameters<Scalar>) -> [String: [UInt64]] {
    var result: [String: [UInt64]] = [:]
    for (name, t) in p {
        result[name] = t.scalars.map { x in
            (x.sign == .minus ? 1 << 63 : 0) | UInt64(x.exponentBitPattern) << UInt64(Scalar.significandBitCount)
                | UInt64(x.significandBitPattern)
        }
    }
    return result
}

/// Expects equal names and equal bits; on failure reports the first differing element only.
func expectSameBits<Scalar: TensorScalar>(_ a: Parameters<Scalar>, _ b: Parameters<Scalar>,
                                          sourceLocation: SourceLocation = #_sourceLocation) {
    let (ba, bb) = (bits(a), bits(b))
    guard a.names == b.names else {
        Issue.record("names differ: \(a.names) vs \(b.names)", sourceLocation: sourceLocation)
        return
    }
    for name in a.names where ba[name] != bb[name] {
        let i = Array(zip(ba[name]!, bb[name]!)).firstIndex { $0 != $1 } ?? 0
        Issue.record("'\(name)' differs first at element \(i): \(a[name]![flat: i]) vs \(b[name]![flat: i]) (shapes \(a[name]!.shape), \(b[name]!.shape))",
                     sourceLocation: sourceLocation)
        return
    }
}

@Suite struct CheckpointTests {
    /// A model with a few Adam steps behind it, plus a parameter holding awkward values.
    func trainedState<Scalar: TensorScalar>(_: Scalar.Type) throws -> (Parameters<Scalar>, Adam<Scalar>) {
        let (x, y) = sineData(Scalar.self)
        var model = MLP<Scalar>(widths: [1, 8, 1], activation: .tanh, seed: 9)
        var adam = Adam<Scalar>(schedule: .cosine(peak: 1e-2, totalSteps: 100, warmupSteps: 5))
        for _ in 0..<3 { _ = try trainStep(&model, &adam, x: x, y: y) }
        var p = model.parameters
        p["special"] = Tensor([.nan, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1 / 3])
        p["scalar"] = Tensor(Scalar(0.1))
        p["big"] = Tensor.randomNormal(shape: [64, 65], seed: 3)   // deflated in the file
        var adamForAll = adam
        var state = adam.state
        for slot in ["m", "v"] {
            state.slots[slot]!["special"] = Tensor(shape: [7], repeating: Scalar(1) / 7)
            state.slots[slot]!["scalar"] = Tensor(-Scalar.ulpOfOne)
            state.slots[slot]!["big"] = Tensor.randomUniform(shape: [64, 65], seed: slot == "m" ? 4 : 5)
        }
        try adamForAll.restore(state)
        return (p, adamForAll)
    }

    func roundTrip<Scalar: TensorScalar & NetCDFScalar>(_ type: Scalar.Type) throws {
        let directory = TemporaryDirectory("checkpoint")
        let path = directory.file("checkpoint.nc")
        let (parameters, adam) = try trainedState(type)
        try Checkpoint.save(to: path, parameters: parameters, optimizer: adam, attributes: ["epoch": .int64([3])])
        #expect(directory.contents() == ["checkpoint.nc"])   // no temporary file left behind

        // Load into a differently initialised model and a fresh optimizer.
        var loaded = parameters.mapTensors { _, t in Tensor<Scalar>(shape: t.shape, repeating: 5) }
        var fresh = Adam<Scalar>(schedule: .cosine(peak: 1e-2, totalSteps: 100, warmupSteps: 5))
        try Checkpoint.load(from: path, into: &loaded, optimizer: &fresh)
        #expect(loaded.names == parameters.names)
        expectSameBits(loaded, parameters)
        #expect(fresh.step == 3)
        for slot in ["m", "v"] { expectSameBits(fresh.state.slots[slot]!, adam.state.slots[slot]!) }

        // The file is ordinary CF NetCDF.
        let dataset = try Dataset.open(path)
        defer { try? dataset.close() }
        #expect(try dataset.attribute("Conventions") == .text("CF-1.10"))
        #expect(try dataset.attribute("epoch") == .int64([3]))
        #expect(try dataset.attribute("optimizer_step") == .int64([3]))
        #expect(try dataset.attribute("optimizer_kind") == .text("adam"))
        let info = try dataset.variable("parameter.0.weight")
        #expect(info.shape == [1, 8] && info.dataType == Scalar.dataType)
        #expect(info.dimensions.map(\.name) == ["parameter.0.weight.dim0", "parameter.0.weight.dim1"])
        #expect(try dataset.variable("optimizer.m.1.bias").shape == [1])
        #expect(try dataset.variable("parameter.scalar").shape == [])
        #expect(try dataset.variable("parameter.big").compression != nil && dataset.variable("parameter.0.bias").compression == nil)
    }

    @Test func roundTripIsBitExactInFloat64() throws { try roundTrip(Double.self) }
    @Test func roundTripIsBitExactInFloat32() throws { try roundTrip(Float.self) }

    /// Training k steps, checkpointing, loading into a fresh model and optimizer and training
    /// on continues with exactly the bits of an uninterrupted run (schedule position included).
    func resume<O: Optimizer>(_ makeOptimizer: () -> O, clip: Double?) throws where O.Scalar == Float {
        let (x, y) = sineData(Float.self)
        let total = 40, k = 15
        var model = MLP<Float>(widths: [1, 16, 16, 1], activation: .silu, seed: 77)
        var optimizer = makeOptimizer()
        var uninterrupted: [Float] = []
        for _ in 0..<total { uninterrupted.append(try trainStep(&model, &optimizer, x: x, y: y, clip: clip)) }

        let directory = TemporaryDirectory("resume")
        var first = MLP<Float>(widths: [1, 16, 16, 1], activation: .silu, seed: 77)
        var firstOptimizer = makeOptimizer()
        var interrupted: [Float] = []
        for _ in 0..<k { interrupted.append(try trainStep(&first, &firstOptimizer, x: x, y: y, clip: clip)) }
        try Checkpoint.save(to: directory.file("ckpt.nc"), parameters: first.parameters, optimizer: firstOptimizer)

        var second = MLP<Float>(widths: [1, 16, 16, 1], activation: .silu, seed: 1)   // other weights, overwritten
        var secondOptimizer = makeOptimizer()
        try Checkpoint.load(from: directory.file("ckpt.nc"), into: &second.parameters, optimizer: &secondOptimizer)
        #expect(secondOptimizer.step == k && secondOptimizer.learningRate == firstOptimizer.learningRate)
        for _ in k..<total { interrupted.append(try trainStep(&second, &secondOptimizer, x: x, y: y, clip: clip)) }

        let sameLosses = interrupted.map(\.bitPattern) == uninterrupted.map(\.bitPattern)
        #expect(sameLosses, "losses differ first at step \(Array(zip(interrupted, uninterrupted)).firstIndex { $0.bitPattern != $1.bitPattern } ?? -1)")
        expectSameBits(second.parameters, model.parameters)
        #expect(secondOptimizer.state.step == optimizer.state.step && !optimizer.state.slots.isEmpty)
        for (slot, values) in optimizer.state.slots { expectSameBits(secondOptimizer.state.slots[slot]!, values) }
        // Without the optimizer state the continuation differs (so the comparison above can fail).
        var third = MLP<Float>(widths: [1, 16, 16, 1], activation: .silu, seed: 1)
        try Checkpoint.load(from: directory.file("ckpt.nc"), into: &third.parameters)
        var restarted = makeOptimizer()
        _ = try trainStep(&third, &restarted, x: x, y: y, clip: clip)
        let next = try trainStep(&third, &restarted, x: x, y: y, clip: clip)
        #expect(next.bitPattern != uninterrupted[k + 1].bitPattern)
    }

    @Test func resumedAdamWTrainingIsBitIdentical() throws {
        try resume({ AdamW<Float>(schedule: .cosine(peak: 5e-3, totalSteps: 40, warmupSteps: 10, final: 1e-4), weightDecay: 0.05) },
                   clip: 0.5)
    }

    @Test func resumedSGDMomentumTrainingIsBitIdentical() throws {
        try resume({ SGD<Float>(schedule: .step(initial: 0.05, every: 10, factor: 0.7), momentum: 0.9, nesterov: true) }, clip: nil)
    }

    func loadError<Scalar: TensorScalar & NetCDFScalar>(_ path: String, into parameters: Parameters<Scalar>) -> String? {
        var p = parameters
        do {
            try Checkpoint.load(from: path, into: &p)
            return nil
        } catch {
            #expect(p == parameters, "a failed load must leave the parameters unchanged")
            return "\(error)"
        }
    }

    @Test func mismatchedFilesNameTheParameter() throws {
        let directory = TemporaryDirectory("mismatch")
        let path = directory.file("small.nc")
        let small = MLP<Double>(widths: [1, 8, 1], activation: .tanh, seed: 1)
        try Checkpoint.save(to: path, parameters: small.parameters)

        let deeper = MLP<Double>(widths: [1, 8, 8, 1], activation: .tanh, seed: 1).parameters
        let missing = loadError(path, into: deeper)
        #expect(missing?.contains("no parameter '2.weight'") == true, "\(missing ?? "no error")")
        #expect(missing?.contains(path) == true)

        let wider = MLP<Double>(widths: [1, 9, 1], activation: .tanh, seed: 1).parameters
        let shape = loadError(path, into: wider)
        #expect(shape?.contains("parameter '0.weight' has shape [1, 8] in the checkpoint but [1, 9]") == true, "\(shape ?? "no error")")

        var fewer = small.parameters
        fewer["1.bias"] = nil
        let extra = loadError(path, into: fewer)
        #expect(extra?.contains("'1.bias' that the model does not have") == true, "\(extra ?? "no error")")

        let single = MLP<Float>(widths: [1, 8, 1], activation: .tanh, seed: 1).parameters
        let type = loadError(path, into: single)
        #expect(type?.contains("parameter '0.weight' is stored as double but the model uses float") == true, "\(type ?? "no error")")

        // The errors are typed, too.
        var p = deeper
        #expect(throws: CheckpointError.missingParameter(name: "2.weight", path: path, available: small.parameters.names)) {
            try Checkpoint.load(from: path, into: &p)
        }
    }

    @Test func optimizerMismatchesAreReported() throws {
        let directory = TemporaryDirectory("optimizer-mismatch")
        let (x, y) = sineData(Double.self)
        var model = MLP<Double>(widths: [1, 4, 1], activation: .tanh, seed: 3)
        var adam = Adam<Double>(learningRate: 1e-2)
        _ = try trainStep(&model, &adam, x: x, y: y)
        try Checkpoint.save(to: directory.file("adam.nc"), parameters: model.parameters, optimizer: adam)
        try Checkpoint.save(to: directory.file("bare.nc"), parameters: model.parameters)

        var p = model.parameters
        var sgd = SGD<Double>(learningRate: 0.1, momentum: 0.9)
        #expect(throws: CheckpointError.optimizerMismatch(expected: "sgd", found: "adam", path: directory.file("adam.nc"))) {
            try Checkpoint.load(from: directory.file("adam.nc"), into: &p, optimizer: &sgd)
        }
        var fresh = Adam<Double>()
        #expect(throws: CheckpointError.optimizerMismatch(expected: "adam", found: nil, path: directory.file("bare.nc"))) {
            try Checkpoint.load(from: directory.file("bare.nc"), into: &p, optimizer: &fresh)
        }
        #expect(fresh.step == 0 && sgd.step == 0)
        // A state saved before the first step restores to a fresh optimizer.
        try Checkpoint.save(to: directory.file("step0.nc"), parameters: model.parameters, optimizer: Adam<Double>())
        var resumed = Adam<Double>()
        try Checkpoint.load(from: directory.file("step0.nc"), into: &p, optimizer: &resumed)
        #expect(resumed.step == 0 && resumed.state.slots.isEmpty)
    }

    @Test func aFailedSaveLeavesThePreviousFileIntact() throws {
        let directory = TemporaryDirectory("atomic")
        let path = directory.file("ckpt.nc")
        let model = MLP<Double>(widths: [1, 4, 1], activation: .tanh, seed: 3)
        try Checkpoint.save(to: path, parameters: model.parameters)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var bad = model.parameters
        bad["no/slashes"] = Tensor([1])
        #expect(throws: CheckpointError.self) { try Checkpoint.save(to: path, parameters: bad) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(directory.contents() == ["ckpt.nc"])
    }
}

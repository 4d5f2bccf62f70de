import Foundation
import NetCDF
import Scenarios
import Spectral
import Tensors
import WaveletDiffusion

/// A `wdno-data` file read back: `u` (`count × rows × points`), `f` (`count × (rows − 1) × points`)
/// and the split.
struct BurgersControlData {
    var u: [Double]
    var f: [Double]
    var isTest: [Bool]
    var rows: Int
    var points: Int
    var x: [Double]
    var times: [Double]
    var viscosity: Double?

    var count: Int { isTest.count }
    /// The representation `name` (`wavelet` or `raw`) of this grid, with square padding
    /// (``WaveletChannels/paddedSize(rows:points:wavelet:mode:)``, ``RawChannels/paddedSize(rows:points:)``).
    func representation(_ name: String = "wavelet") throws -> any TrajectoryRepresentation {
        switch name {
        case "raw":
            let padded = RawChannels.paddedSize(rows: rows, points: points)
            return try RawChannels(rows: rows, points: points, paddedHeight: padded, paddedWidth: padded)
        default:
            let padded = WaveletChannels.paddedSize(rows: rows, points: points)
            return try WaveletChannels(rows: rows, points: points, paddedHeight: padded, paddedWidth: padded)
        }
    }
    /// The first `limit` test trajectories, refusing a file without any.
    func testIndices(_ limit: Int, path: String) throws -> [Int] {
        let tests = Array((0..<count).filter { isTest[$0] }.prefix(limit))
        guard !tests.isEmpty else { throw WaveletDiffusionRunError(message: "\(path) holds no test trajectories") }
        return tests
    }
    func state(_ i: Int) -> [Double] { Array(u[(i * rows * points)..<((i + 1) * rows * points)]) }
    func control(_ i: Int) -> [Double] { Array(f[(i * (rows - 1) * points)..<((i + 1) * (rows - 1) * points)]) }

    /// Reads a `wdno-data` output, naming what is wrong with a file that is not one.
    static func read(_ path: String) throws -> BurgersControlData {
        guard FileManager.default.fileExists(atPath: path) else {
            throw WaveletDiffusionRunError(message: "\(path): no such file (run Scenarios/wavelet-diffusion/wdno-data.json first)")
        }
        let dataset = try Dataset.open(path)
        defer { try? dataset.close() }
        for name in ["u", "f", "is_test", "x", "time"] where (try? dataset.variable(name)) == nil {
            throw WaveletDiffusionRunError(message: "\(path) is not a wdno-data file: it has no variable '\(name)'")
        }
        let uShape = try dataset.variable("u").dimensions.map(\.length), fShape = try dataset.variable("f").dimensions.map(\.length)
        guard uShape.count == 3, fShape.count == 3, uShape[0] == fShape[0], fShape[1] == uShape[1] - 1, fShape[2] == uShape[2] else {
            throw WaveletDiffusionRunError(message: "\(path): u \(uShape) and f \(fShape) are not (trajectory, time, x) and (trajectory, time - 1, x)")
        }
        let comment = try dataset.attribute("comment")?.text ?? ""
        let viscosity = comment.range(of: "nu = ").flatMap { Double(comment[$0.upperBound...].prefix { "0123456789.e-".contains($0) }) }
        return BurgersControlData(
            u: try dataset.read(Float.self, from: "u").map(Double.init), f: try dataset.read(Float.self, from: "f").map(Double.init),
            isTest: try dataset.read(Int32.self, from: "is_test").map { $0 != 0 }, rows: uShape[1], points: uShape[2],
            x: try dataset.read(Double.self, from: "x"), times: try dataset.read(Double.self, from: "time"), viscosity: viscosity)
    }
}

/// What a `wdno-train` output records about its model, to rebuild it.
struct TrainedModelDescription {
    var task: DiffusionTask
    /// `wavelet` or `raw`.
    var representation: String
    var configuration: DiffusionUNetConfiguration
    var rows: Int
    var points: Int
    var diffusionSteps: Int

    func attributes() -> [(String, AttributeValue)] {
        [("task", .text(task.rawValue)), ("representation", .text(representation)), ("unet_width", .int64([Int64(configuration.width)])),
         ("unet_multipliers", .int64(configuration.multipliers.map(Int64.init))),
         ("unet_blocks_per_level", .int64([Int64(configuration.blocksPerLevel)])), ("unet_groups", .int64([Int64(configuration.groups)])),
         ("unet_middle_attention", .int64([configuration.middleAttention ? 1 : 0])),
         ("trajectory_rows", .int64([Int64(rows)])), ("trajectory_points", .int64([Int64(points)])),
         ("diffusion_steps", .int64([Int64(diffusionSteps)])),
         ("wavelet", .text("bior2.4")), ("wavelet_mode", .text("periodization"))]
    }

    static func read(from dataset: Dataset, path: String) throws -> TrainedModelDescription {
        func integers(_ name: String) throws -> [Int] {
            guard case .int64(let values)? = try dataset.attribute(name) else {
                throw WaveletDiffusionRunError(message: "\(path) is not a wdno-train model: no attribute '\(name)'")
            }
            return values.map(Int.init)
        }
        guard let taskName = try dataset.attribute("task")?.text, let task = DiffusionTask(rawValue: taskName) else {
            throw WaveletDiffusionRunError(message: "\(path) is not a wdno-train model: no 'task' attribute")
        }
        let representation = try dataset.attribute("representation")?.text ?? "wavelet"
        let configuration = DiffusionUNetConfiguration(
            channels: representation == "raw" ? 2 : WaveletChannels.channelCount, width: try integers("unet_width")[0], multipliers: try integers("unet_multipliers"),
            blocksPerLevel: try integers("unet_blocks_per_level")[0], groups: try integers("unet_groups")[0],
            middleAttention: try integers("unet_middle_attention")[0] != 0)
        return TrainedModelDescription(task: task, representation: representation, configuration: configuration, rows: try integers("trajectory_rows")[0],
                                       points: try integers("trajectory_points")[0], diffusionSteps: try integers("diffusion_steps")[0])
    }
}

/// The raw weights and their moving average in one set (the average under `ema.`).
func combinedWeights(_ raw: Parameters<Float>, _ averaged: Parameters<Float>) -> Parameters<Float> {
    var all = raw
    all.merge(averaged.prefixed("ema"))
    return all
}

/// The model of a `wdno-train` output for `task` on `data`'s grid, with its raw or averaged
/// weights; every mismatch is named.
///
/// With `otherGrid` a model trained on another grid is accepted (super-resolution: the U-Net is
/// convolutional, so it runs on the channels of a finer trajectory); the U-Net must still halve
/// the new padded size at every level.
func loadTrainedModel(_ path: String, task: DiffusionTask, weights choice: String, data: BurgersControlData, dataPath: String,
                      otherGrid: Bool = false) throws
    -> (TrainedModelDescription, DiffusionUNet<Float>, Parameters<Float>) {
    guard FileManager.default.fileExists(atPath: path) else {
        throw WaveletDiffusionRunError(message: "\(path): no such file (run Scenarios/wavelet-diffusion/wdno-train.json with task \(task.rawValue) first)")
    }
    let file = try Dataset.open(path)
    defer { try? file.close() }
    let description = try TrainedModelDescription.read(from: file, path: path)
    guard description.task == task else {
        throw WaveletDiffusionRunError(message: "\(path) is a \(description.task.rawValue) model; this scenario needs task \(task.rawValue)")
    }
    guard otherGrid || (description.rows == data.rows && description.points == data.points) else {
        throw WaveletDiffusionRunError(message: "\(path) was trained on \(description.rows) x \(description.points) trajectories, \(dataPath) holds \(data.rows) x \(data.points)"
                                           + " (set other_grid to evaluate it on this grid)")
    }
    let layout = try data.representation(description.representation)
    do { try description.configuration.validate(height: layout.paddedHeight, width: layout.paddedWidth) } catch {
        throw WaveletDiffusionRunError(message: "\(path)'s U-Net cannot run on the channels of \(dataPath)'s \(data.rows) x \(data.points) grid: \(error)")
    }
    var network = DiffusionUNet<Float>(description.configuration, seed: 0)
    let weights: Parameters<Float>
    do {
        let all = try Checkpoint.readParameters(from: file, matching: combinedWeights(network.parameters, network.parameters))
        weights = choice == "ema" ? all.scoped("ema") : Parameters(network.parameters.names.map { ($0, all[$0]!) })
    } catch {
        throw WaveletDiffusionRunError(message: "\(path) does not hold this U-Net's weights: \(error)")
    }
    network.parameters = weights
    return (description, network, weights)
}

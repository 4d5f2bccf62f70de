import Foundation
import NetCDF
import Scenarios
import Spectral
import Tensors
import WaveletDiffusion

/// A `wdno-data` file read back: `u` (`count × rows × points`), `f` (`count × (rows − 1) × points`)
/// and the split; or, for the 2-D path, windows of an `ns2d-dns` vorticity record
/// (``readVorticityWindows(_:windowing:)``): `u` the windows (`frames × height·width` each), `f` zeros.
struct BurgersControlData {
    var u: [Double]
    var f: [Double]
    var isTest: [Bool]
    var rows: Int
    var points: Int
    var x: [Double]
    var times: [Double]
    var viscosity: Double?
    /// `[points]` for Burgers, `[height, width]` for vorticity windows.
    var spatialShape: [Int] = []
    /// The rows' coordinate of a vorticity grid.
    var y: [Double] = []

    var count: Int { isTest.count }
    var isVorticity: Bool { spatialShape.count == 2 }
    /// The representation `name` (`wavelet` or `raw`) of this grid, with square padding
    /// (``WaveletChannels/paddedSize(rows:points:wavelet:mode:)``, ``RawChannels/paddedSize(rows:points:)``);
    /// for vorticity windows ``VorticityWaveletChannels`` with the given scales, or the training
    /// windows' RMS scales when none are given.
    func representation(_ name: String = "wavelet", vorticityScales: (bands: [Double], condition: Double)? = nil) throws -> any TrajectoryRepresentation {
        if isVorticity {
            let scales = try vorticityScales ?? VorticityWaveletChannels.scales(
                of: (0..<count).filter { !isTest[$0] }.map { state($0) }, frames: rows, height: spatialShape[0], width: spatialShape[1])
            return try VorticityWaveletChannels(frames: rows, height: spatialShape[0], width: spatialShape[1], bandScales: scales.bands,
                                                conditionScale: scales.condition)
        }
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

    /// Reads a `wdno-data` output, or windows of an `ns2d-dns` output's vorticity (the 2-D path),
    /// naming what is wrong with a file that is neither.
    static func read(_ path: String, windowing: VorticityWindowing = VorticityWindowing()) throws -> BurgersControlData {
        guard FileManager.default.fileExists(atPath: path) else {
            throw WaveletDiffusionRunError(message: "\(path): no such file (run Scenarios/wavelet-diffusion/wdno-data.json first)")
        }
        let dataset = try Dataset.open(path)
        defer { try? dataset.close() }
        if (try? dataset.variable("u")) == nil, (try? dataset.variable("vorticity_\(windowing.grid)")) != nil {
            return try readVorticityWindows(dataset, path: path, windowing: windowing)
        }
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

/// How an `ns2d-dns` vorticity record is cut into windows for the 2-D path: `frames` consecutive
/// saved fields of `vorticity_<grid>`, starting every `stride` frames; windows starting in the
/// last `testFraction` of the record are test windows, and training windows end before it.
struct VorticityWindowing {
    var frames = 16
    var grid = 32
    var stride = 2
    var testFraction = 0.2

    init() {}
    init(_ p: ParameterValues) {
        (frames, grid, stride, testFraction) = (p.int("frames"), p.int("vorticity_grid"), p.int("window_stride"), p.double("test_fraction"))
    }

    /// The parameters of the kinds that read vorticity windows.
    static let parameters: [ParameterSpec] = [
        ParameterSpec("frames", .integer(2...4096), default: .integer(16), summary: "2-D path: frames per window of an ns2d-dns record (even)"),
        ParameterSpec("vorticity_grid", .integer(2...65_536), default: .integer(32), summary: "2-D path: the model grid m of the record's vorticity_m"),
        ParameterSpec("window_stride", .integer(1...1_000_000), default: .integer(2), summary: "2-D path: frames between window starts"),
        ParameterSpec("test_fraction", .number(minimum: 0, maximum: 0.9), default: .number(0.2),
                      summary: "2-D path: the last part of the record whose windows are held out"),
    ]
}

extension BurgersControlData {
    static func readVorticityWindows(_ dataset: Dataset, path: String, windowing w: VorticityWindowing) throws -> BurgersControlData {
        let name = "vorticity_\(w.grid)"
        let shape = try dataset.variable(name).dimensions.map(\.length)
        guard shape.count == 3, shape[1] % 2 == 0, shape[2] % 2 == 0, w.frames % 2 == 0 else {
            throw WaveletDiffusionRunError(message: "\(path): \(name) \(shape) is not (time, y, x) with even sides, or \(w.frames) frames is odd")
        }
        let (total, area) = (shape[0], shape[1] * shape[2])
        let boundary = Int((1 - w.testFraction) * Double(total))
        let starts = Array(stride(from: 0, through: total - w.frames, by: w.stride))
        let training = starts.filter { $0 + w.frames <= boundary }, testing = starts.filter { $0 >= boundary }
        guard !training.isEmpty || !testing.isEmpty else {
            throw WaveletDiffusionRunError(message: "\(path): \(total) frames of \(name) hold no window of \(w.frames) frames")
        }
        let field = try dataset.read(Double.self, from: name)
        let time = try dataset.read(Double.self, from: "time")
        var u: [Double] = []
        for start in training + testing { u += field[(start * area)..<((start + w.frames) * area)] }
        let coordinates = (try? dataset.read(Double.self, from: "x_\(w.grid)")) ?? (0..<shape[2]).map(Double.init)
        let rows = (try? dataset.read(Double.self, from: "y_\(w.grid)")) ?? (0..<shape[1]).map(Double.init)
        let step = time.count > 1 ? time[1] - time[0] : 1
        return BurgersControlData(u: u, f: [Double](repeating: 0, count: (training.count + testing.count) * (w.frames - 1) * area),
                                  isTest: training.map { _ in false } + testing.map { _ in true }, rows: w.frames, points: area,
                                  x: coordinates, times: (0..<w.frames).map { Double($0) * step }, viscosity: nil,
                                  spatialShape: [shape[1], shape[2]], y: rows)
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
    /// The 2-D path's grid and channel scales (nil for Burgers).
    var spatialShape: [Int]? = nil
    var vorticityScales: (bands: [Double], condition: Double)? = nil

    func attributes() -> [(String, AttributeValue)] {
        var extra: [(String, AttributeValue)] = []
        if let spatialShape, let vorticityScales {
            extra = [("spatial_shape", .int64(spatialShape.map(Int64.init))), ("band_scales", .float64(vorticityScales.bands)),
                     ("condition_scale", .float64([vorticityScales.condition]))]
        }
        return extra + [("task", .text(task.rawValue)), ("representation", .text(representation)), ("unet_width", .int64([Int64(configuration.width)])),
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
        var spatialShape: [Int]? = nil, scales: (bands: [Double], condition: Double)? = nil
        if representation == "vorticity-wavelet" {
            guard case .float64(let bands)? = try dataset.attribute("band_scales"), bands.count == 8,
                  case .float64(let condition)? = try dataset.attribute("condition_scale"), condition.count == 1 else {
                throw WaveletDiffusionRunError(message: "\(path) is a vorticity model without its 8 band scales and condition scale")
            }
            spatialShape = try integers("spatial_shape")
            scales = (bands, condition[0])
        }
        let rows = try integers("trajectory_rows")[0]
        let configuration = DiffusionUNetConfiguration(
            channels: representation == "raw" ? 2 : representation == "vorticity-wavelet" ? 8 * (rows / 2) + 4 : WaveletChannels.channelCount, width: try integers("unet_width")[0], multipliers: try integers("unet_multipliers"),
            blocksPerLevel: try integers("unet_blocks_per_level")[0], groups: try integers("unet_groups")[0],
            middleAttention: try integers("unet_middle_attention")[0] != 0)
        return TrainedModelDescription(task: task, representation: representation, configuration: configuration, rows: rows,
                                       points: try integers("trajectory_points")[0], diffusionSteps: try integers("diffusion_steps")[0],
                                       spatialShape: spatialShape, vorticityScales: scales)
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
    guard (description.representation == "vorticity-wavelet") == data.isVorticity else {
        throw WaveletDiffusionRunError(message: "\(path) is a \(description.representation) model; \(dataPath) holds \(data.isVorticity ? "vorticity windows" : "Burgers trajectories")")
    }
    let layout = try data.representation(description.representation, vorticityScales: description.vorticityScales)
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

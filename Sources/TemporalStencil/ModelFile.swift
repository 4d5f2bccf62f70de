import NetCDF
import Tensors

/// A trained model that cannot be read back.
public struct ModelFileError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension TemporalStencilModel {
    /// The configuration attributes a model file carries (all numbers).
    static let configurationKeys = ["grid", "memory_size", "memory_step", "width", "depth", "time_step", "viscosity", "drag",
                                    "forcing_amplitude", "forcing_wavenumber", "history", "base_scheme", "correction_limit", "memory_anomaly", "advecting_velocity"]

    /// Writes the configuration (global attributes `tsm_<key>`; `tsm_base_scheme` is the index of
    /// the scheme in `FaceInterpolation.allCases`: 0 linear, 1 van Leer; `tsm_correction_limit` the
    /// index in `CorrectionLimit.allCases`: 0 none, 1 TVD region, 2 van Leer limited, 3 local
    /// variation; `tsm_advecting_velocity` 1 if learned) and the weights (``Checkpoint``
    /// variables `parameter.*`) into a dataset being defined; `history` is the number of input
    /// frames the model was trained with.
    public func write(to dataset: Dataset, history: Int) throws {
        let c = configuration
        let values: [Double] = [Double(c.grid), Double(c.memorySize), c.memoryStep, Double(c.width), Double(c.depth), c.timeStep,
                                c.viscosity, c.drag, c.forcingAmplitude, Double(c.forcingWavenumber), Double(history),
                                Double(FaceInterpolation.allCases.firstIndex(of: c.baseScheme)!), Double(CorrectionLimit.allCases.firstIndex(of: c.correctionLimit)!), c.memoryAnomaly ? 1 : 0, c.learnsAdvectingVelocity ? 1 : 0]
        for (key, value) in zip(Self.configurationKeys, values) { try dataset.setAttribute("tsm_\(key)", .float64([value])) }
        try Checkpoint.write(parameters, to: dataset)
    }

    /// Reads a model written by ``write(to:history:)`` (the output of a `tsm-train` run) and the
    /// history length it was trained with.
    public static func read(from dataset: Dataset) throws -> (model: TemporalStencilModel, history: Int) {
        var values: [String: Double] = [:]
        // Older files: `tsm_bounded` (0 none, 1 TVD region; the same indices) instead of
        // `tsm_correction_limit`, and no `tsm_advecting_velocity` (they learned only the advected values).
        if let bounded = try dataset.attribute("tsm_bounded")?.doubles?.first { values["correction_limit"] = bounded }
        if try dataset.attribute("tsm_advecting_velocity") == nil { values["advecting_velocity"] = 0 }
        for key in configurationKeys where values[key] == nil {
            guard let value = try dataset.attribute("tsm_\(key)")?.doubles?.first else {
                throw ModelFileError(message: "\(dataset.path) has no attribute tsm_\(key): it is not a tsm-train output")
            }
            values[key] = value
        }
        let configuration = Configuration(
            grid: Int(values["grid"]!), memorySize: Int(values["memory_size"]!), memoryStep: values["memory_step"]!,
            width: Int(values["width"]!), depth: Int(values["depth"]!), timeStep: values["time_step"]!,
            viscosity: values["viscosity"]!, drag: values["drag"]!, forcingAmplitude: values["forcing_amplitude"]!,
            forcingWavenumber: Int(values["forcing_wavenumber"]!),
            baseScheme: FaceInterpolation.allCases[min(max(Int(values["base_scheme"]!), 0), FaceInterpolation.allCases.count - 1)],
            correctionLimit: CorrectionLimit.allCases[min(max(Int(values["correction_limit"]!), 0), CorrectionLimit.allCases.count - 1)],
            learnsAdvectingVelocity: values["advecting_velocity"]! != 0, memoryAnomaly: values["memory_anomaly"]! != 0)
        guard configuration.grid >= 4, configuration.depth >= 2, configuration.width >= 1, configuration.memorySize >= 0,
              configuration.timeStep > 0, configuration.correctionLimit != .vanLeerLimited || configuration.baseScheme == .vanLeer else {
            throw ModelFileError(message: "\(dataset.path) holds an invalid TSM configuration \(values)")
        }
        var model = TemporalStencilModel(configuration: configuration, seed: 0)
        model.parameters = try Checkpoint.readParameters(from: dataset, matching: model.parameters)
        return (model, Int(values["history"]!))
    }
}

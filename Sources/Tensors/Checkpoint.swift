import Foundation
import NetCDF

/// Why a checkpoint could not be written or does not fit the model it is loaded into. Every
/// case names the file and, where there is one, the parameter.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The model has a parameter the file lacks.
    case missingParameter(name: String, path: String, available: [String])
    /// The file has a parameter the model lacks.
    case unexpectedParameter(name: String, path: String)
    /// The parameter (or its optimizer slot `slot`) has another shape in the file.
    case shapeMismatch(name: String, slot: String?, expected: [Int], found: [Int], path: String)
    /// The parameter is stored in another floating-point type than the model's.
    case typeMismatch(name: String, expected: String, found: String, path: String)
    /// The file holds no optimizer state, or the state of another kind of optimizer.
    case optimizerMismatch(expected: String, found: String?, path: String)
    /// A parameter that cannot be stored (a name netCDF refuses, or no elements).
    case invalidParameter(name: String, reason: String)
    /// Anything else wrong with the file's layout.
    case malformed(path: String, message: String)

    public var description: String {
        switch self {
        case let .missingParameter(name, path, available):
            return "\(path): the checkpoint has no parameter '\(name)' (it holds: \(available.isEmpty ? "none" : available.joined(separator: ", ")))"
        case let .unexpectedParameter(name, path):
            return "\(path): the checkpoint has a parameter '\(name)' that the model does not have"
        case let .shapeMismatch(name, slot, expected, found, path):
            let what = slot.map { "the optimizer state '\($0)' of parameter '\(name)'" } ?? "parameter '\(name)'"
            return "\(path): \(what) has shape \(found) in the checkpoint but \(expected) in the model"
        case let .typeMismatch(name, expected, found, path):
            return "\(path): parameter '\(name)' is stored as \(found) but the model uses \(expected)"
        case let .optimizerMismatch(expected, found, path):
            return "\(path): the checkpoint holds \(found.map { "'\($0)' optimizer state" } ?? "no optimizer state"), expected '\(expected)'"
        case let .invalidParameter(name, reason):
            return "parameter '\(name)' cannot be checkpointed: \(reason)"
        case let .malformed(path, message):
            return "\(path): \(message)"
        }
    }
}

/// Training checkpoints in NetCDF-4: a model's ``Parameters`` and, optionally, its optimizer's
/// ``OptimizerState`` — bit-exact for `Float` and `Double`.
///
/// Layout (CF-1.10 global attributes `Conventions`, `title`, `source`, `history`):
/// - parameter `name` → variable `parameter.<name>` in the model's type (`float` or `double`)
///   over dimensions `parameter.<name>.dim0`, `.dim1`, … (none for a rank-0 parameter);
/// - optimizer slot `s` of parameter `name` → variable `optimizer.<s>.<name>` over the
///   parameter's dimensions;
/// - global attributes `optimizer_kind`, `optimizer_step` (int64; also the schedule position),
///   `optimizer_schedule` and `optimizer_next_learning_rate` (for reading, not needed to resume);
/// - any caller attributes (epoch, seed, …) as further global attributes.
///
/// Tensors of 4096 elements or more are deflated (lossless). Files are written atomically
/// (``Dataset/create(_:)`` writes a temporary file and renames it on close). Loading is strict:
/// every model parameter must be present with its shape and type, and the file may hold no
/// others; the errors name the parameter.
public enum Checkpoint {
    static let parameterPrefix = "parameter."
    static let optimizerPrefix = "optimizer."

    // MARK: Files

    /// Writes parameters and, if given, optimizer state to `path` (atomically).
    public static func save<Scalar: TensorScalar & NetCDFScalar>(
        to path: String, parameters: Parameters<Scalar>, optimizerState: OptimizerState<Scalar>? = nil,
        schedule: LearningRateSchedule? = nil, attributes: KeyValuePairs<String, AttributeValue> = [:]
    ) throws {
        let dataset = try Dataset.create(path)
        defer { dataset.discard() }
        try dataset.setAttribute("Conventions", "CF-1.10")
        try dataset.setAttribute("title", "NeuralDynamics training checkpoint")
        try dataset.setAttribute("source", "NeuralDynamics Tensors")
        try dataset.setAttribute("history", .text("\(ISO8601DateFormatter().string(from: Date())) Checkpoint.save"))
        for (name, value) in attributes { try dataset.setAttribute(name, value) }
        try write(parameters, optimizerState: optimizerState, schedule: schedule, to: dataset)
        try dataset.close()
    }

    /// Writes parameters and the optimizer's state to `path` (atomically).
    public static func save<O: Optimizer>(
        to path: String, parameters: Parameters<O.Scalar>, optimizer: O,
        attributes: KeyValuePairs<String, AttributeValue> = [:]
    ) throws where O.Scalar: NetCDFScalar {
        try save(to: path, parameters: parameters, optimizerState: optimizer.state, schedule: optimizer.schedule,
                 attributes: attributes)
    }

    /// Replaces `parameters` by the ones stored at `path`, which must match them in names,
    /// shapes and type. Nothing changes if anything does not match.
    public static func load<Scalar: TensorScalar & NetCDFScalar>(from path: String, into parameters: inout Parameters<Scalar>) throws {
        let dataset = try Dataset.open(path)
        defer { try? dataset.close() }
        parameters = try readParameters(from: dataset, matching: parameters)
    }

    /// Replaces `parameters` and the optimizer's state by the ones stored at `path`; the file
    /// must hold state of the same optimizer kind for exactly these parameters. Nothing changes
    /// if anything does not match.
    public static func load<O: Optimizer>(from path: String, into parameters: inout Parameters<O.Scalar>,
                                          optimizer: inout O) throws where O.Scalar: NetCDFScalar {
        let dataset = try Dataset.open(path)
        defer { try? dataset.close() }
        let loaded = try readParameters(from: dataset, matching: parameters)
        guard let state = try readOptimizerState(from: dataset, matching: parameters) else {
            throw CheckpointError.optimizerMismatch(expected: optimizer.kind, found: nil, path: path)
        }
        guard state.kind == optimizer.kind else {
            throw CheckpointError.optimizerMismatch(expected: optimizer.kind, found: state.kind, path: path)
        }
        var restored = optimizer
        try restored.restore(state)
        parameters = loaded
        optimizer = restored
    }

    // MARK: Datasets (for checkpoints that share a file with other state)

    /// Defines and writes the checkpoint variables and attributes into a dataset being written.
    public static func write<Scalar: TensorScalar & NetCDFScalar>(
        _ parameters: Parameters<Scalar>, optimizerState: OptimizerState<Scalar>? = nil,
        schedule: LearningRateSchedule? = nil, to dataset: Dataset
    ) throws {
        try dataset.setAttribute("parameter_type", .text("\(Scalar.dataType)"))
        try dataset.setAttribute("parameter_count", .int64([Int64(parameters.count)]))
        var dimensionsOf: [String: [String]] = [:]
        for (name, tensor) in parameters {
            try validate(name: name, tensor: tensor)
            let dimensions = tensor.shape.indices.map { "\(parameterPrefix)\(name).dim\($0)" }
            for (d, length) in zip(dimensions, tensor.shape) { try dataset.defineDimension(d, length: length) }
            dimensionsOf[name] = dimensions
            try dataset.defineVariable(parameterPrefix + name, type: Scalar.dataType, dimensions: dimensions, attributes: [
                "long_name": .text("model parameter \(name)"), "parameter": .text(name),
            ], compression: compression(for: tensor))
        }
        if let state = optimizerState {
            try dataset.setAttribute("optimizer_kind", .text(state.kind))
            try dataset.setAttribute("optimizer_step", .int64([Int64(state.step)]))
            if let schedule {
                try dataset.setAttribute("optimizer_schedule", .text(schedule.description))
                try dataset.setAttribute("optimizer_next_learning_rate", .float64([schedule.rate(at: state.step)]))
            }
            try dataset.setAttribute("optimizer_slots", .text(state.slots.keys.sorted().joined(separator: " ")))
            for slot in state.slots.keys.sorted() {
                guard !slot.isEmpty, !slot.contains("."), !slot.contains("/") else {
                    throw CheckpointError.invalidParameter(name: slot, reason: "optimizer slot names must be non-empty without '.' or '/'")
                }
                for (name, tensor) in state.slots[slot]! {
                    try validate(name: name, tensor: tensor)
                    guard let dimensions = dimensionsOf[name], tensor.shape == parameters[name]!.shape else {
                        throw CheckpointError.invalidParameter(
                            name: name, reason: "its optimizer state '\(slot)' has shape \(tensor.shape) but the parameter has \(parameters[name]?.shape.description ?? "no entry")")
                    }
                    try dataset.defineVariable("\(optimizerPrefix)\(slot).\(name)", type: Scalar.dataType, dimensions: dimensions,
                                               attributes: ["long_name": .text("\(state.kind) optimizer state \(slot) of \(name)"),
                                                            "parameter": .text(name)],
                                               compression: compression(for: tensor))
                }
            }
        }
        for (name, tensor) in parameters { try dataset.write(tensor.scalars, to: parameterPrefix + name) }
        if let state = optimizerState {
            for slot in state.slots.keys.sorted() {
                for (name, tensor) in state.slots[slot]! { try dataset.write(tensor.scalars, to: "\(optimizerPrefix)\(slot).\(name)") }
            }
        }
    }

    /// Reads the parameters named like `template`'s, checking names, shapes and type.
    public static func readParameters<Scalar: TensorScalar & NetCDFScalar>(
        from dataset: Dataset, matching template: Parameters<Scalar>
    ) throws -> Parameters<Scalar> {
        let stored = try dataset.variableNames().filter { $0.hasPrefix(parameterPrefix) }.map { String($0.dropFirst(parameterPrefix.count)) }
        let storedSet = Set(stored)
        // Names first (missing, then unexpected), then each parameter's type and shape.
        for name in template.names where !storedSet.contains(name) {
            throw CheckpointError.missingParameter(name: name, path: dataset.path, available: stored)
        }
        for name in stored where template[name] == nil {
            throw CheckpointError.unexpectedParameter(name: name, path: dataset.path)
        }
        var result = Parameters<Scalar>()
        for (name, tensor) in template {
            result[name] = try readTensor(parameterPrefix + name, parameter: name, slot: nil, shape: tensor.shape, from: dataset)
        }
        return result
    }

    /// Reads the optimizer state for `template`'s parameters, or nil when the file holds none.
    public static func readOptimizerState<Scalar: TensorScalar & NetCDFScalar>(
        from dataset: Dataset, matching template: Parameters<Scalar>
    ) throws -> OptimizerState<Scalar>? {
        let attributes = try dataset.attributes()
        func attribute(_ name: String) -> AttributeValue? { attributes.first { $0.name == name }?.value }
        guard let kind = attribute("optimizer_kind")?.text else { return nil }
        guard case .int64(let steps)? = attribute("optimizer_step"), let step = steps.first else {
            throw CheckpointError.malformed(path: dataset.path, message: "optimizer state without an int64 'optimizer_step' attribute")
        }
        let slotNames = (attribute("optimizer_slots")?.text ?? "").split(separator: " ").map(String.init)
        let variables = Set(try dataset.variableNames())
        var slots: [String: Parameters<Scalar>] = [:]
        for slot in slotNames {
            var values = Parameters<Scalar>()
            for (name, tensor) in template {
                let variable = "\(optimizerPrefix)\(slot).\(name)"
                guard variables.contains(variable) else {
                    throw CheckpointError.malformed(path: dataset.path,
                                                    message: "the optimizer state '\(slot)' has no entry for parameter '\(name)' (variable '\(variable)')")
                }
                values[name] = try readTensor(variable, parameter: name, slot: slot, shape: tensor.shape, from: dataset)
            }
            let prefix = "\(optimizerPrefix)\(slot)."
            for variable in variables where variable.hasPrefix(prefix) && template[String(variable.dropFirst(prefix.count))] == nil {
                throw CheckpointError.unexpectedParameter(name: String(variable.dropFirst(prefix.count)), path: dataset.path)
            }
            slots[slot] = values
        }
        return OptimizerState(kind: kind, step: Int(step), slots: slots)
    }

    // MARK: Helpers

    static func readTensor<Scalar: TensorScalar & NetCDFScalar>(
        _ variable: String, parameter: String, slot: String?, shape: [Int], from dataset: Dataset
    ) throws -> Tensor<Scalar> {
        let info = try dataset.variable(variable)
        guard info.dataType == Scalar.dataType else {
            throw CheckpointError.typeMismatch(name: parameter, expected: "\(Scalar.dataType)", found: "\(info.dataType)", path: dataset.path)
        }
        guard info.shape == shape else {
            throw CheckpointError.shapeMismatch(name: parameter, slot: slot, expected: shape, found: info.shape, path: dataset.path)
        }
        return try Tensor(shape: shape, scalars: dataset.read(Scalar.self, from: variable))
    }

    /// Lossless deflate (level 1, byte shuffle) for tensors of 4096 elements or more.
    static func compression<Scalar>(for tensor: Tensor<Scalar>) -> Compression? {
        tensor.count >= 4096 ? Compression(level: 1, shuffle: true) : nil
    }

    static func validate<Scalar>(name: String, tensor: Tensor<Scalar>) throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_.-+@"))
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ allowed.contains($0) && $0.isASCII }) else {
            throw CheckpointError.invalidParameter(name: name, reason: "names may hold ASCII letters, digits and _ . - + @ only")
        }
        guard tensor.count > 0 else {
            throw CheckpointError.invalidParameter(name: name, reason: "it has no elements (shape \(tensor.shape))")
        }
    }
}

/// An ordered collection of named tensors: a model's trainable parameters, their gradients, or
/// an optimizer's per-parameter state (moments, velocities).
///
/// Names are unique and keep their insertion order, so listing, norms, checkpoints and updates
/// always visit the parameters in the same order. Nested models join names with dots: the
/// weight of the first layer of an ``MLP`` is `"0.weight"`; ``prefixed(_:)`` and
/// ``scoped(_:)`` add and strip such prefixes.
///
///     var model = MLP<Double>(widths: [1, 16, 1], activation: .tanh, seed: 7)
///     for (name, tensor) in model.parameters { print(name, tensor.shape) }
///     // 0.weight [1, 16] · 0.bias [16] · 1.weight [16, 1] · 1.bias [1]
public struct Parameters<Scalar: TensorScalar>: Sendable, Equatable, Sequence, CustomStringConvertible {
    /// The parameter names in order.
    public private(set) var names: [String] = []
    private var tensors: [String: Tensor<Scalar>] = [:]

    /// An empty collection.
    public init() {}

    /// A collection holding `pairs` in order. Traps on a repeated name (a programmer error).
    public init(_ pairs: KeyValuePairs<String, Tensor<Scalar>>) {
        for (name, tensor) in pairs {
            precondition(tensors[name] == nil, "Tensors: parameter name '\(name)' given twice")
            self[name] = tensor
        }
    }

    /// A collection holding `pairs` in order. Traps on a repeated name (a programmer error).
    public init(_ pairs: [(String, Tensor<Scalar>)]) {
        for (name, tensor) in pairs {
            precondition(tensors[name] == nil, "Tensors: parameter name '\(name)' given twice")
            self[name] = tensor
        }
    }

    /// The tensor called `name`, or nil. Setting a new name appends it; setting nil removes it.
    public subscript(_ name: String) -> Tensor<Scalar>? {
        get { tensors[name] }
        set {
            if let newValue {
                if tensors.updateValue(newValue, forKey: name) == nil { names.append(name) }
            } else if tensors.removeValue(forKey: name) != nil {
                names.removeAll { $0 == name }
            }
        }
    }

    /// The tensor called `name`; throws an error naming it (and listing what exists) when absent.
    public func tensor(named name: String) throws -> Tensor<Scalar> {
        guard let t = tensors[name] else {
            throw TensorError.invalidArgument(
                operation: "parameters",
                message: "no parameter '\(name)'; the collection has: \(names.isEmpty ? "(none)" : names.joined(separator: ", "))")
        }
        return t
    }

    /// The number of named tensors.
    public var count: Int { names.count }
    public var isEmpty: Bool { names.isEmpty }
    /// The total number of scalars over all tensors.
    public var scalarCount: Int { names.reduce(0) { $0 + tensors[$1]!.count } }
    /// Name → shape, in order.
    public var shapes: [(name: String, shape: [Int])] { names.map { ($0, tensors[$0]!.shape) } }

    public func makeIterator() -> AnyIterator<(name: String, tensor: Tensor<Scalar>)> {
        var i = 0
        let names = self.names, tensors = self.tensors
        return AnyIterator {
            guard i < names.count else { return nil }
            defer { i += 1 }
            return (names[i], tensors[names[i]]!)
        }
    }

    /// The same tensors named `"\(prefix).\(name)"`.
    public func prefixed(_ prefix: String) -> Parameters {
        var result = Parameters()
        for name in names { result["\(prefix).\(name)"] = tensors[name] }
        return result
    }

    /// The tensors whose names start with `"\(prefix)."`, with that prefix removed.
    public func scoped(_ prefix: String) -> Parameters {
        let head = prefix + "."
        var result = Parameters()
        for name in names where name.hasPrefix(head) { result[String(name.dropFirst(head.count))] = tensors[name] }
        return result
    }

    /// Appends (or replaces) every tensor of `other`, in its order.
    public mutating func merge(_ other: Parameters) {
        for name in other.names { self[name] = other.tensors[name] }
    }

    /// The same names with transformed tensors.
    public func mapTensors(_ transform: (_ name: String, _ tensor: Tensor<Scalar>) throws -> Tensor<Scalar>) rethrows -> Parameters {
        var result = Parameters()
        for name in names { result[name] = try transform(name, tensors[name]!) }
        return result
    }

    /// Zeros of the same names and shapes (e.g. fresh optimizer moments).
    public func zeros() -> Parameters { mapTensors { Tensor(shape: $1.shape, repeating: 0) } }

    /// Σ over all tensors of Σ xᵢ², accumulated in `Double` in name order.
    public var squaredNorm: Double {
        var total = 0.0
        for name in names {
            tensors[name]!.withUnsafeBufferPointer { p in
                for x in p { total += Double(x) * Double(x) }
            }
        }
        return total
    }

    /// The global L2 norm √(Σ over all tensors of Σ xᵢ²).
    public var norm: Double { squaredNorm.squareRoot() }

    /// Checks that `other` has exactly these names with these shapes; the error names the first
    /// parameter that differs. `role` says what `other` is, e.g. `"gradients"`.
    public func checkMatches(_ other: Parameters, role: String, operation: String) throws {
        for name in names {
            guard let t = other.tensors[name] else {
                throw TensorError.invalidArgument(operation: operation, message: "the \(role) have no entry for parameter '\(name)'")
            }
            let shape = tensors[name]!.shape
            guard t.shape == shape else {
                throw TensorError.shapeMismatch(operation: operation, lhs: shape, rhs: t.shape,
                                                reason: "parameter '\(name)' has shape \(shape) but its \(role) entry has shape \(t.shape)")
            }
        }
        for name in other.names where tensors[name] == nil {
            throw TensorError.invalidArgument(operation: operation,
                                              message: "the \(role) have an entry '\(name)' that is not a parameter")
        }
    }

    /// Leaf variables on `tape`, one per tensor, for a training step: their gradients come back
    /// through ``ParameterVariables/gradients(from:)``.
    public func bind(to tape: Tape<Scalar>) -> ParameterVariables<Scalar> {
        var variables: [String: Variable<Scalar>] = [:]
        for name in names { variables[name] = tape.variable(tensors[name]!) }   // leaves in parameter order
        return ParameterVariables(names: names, variables: variables)
    }

    /// Untracked (constant) variables, for inference through the `Variable` code path.
    public var constants: ParameterVariables<Scalar> {
        ParameterVariables(names: names, variables: tensors.mapValues { Variable($0) })
    }

    public var description: String {
        "Parameters<\(Scalar.self)>(" + names.map { "\($0): \(tensors[$0]!.shape)" }.joined(separator: ", ") + ")"
    }

    public static func == (lhs: Parameters, rhs: Parameters) -> Bool {
        lhs.names == rhs.names && lhs.tensors == rhs.tensors
    }
}

/// A model's parameters as ``Variable``s — tape leaves while training, constants for inference —
/// looked up by name inside a layer's forward pass.
public struct ParameterVariables<Scalar: TensorScalar> {
    /// The parameter names in order.
    public let names: [String]
    let variables: [String: Variable<Scalar>]

    init(names: [String], variables: [String: Variable<Scalar>]) {
        self.names = names
        self.variables = variables
    }

    /// Variables under the given names, in order (e.g. leaves made by hand for a gradient check).
    /// Traps on a repeated name.
    public init(_ pairs: [(String, Variable<Scalar>)]) {
        var result: [String: Variable<Scalar>] = [:]
        for (name, v) in pairs {
            precondition(result.updateValue(v, forKey: name) == nil, "Tensors: parameter name '\(name)' given twice")
        }
        self.init(names: pairs.map(\.0), variables: result)
    }

    /// The variable called `name`, or nil.
    public subscript(_ name: String) -> Variable<Scalar>? { variables[name] }

    /// The variable called `name`; throws an error naming the missing parameter (and `layer`).
    public func variable(_ name: String, layer: String = "layer") throws -> Variable<Scalar> {
        guard let v = variables[name] else {
            throw TensorError.invalidArgument(
                operation: layer,
                message: "no parameter '\(name)'; the layer was given: \(names.isEmpty ? "(none)" : names.joined(separator: ", "))")
        }
        return v
    }

    /// The variables whose names start with `"\(prefix)."`, with that prefix removed.
    public func scoped(_ prefix: String) -> ParameterVariables {
        let head = prefix + "."
        var kept: [String] = []
        var result: [String: Variable<Scalar>] = [:]
        for name in names where name.hasPrefix(head) {
            let short = String(name.dropFirst(head.count))
            kept.append(short)
            result[short] = variables[name]
        }
        return ParameterVariables(names: kept, variables: result)
    }

    /// The current values.
    public var values: Parameters<Scalar> {
        Parameters(names.map { ($0, variables[$0]!.value) })
    }

    /// The gradient of each parameter from one backward pass (zeros where the output does not
    /// depend on it), under the parameter names.
    public func gradients(from gradients: Gradients<Scalar>) -> Parameters<Scalar> {
        Parameters(names.map { ($0, gradients[variables[$0]!]) })
    }
}

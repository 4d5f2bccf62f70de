/// A reverse-mode automatic-differentiation tape (a Wengert list).
///
/// Every differentiable operation on tracked ``Variable``s appends one node holding the
/// indices of its inputs and a closure computing its vector–Jacobian product (VJP). Node
/// indices increase in evaluation order, so ``Variable/backward()`` walks them from the output
/// down, handing each node's gradient to its inputs and summing where a node feeds several
/// consumers.
///
/// Memory: the VJP closures keep the tensors they need (inputs, outputs, saved statistics) alive
/// until the tape is released — use one tape per training step (they are cheap) and let it go.
/// During `backward`, gradients of intermediate nodes are released as soon as they have been
/// propagated; only leaf gradients are returned.
///
/// Recording can be paused with ``withoutRecording(_:)`` for inference: operations then return
/// untracked variables and append nothing. A tape is not thread-safe (it is not `Sendable`).
public final class Tape<Scalar: TensorScalar> {
    /// A VJP: given the gradient of the node's output and which inputs need a gradient, return
    /// one gradient per input (nil where not needed), each of that input's shape.
    public typealias VJP = (_ upstream: Tensor<Scalar>, _ needed: [Bool]) throws -> [Tensor<Scalar>?]

    struct Node {
        let operation: String
        let inputs: [Int]          // node index, or −1 for an untracked input
        let shape: [Int]
        let vjp: VJP?              // nil for leaves
    }

    var nodes: [Node] = []
    /// Whether operations on this tape's variables are being recorded.
    public private(set) var isRecording = true

    public init() {}

    /// The number of recorded nodes (leaves and operations).
    public var nodeCount: Int { nodes.count }

    /// A leaf variable whose gradient ``Variable/backward()`` will report (a parameter or an
    /// input to differentiate with respect to). Leaves are recorded even while paused.
    public func variable(_ value: Tensor<Scalar>) -> Variable<Scalar> {
        nodes.append(Node(operation: "leaf", inputs: [], shape: value.shape, vjp: nil))
        return Variable(value: value, tape: self, id: nodes.count - 1)
    }

    /// Runs `body` without recording: operations return untracked variables (inference).
    public func withoutRecording<R>(_ body: () throws -> R) rethrows -> R {
        let saved = isRecording
        isRecording = false
        defer { isRecording = saved }
        return try body()
    }

    func append(operation: String, inputs: [Int], shape: [Int], vjp: @escaping VJP) -> Int {
        nodes.append(Node(operation: operation, inputs: inputs, shape: shape, vjp: vjp))
        return nodes.count - 1
    }

    func backward(from root: Int, seed: Tensor<Scalar>) throws -> Gradients<Scalar> {
        var grads = [Tensor<Scalar>?](repeating: nil, count: root + 1)
        grads[root] = seed
        var leaves: [Int: Tensor<Scalar>] = [:]
        for i in stride(from: root, through: 0, by: -1) {
            guard let g = grads[i] else { continue }
            let node = nodes[i]
            guard let vjp = node.vjp else {
                leaves[i] = g
                continue
            }
            grads[i] = nil   // release as soon as it has been propagated
            let inputGrads = try vjp(g, node.inputs.map { $0 >= 0 })
            precondition(inputGrads.count == node.inputs.count,
                         "Tensors: the VJP of \(node.operation) returned \(inputGrads.count) gradients for \(node.inputs.count) inputs")
            for (k, p) in node.inputs.enumerated() where p >= 0 {
                guard let gp = inputGrads[k] else { continue }
                precondition(gp.shape == nodes[p].shape,
                             "Tensors: the VJP of \(node.operation) returned a gradient of shape \(gp.shape) for an input of shape \(nodes[p].shape)")
                if grads[p] == nil {
                    grads[p] = gp
                } else {
                    try grads[p]! += gp
                }
            }
        }
        return Gradients(tape: ObjectIdentifier(self), leaves: leaves)
    }
}

/// A tensor value, optionally tracked on a ``Tape``. Operations on variables compute the same
/// values as the ``Tensor`` operations and, when any input is tracked and its tape is
/// recording, record their VJP. Untracked variables (``init(_:)``) are constants.
public struct Variable<Scalar: TensorScalar> {
    /// The forward value.
    public let value: Tensor<Scalar>
    let tape: Tape<Scalar>?
    let id: Int

    init(value: Tensor<Scalar>, tape: Tape<Scalar>?, id: Int) {
        self.value = value
        self.tape = tape
        self.id = id
    }

    /// An untracked (constant) variable.
    public init(_ value: Tensor<Scalar>) {
        self.init(value: value, tape: nil, id: -1)
    }

    public var shape: [Int] { value.shape }
    public var rank: Int { value.rank }
    /// Whether this variable is on a tape (a leaf or a recorded operation's result).
    public var isTracked: Bool { tape != nil }

    /// Records an operation with a hand-written VJP — the extension point for new
    /// differentiable operations. The result is untracked when no input is tracked or the
    /// tape is paused. Traps if the inputs come from different tapes.
    public static func recording(_ operation: String, value: Tensor<Scalar>, inputs: [Variable<Scalar>],
                                 vjp: @escaping Tape<Scalar>.VJP) -> Variable<Scalar> {
        var tape: Tape<Scalar>?
        for input in inputs {
            guard let t = input.tape else { continue }
            if let tape {
                precondition(tape === t, "Tensors: \(operation) mixes variables from two different tapes")
            } else {
                tape = t
            }
        }
        guard let tape, tape.isRecording else { return Variable(value) }
        let id = tape.append(operation: operation, inputs: inputs.map { $0.tape == nil ? -1 : $0.id },
                             shape: value.shape, vjp: vjp)
        return Variable(value: value, tape: tape, id: id)
    }

    /// Back-propagates from this scalar (one-element) variable with seed 1.
    public func backward() throws -> Gradients<Scalar> {
        guard value.count == 1 else {
            throw TensorError.invalidArgument(operation: "backward",
                                              message: "needs a one-element output, got shape \(shape); use backward(seed:)")
        }
        return try backward(seed: Tensor(shape: shape, repeating: 1))
    }

    /// Back-propagates the vector–Jacobian product with `seed` (of this variable's shape).
    public func backward(seed: Tensor<Scalar>) throws -> Gradients<Scalar> {
        guard seed.shape == shape else {
            throw TensorError.shapeMismatch(operation: "backward", lhs: shape, rhs: seed.shape,
                                            reason: "the seed must have the output's shape")
        }
        guard let tape else {
            throw TensorError.invalidArgument(operation: "backward", message: "the variable is not tracked on a tape")
        }
        return try tape.backward(from: id, seed: seed)
    }
}

/// The gradients of one backward pass, looked up by leaf variable.
public struct Gradients<Scalar: TensorScalar>: Sendable {
    let tape: ObjectIdentifier
    let leaves: [Int: Tensor<Scalar>]

    /// The gradient with respect to `variable`: zeros of its shape when the output does not
    /// depend on it (or it is untracked). Traps for a variable of another tape.
    public subscript(_ variable: Variable<Scalar>) -> Tensor<Scalar> {
        guard let t = variable.tape else { return Tensor(shape: variable.shape, repeating: 0) }
        precondition(ObjectIdentifier(t) == tape, "Tensors: gradient lookup with a variable from another tape")
        return leaves[variable.id] ?? Tensor(shape: variable.shape, repeating: 0)
    }

    /// Whether the output depends on `variable` through recorded operations.
    public func reaches(_ variable: Variable<Scalar>) -> Bool {
        guard let t = variable.tape, ObjectIdentifier(t) == tape else { return false }
        return leaves[variable.id] != nil
    }
}

/// The complete state of an integrator between two steps, enough to continue the solve
/// bit-identically (in this process or another): named numbers, integers and vectors.
///
/// Every integrator of this module (explicit, stiff, stochastic) saves itself into this one
/// form, so checkpoints share one NetCDF layout (see `write(to:)`). The `method`, the problem
/// `dimension`, the span and the tolerances are recorded too, and a resume with different ones
/// is refused rather than silently continuing a different solve.
public struct IntegratorSnapshot: Sendable, Equatable {
    /// The method's name, e.g. `"Tsit5"`.
    public var method: String
    /// Floating-point state: time, step size, controller memory, ...
    public var scalars: [String: Double]
    /// Counters and flags (`0`/`1`).
    public var integers: [String: Int64]
    /// Vector state: `y`, stage derivatives, history arrays, tolerances, ...
    public var vectors: [String: [Double]]

    public init(method: String, scalars: [String: Double] = [:], integers: [String: Int64] = [:],
                vectors: [String: [Double]] = [:]) {
        self.method = method
        self.scalars = scalars
        self.integers = integers
        self.vectors = vectors
    }

    /// The time the snapshot was taken at.
    public var time: Double? { scalars["t"] }

    public func scalar(_ name: String) throws(IntegrationError) -> Double {
        guard let value = scalars[name] else { throw .invalidSnapshot("it has no value '\(name)'") }
        return value
    }

    public func integer(_ name: String) throws(IntegrationError) -> Int {
        guard let value = integers[name] else { throw .invalidSnapshot("it has no counter '\(name)'") }
        return Int(value)
    }

    public func vector(_ name: String, count: Int) throws(IntegrationError) -> [Double] {
        guard let value = vectors[name] else { throw .invalidSnapshot("it has no vector '\(name)'") }
        guard value.count == count else {
            throw .invalidSnapshot("vector '\(name)' has \(value.count) components, expected \(count)")
        }
        return value
    }
}

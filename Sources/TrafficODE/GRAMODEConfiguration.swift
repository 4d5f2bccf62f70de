import Foundation

/// The shape of a traffic network and how its ODE blocks are solved; written into
/// `traffic-train`'s output (as JSON) so the model can be rebuilt.
public struct TrafficModelConfiguration: Codable, Sendable, Equatable {
    /// `gram-ode`, `graph-ode` (one node ODE on the union of the branches' graphs) or `gru`.
    public var model: String
    public var sensors: Int
    public var inputLength: Int = 12
    public var horizon: Int = 12
    /// Channels inside the blocks (GRAM-ODE: 64; the TCNs run [width, width/2, width]).
    public var width: Int = 16
    /// GRAM-ODE's branches, each named by its graph: "spatial" or "semantic" (the paper: three of
    /// each). The graph-ode model runs on the sum of the graphs they name.
    public var branches: [String] = ["spatial", "semantic"]
    /// Blocks per branch (the paper: 2).
    public var blocks: Int = 2
    /// Whether the ODE blocks hold the edge ODE (its state is B·N²·T: the costly part).
    public var edgeODE: Bool = true
    /// Whether the ODE blocks hold the local ODEs on attention-compressed tokens.
    public var localODEs: Bool = true
    /// Key width of the token and horizon attentions.
    public var attentionWidth: Int = 32
    /// The core method solving the ODE blocks (`Euler` as the reference code, or any explicit
    /// Runge–Kutta method of the catalogue, e.g. `RK4`, `Tsit5`).
    public var solver: String = "Euler"
    /// Fixed steps per unit time (the reference code: 1); 0 with an adaptive method: error control.
    public var stepsPerUnitTime: Int = 1
    /// Relative and absolute tolerance of an adaptive solve.
    public var tolerance: Double = 1e-3
    /// Whether the network forecasts the change from the last observed reading (`true`; not in
    /// the paper: a lever for short series) rather than the readings (`nil` or `false`).
    public var residual: Bool? = nil

    public init(model: String, sensors: Int) {
        self.model = model
        self.sensors = sensors
    }

    /// Checks the fields against each other.
    public func validate() throws {
        guard ["gram-ode", "graph-ode", "gru"].contains(model) else { throw TrafficODEError("", "model '\(model)': gram-ode, graph-ode or gru") }
        guard sensors > 0, inputLength > 0, horizon > 0, width >= 2, blocks >= 1, attentionWidth >= 1 else {
            throw TrafficODEError("", "sensors, input length, horizon, blocks and attention width must be positive and the width at least 2")
        }
        if model == "gram-ode" {
            guard !branches.isEmpty, branches.allSatisfy({ ["spatial", "semantic"].contains($0) }) else {
                throw TrafficODEError("", "branches \(branches): each must be 'spatial' or 'semantic', at least one")
            }
            guard !localODEs || inputLength % 3 == 0 else {
                throw TrafficODEError("", "the local ODEs turn \(inputLength) steps into tokens of 3; the input length must be a multiple of 3")
            }
        }
        guard stepsPerUnitTime >= 0, tolerance > 0 else { throw TrafficODEError("", "steps per unit time must be ≥ 0 and the tolerance positive") }
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    public static func from(json: String) throws -> TrafficModelConfiguration {
        try JSONDecoder().decode(TrafficModelConfiguration.self, from: Data(json.utf8))
    }
}

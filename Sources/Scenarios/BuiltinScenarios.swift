/// Scenarios compiled into the program, so `ndyn example NAME` can print a starting point
/// without the repository at hand. Each is identical to `Scenarios/NAME.json` (a test checks).
public enum BuiltinScenarios {
    /// Name and JSON text of each built-in scenario, the default (`quickstart`) first.
    public static let all: [(name: String, json: String)] = [
        ("quickstart", quickstart),
    ]

    public static func json(named name: String) -> String? {
        all.first { $0.name == name }?.json
    }

    /// `Scenarios/quickstart.json`: the Lorenz attractor, the default scenario `make demo` runs.
    public static let quickstart = #"""
{
  "kind": "lorenz",
  "name": "quickstart",
  "seed": 42,
  "output": "runs",
  "description": "The Lorenz attractor over 40 model time units: the default scenario that `make demo` runs.",
  "parameters": {
    "sigma": 10,
    "rho": 28,
    "beta": 2.6666666666666665,
    "initial": [1, 1, 1],
    "t_end": 40,
    "method": "Tsit5",
    "rtol": 1e-8,
    "atol": 1e-8,
    "save_at": 0.01
  }
}
"""#
}

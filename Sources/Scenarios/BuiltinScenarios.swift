/// Scenarios compiled into the program, so `ndyn example NAME` can print a starting point
/// without the repository at hand. Each is identical to `Scenarios/NAME.json` (a test checks).
public enum BuiltinScenarios {
    /// Name and JSON text of each built-in scenario, the default (`quickstart`) first.
    public static let all: [(name: String, json: String)] = [
        ("quickstart", quickstart),
        ("neural-ode-spiral", neuralODESpiral),
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

    /// `Scenarios/neural-ode/neural-ode-spiral.json`: the neural-ODE spiral benchmark (torchdiffeq's ode_demo).
    public static let neuralODESpiral = #"""
{
  "kind": "neural-ode",
  "name": "neural-ode-spiral",
  "seed": 0,
  "output": "runs",
  "description": "The classic neural-ODE spiral (torchdiffeq's ode_demo): learn dy/dt = y^3 A from 1000 samples over 0 ... 25. Batches of 20 windows of 10 samples as in the demo; Adam on the mean squared error with 100 warm-up iterations, a cosine-decayed rate and gradient clipping, instead of the demo's RMSprop on the mean absolute error.",
  "parameters": {
    "t_end": 25,
    "samples": 1000,
    "initial": [2, 0],
    "iterations": 2000,
    "batch_size": 20,
    "batch_time": 10,
    "learning_rate": 0.003,
    "lr_final": 0.00001,
    "beta1": 0.9,
    "beta2": 0.999,
    "loss": "l2",
    "gradient_clip": 1,
    "warmup": 100,
    "hidden_width": 50,
    "method": "DormandPrince5",
    "rtol": 1e-7,
    "atol": 1e-9,
    "gradient_method": "backprop",
    "eval_every": 20
  }
}
"""#
}

import NetCDF
import Scenarios

/// The Kolmogorov-flow parameters an `ns2d-dns` output was generated with (from its
/// `scenario_json` attribute), which the coarse solvers of `tsm-train` and `tsm-rollout` reuse.
struct ReferenceFlow: Equatable {
    var viscosity, drag, amplitude: Double
    var wavenumber: Int

    init(of dataset: Dataset) throws {
        guard let recorded = try dataset.attribute("scenario_json")?.text, let setup = try? JSONParser.parse(recorded)["parameters"] else {
            throw TemporalStencilRunError(message: "\(dataset.path) has no scenario_json attribute: it is not an ns2d-dns output")
        }
        viscosity = setup["viscosity"]?.doubleValue ?? 0.001
        drag = setup["drag"]?.doubleValue ?? 0.1
        amplitude = setup["forcing_amplitude"]?.doubleValue ?? 1
        wavenumber = Int(setup["forcing_wavenumber"]?.doubleValue ?? 4)
    }
}

// swift-tools-version:6.0
// A separate package that uses NeuralDynamics as a user's project would: through its public API
// only, from another module. `make bench` builds it in .build/external-client with `NeuralDynamics`
// a link to this repository (a path dependency's identity is its directory name).
import PackageDescription

let package = Package(
    name: "ExternalClient",
    dependencies: [.package(path: "NeuralDynamics")],
    targets: [
        .executableTarget(
            name: "external-client",
            dependencies: [.product(name: "Integrators", package: "NeuralDynamics")],
            path: "Sources/external-client"),
    ]
)

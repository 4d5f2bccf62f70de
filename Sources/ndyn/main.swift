import Foundation
import MPI
import Scenarios

ScenarioRegistry.standard = .suite
let status = NDyn.main(Array(CommandLine.arguments.dropFirst()))
MPIEnvironment.finalize()
exit(status.rawValue)

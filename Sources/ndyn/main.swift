import Foundation
import MPI

let status = NDyn.main(Array(CommandLine.arguments.dropFirst()))
MPIEnvironment.finalize()
exit(status.rawValue)

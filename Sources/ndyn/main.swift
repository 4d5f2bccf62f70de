import Foundation

exit(NDyn.main(Array(CommandLine.arguments.dropFirst())).rawValue)

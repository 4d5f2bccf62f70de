import HostMachine
import Scenarios

/// The `ndyn` program: picks the subcommand and maps outcomes to exit statuses.
enum NDyn {
    static let commands: [any Command.Type] = [
        RunCommand.self, SweepCommand.self, ValidateCommand.self, ListCommand.self, InfoCommand.self, ExampleCommand.self,
    ]

    static var help: String {
        let width = commands.map { $0.name.count }.max() ?? 0
        let lines = commands.map { "  " + $0.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.abstract }
        return """
            OVERVIEW: NeuralDynamics \(NeuralDynamicsVersion.current) — simulate and learn dynamical systems.

            USAGE: ndyn <subcommand> [<arguments>] [--help]

            SUBCOMMANDS:
            \(lines.joined(separator: "\n"))

            OPTIONS:
              --help, -h              Show this help (or `ndyn help <subcommand>`).
              --version               Show the version.

            Start with: ndyn run Scenarios/quickstart.json
            """
    }

    /// Runs the program on `arguments` (without the program name) and returns the exit status.
    static func main(_ arguments: [String]) -> ExitCode {
        guard let first = arguments.first else {
            Console.error(help)
            return .badInput
        }
        switch first {
        case "--help", "-h":
            Console.out(help)
            return .success
        case "--version":
            let machine = HostMachine.current()
            Console.out("ndyn \(NeuralDynamicsVersion.current) (\(machine.build.configuration) build for \(machine.build.vectorUnits); "
                        + "OpenBLAS \(machine.blas.version) core \(machine.blas.core); see `ndyn info --system`)")
            return .success
        case "help":
            guard arguments.count > 1 else { Console.out(help); return .success }
            guard let command = command(named: arguments[1]) else { return unknown(arguments[1]) }
            Console.out(command.help)
            return .success
        default:
            break
        }
        guard let command = command(named: first) else { return unknown(first) }
        let rest = Array(arguments.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            Console.out(command.help)
            return .success
        }
        do {
            return try command.init(arguments: rest).run()
        } catch {
            Console.error("error: \(error)\nusage: ndyn \(command.usage)\nSee 'ndyn help \(command.name)'.")
            return .badInput
        }
    }

    static func command(named name: String) -> (any Command.Type)? {
        commands.first { $0.name == name }
    }

    static func unknown(_ name: String) -> ExitCode {
        let names = commands.map { $0.name }
        Console.error("error: unknown subcommand '\(name)'\(Suggestions.hint(for: name, in: names)); subcommands: \(names.joined(separator: ", "))\nSee 'ndyn --help'.")
        return .badInput
    }
}

import Foundation

/// One `ndyn` subcommand: parsing and validation in `init`, the work in `run()`.
protocol Command: Sendable {
    /// The subcommand's name, e.g. `"run"`.
    static var name: String { get }
    /// One line for `ndyn --help`.
    static var abstract: String { get }
    /// The usage line(s) after `ndyn`.
    static var usage: String { get }
    /// Options and further explanation for `ndyn help <command>`.
    static var discussion: String { get }

    /// Parses and validates the arguments after the subcommand name.
    init(arguments: [String]) throws
    /// Does the work and returns the exit status.
    func run() -> ExitCode
}

extension Command {
    static var help: String {
        "\(abstract)\n\nUSAGE: ndyn \(usage)\n" + (discussion.isEmpty ? "" : "\n\(discussion)\n")
    }
}

/// Output streams, so tests can read what a command printed.
enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

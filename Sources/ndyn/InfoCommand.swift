import NetCDF

struct InfoCommand: Command {
    static let name = "info"
    static let abstract = "Summarise a NetCDF file: dimensions, variables, value ranges, attributes."
    static let usage = "info <file.nc>"
    static let discussion = """
        Like `ncdump -h`, plus each variable's storage and range of values.
        Exit status: 0 success, 2 when the file is missing or not readable NetCDF.
        """

    var path: String

    init(arguments: [String]) throws {
        let scanner = try ArgumentScanner(arguments, command: Self.name, flagNames: [], optionNames: [])
        path = try scanner.single("NetCDF file", command: Self.name)
    }

    func run() -> ExitCode {
        do {
            let dataset = try Dataset.open(path)
            Console.out(try dataset.summary())
            try dataset.close()
            return .success
        } catch {
            Console.error("error: \(error)")
            return .badInput
        }
    }
}

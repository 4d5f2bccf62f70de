import HostMachine
import NetCDF

struct InfoCommand: Command {
    static let name = "info"
    static let abstract = "Summarise a NetCDF file, or (--system) this machine's CPU, BLAS and FFTW."
    static let usage = "info <file.nc> | info --system"
    static let discussion = """
        Like `ncdump -h`, plus each variable's storage and range of values.
        With --system: the CPU model and vector units, the OpenBLAS kernels running (and whether
        ndyn chose them because OpenBLAS's own detection fell short), FFTW, and what this build
        was compiled for; every run records the same in run.json ("machine").
        Exit status: 0 success, 2 when the file is missing or not readable NetCDF.
        """

    var path: String?

    init(arguments: [String]) throws {
        let scanner = try ArgumentScanner(arguments, command: Self.name, flagNames: ["--system"], optionNames: [])
        if scanner.flags.contains("--system") {
            guard scanner.positionals.isEmpty else {
                throw UsageError(message: "--system takes no file", command: Self.name)
            }
            path = nil
        } else {
            path = try scanner.single("NetCDF file", command: Self.name)
        }
    }

    func run() -> ExitCode {
        guard let path else {
            Console.out(HostMachine.current().summary)
            return .success
        }
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

import Foundation
import NetCDF

/// Combines the members of a sweep, `<sweep dir>/<member id>/output.nc`, into one NetCDF file
/// with a leading `member` dimension, so `xarray.open_dataset` sees the sweep as one dataset.
///
/// - Data variables gain `member` as their first dimension; their attributes are kept and a
///   `coordinates` attribute names the sweep coordinates.
/// - Coordinate variables (`time`, ...) must be identical in every member and are written once.
/// - The sweep coordinates over `member`: `member` (index), `seed`, `replica`, and every swept
///   parameter (numbers as float64 or int64, booleans as 0/1, strings as CF flags
///   `flag_values`/`flag_meanings`, equal-length number arrays over `<name>_component`). A
///   parameter whose name a data variable already has is written as `sweep_<name>`.
/// - Numeric global attributes that differ between members (solver statistics) become
///   variables over `member` with the same name; equal ones stay global attributes.
///
/// Members whose `run.json` is missing or not `completed` stop the gather with a message
/// listing them, unless `partial` is set, in which case only completed members are combined.
public struct SweepGather {
    /// What was combined.
    public struct Report: Sendable {
        public var output: String
        public var members: [Int]
        public var skipped: [(id: String, reason: String)]
        public var variables: [String]
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    /// The sweep directory (`output/name`).
    public var directory: String
    /// Where to write; default `<directory>/sweep.nc`.
    public var output: String?
    /// Combine only the completed members instead of refusing when some are missing or failed.
    public var partial: Bool

    public init(directory: String, output: String? = nil, partial: Bool = false) {
        self.directory = directory
        self.output = output
        self.partial = partial
    }

    struct MemberRun {
        var id: String
        var index: Int
        var count: Int
        var seed: Int64
        var replica: Int
        /// The values the member's sweep entry sets.
        var values: [(key: String, value: JSONValue)]
        /// Every parameter of the member's run, defaults included.
        var effective: [(key: String, value: JSONValue)]
        var output: String
    }

    public func run() throws -> Report {
        let (runs, skipped) = try completedMembers()
        let outputPath = output ?? (directory as NSString).appendingPathComponent("sweep.nc")
        let sources = try runs.map { try Dataset.open($0.output) }
        defer { for source in sources { try? source.close() } }
        let variables = try write(runs, sources: sources, to: outputPath)
        return Report(output: outputPath, members: runs.map(\.index), skipped: skipped, variables: variables)
    }

    // MARK: Finding the members

    func completedMembers() throws -> ([MemberRun], [(id: String, reason: String)]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure(message: "'\(directory)' is not a directory; give the sweep's run directory (output/name)")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var runs: [MemberRun] = []
        var problems: [(id: String, reason: String)] = []
        var expectedCount: Int?
        for name in names.sorted() {
            let memberDirectory = (directory as NSString).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: memberDirectory, isDirectory: &isDirectory), isDirectory.boolValue,
                  !name.isEmpty, name.allSatisfy(\.isNumber) else { continue }
            let recordPath = (memberDirectory as NSString).appendingPathComponent("run.json")
            guard let data = FileManager.default.contents(atPath: recordPath), let text = String(data: data, encoding: .utf8),
                  let record = try? JSONParser.parse(text) else {
                problems.append((name, "no readable run.json (not run yet, or still running)"))
                continue
            }
            guard case .object? = record["scenario"]?["member"], let member = record["scenario"]?["member"],
                  let index = member["index"]?.doubleValue, let count = member["count"]?.doubleValue,
                  let seed = member["seed"]?.doubleValue, let replica = member["replica"]?.doubleValue else {
                problems.append((name, "its run.json records no sweep member"))
                continue
            }
            if let expected = expectedCount, expected != Int(count) {
                throw Failure(message: "member \(name) belongs to a sweep of \(Int(count)) members, others to one of \(expected): the directory mixes two sweeps")
            }
            expectedCount = Int(count)
            let status = record["status"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "unknown"
            guard status == "completed" else {
                let error = record["error"].flatMap { if case .string(let s) = $0 { s } else { nil } }
                problems.append((name, "status '\(status)'" + (error.map { ": \($0)" } ?? "")))
                continue
            }
            var values: [(key: String, value: JSONValue)] = []
            if case .object(let pairs)? = member["values"] { values = pairs }
            // Parameters other members sweep but this one leaves alone take its effective value.
            var effective: [(key: String, value: JSONValue)] = []
            if case .object(let pairs)? = record["scenario"]?["parameters"] { effective = pairs }
            let seedValue: Int64
            if case .integer(let s)? = member["seed"] { seedValue = s } else { seedValue = Int64(seed) }
            runs.append(MemberRun(id: name, index: Int(index), count: Int(count), seed: seedValue, replica: Int(replica),
                                  values: values, effective: effective, output: (memberDirectory as NSString).appendingPathComponent("output.nc")))
        }
        guard let count = expectedCount else {
            throw Failure(message: "'\(directory)' holds no sweep members (directories with a run.json); run the sweep first")
        }
        let present = Set(runs.map(\.index)).union(problems.compactMap { Int($0.id) })
        for index in 0..<count where !present.contains(index) {
            problems.append((String(index), "not run yet (no directory)"))
        }
        if !problems.isEmpty && !partial {
            let lines = problems.prefix(20).map { "  - member \($0.id): \($0.reason)" }
            let more = problems.count > 20 ? "\n  ... and \(problems.count - 20) more" : ""
            throw Failure(message: "\(problems.count) of \(count) members are not complete:\n" + lines.joined(separator: "\n") + more
                          + "\nrun them (or their retries) first, or gather the completed ones with --partial")
        }
        guard !runs.isEmpty else { throw Failure(message: "no member of the sweep in '\(directory)' has completed") }
        return (runs.sorted { $0.index < $1.index }, problems)
    }

    // MARK: Writing the combined file

    func write(_ runs: [MemberRun], sources: [Dataset], to path: String) throws -> [String] {
        let first = sources[0]
        let variables = try first.variables()
        let coordinateNames = Set(variables.filter { $0.dimensions.count == 1 && $0.dimensions[0].name == $0.name }.map(\.name))
        // Every member must have the same variables, shapes, and coordinate values.
        for (run, source) in zip(runs, sources).dropFirst() {
            let theirs = try source.variables()
            guard theirs.map(\.name) == variables.map(\.name) else {
                throw Failure(message: "member \(run.id) has variables \(theirs.map(\.name)), member \(runs[0].id) has \(variables.map(\.name)); gather needs the same variables in every member")
            }
            for (mine, other) in zip(variables, theirs) where mine.shape != other.shape || mine.dataType != other.dataType {
                throw Failure(message: "variable '\(mine.name)' is \(other.dataType) \(other.shape) in member \(run.id) but \(mine.dataType) \(mine.shape) in member \(runs[0].id); gather needs equal shapes (sweep only parameters that keep the output's shape, e.g. not t_end with a fixed save interval)")
            }
            for name in coordinateNames where try source.read(name) != first.read(name) {
                throw Failure(message: "coordinate '\(name)' differs between members \(runs[0].id) and \(run.id); gather needs the same coordinate values in every member (e.g. save at fixed times)")
            }
        }
        for variable in variables where !variable.dataType.isNumeric || [.char, .string].contains(variable.dataType) {
            throw Failure(message: "variable '\(variable.name)' has type \(variable.dataType); gather combines numeric variables only")
        }

        let dataset = try Dataset.create(path)
        defer { dataset.discard() }
        let memberCount = runs.count
        try dataset.defineDimension("member", length: memberCount)
        for dimension in try first.dimensions() where dimension.name != "member" {
            try dataset.defineDimension(dimension.name, length: dimension.length)
        }

        // Sweep coordinates over `member`.
        let taken = Set(variables.map(\.name))
        var coordinateVariables = ["member", "seed", "replica"]
        try dataset.defineVariable("member", type: .int64, dimensions: ["member"], attributes: [
            "long_name": "sweep member index (the --member / SLURM_ARRAY_TASK_ID value)", "units": "1",
        ])
        try dataset.defineVariable("seed", type: .int64, dimensions: ["member"], attributes: [
            "long_name": "random seed of the member's run", "units": "1",
        ])
        try dataset.defineVariable("replica", type: .int64, dimensions: ["member"], attributes: [
            "long_name": "repetition of the member's parameter combination with its own seed", "units": "1",
        ])
        var parameterData: [(name: String, values: NetCDFArray)] = []
        for parameter in Self.sweptParameters(runs) {
            let name = taken.contains(parameter) || ["member", "seed", "replica"].contains(parameter) ? "sweep_\(parameter)" : parameter
            let values = runs.map { Self.value(of: parameter, in: $0) }
            try defineParameter(name, parameter: parameter, values: values, in: dataset, data: &parameterData)
            coordinateVariables.append(name)
        }

        // Global attributes: member 0's, minus what is per run; differing numbers become variables.
        let perRun: Set = ["history", "scenario_json", "scenario_seed"]
        let memberAttributes = try sources.map { try $0.attributes() }
        var attributeVariables: [(name: String, values: [Double])] = []
        for attribute in memberAttributes[0] where !perRun.contains(attribute.name) {
            let all = memberAttributes.map { $0.first { $0.name == attribute.name }?.value }
            if all.allSatisfy({ $0 == attribute.value }) {
                try dataset.setAttribute(attribute.name, attribute.value)
            } else if !taken.contains(attribute.name), !coordinateVariables.contains(attribute.name),
                      let numbers = all.map({ $0?.doubles }) as [[Double]?]?, numbers.allSatisfy({ $0?.count == 1 }) {
                attributeVariables.append((attribute.name, numbers.map { $0![0] }))
            }
        }
        try dataset.setAttribute("title", .text("Sweep of \(memberCount) members: " + (memberAttributes[0].first { $0.name == "title" }?.value.text ?? "")))
        try dataset.setAttribute("history", .text("\(RunContext.timestamp(Date())): ndyn sweep gather \(directory)"))
        try dataset.setAttribute("sweep_members", .text(runs.map(\.id).joined(separator: " ")))
        for (name, _) in attributeVariables {
            try dataset.defineVariable(name, type: .float64, dimensions: ["member"], attributes: [
                "long_name": .text("per-member value of the run's global attribute \(name)"),
            ])
        }

        // Data and coordinate variables.
        let coordinatesAttribute = coordinateVariables.joined(separator: " ")
        for variable in variables {
            let isCoordinate = coordinateNames.contains(variable.name)
            let dimensions = (isCoordinate ? [] : ["member"]) + variable.dimensions.map(\.name)
            // Unlimited dimensions become fixed ones here: chunks may not exceed their lengths.
            let clamped = variable.chunkSizes.map { zip($0, variable.shape).map { min($0, max($1, 1)) } }
            let chunks = clamped.map { isCoordinate ? $0 : [1] + $0 }
            try dataset.defineVariable(variable.name, type: Self.writableType(variable.dataType), dimensions: dimensions,
                                       compression: variable.compression, chunkSizes: chunks)
            for attribute in variable.attributes where attribute.name != "_FillValue" {
                try dataset.setAttribute(attribute.name, attribute.value, of: variable.name)
            }
            if !isCoordinate { try dataset.setAttribute("coordinates", .text(coordinatesAttribute), of: variable.name) }
        }

        try dataset.write(runs.map { Int64($0.index) }, to: "member")
        try dataset.write(runs.map(\.seed), to: "seed")
        try dataset.write(runs.map { Int64($0.replica) }, to: "replica")
        for (name, values) in parameterData { try dataset.write(values, to: name) }
        for (name, values) in attributeVariables { try dataset.write(values, to: name) }
        for variable in variables {
            if coordinateNames.contains(variable.name) {
                try dataset.write(try first.read(variable.name), to: variable.name)
                continue
            }
            for (m, source) in sources.enumerated() {
                let values = try source.read(variable.name)
                guard values.count > 0 else { continue }
                try dataset.write(values, to: variable.name, start: [m] + variable.shape.map { _ in 0 }, count: [1] + variable.shape)
            }
        }
        try dataset.close()
        return variables.map(\.name)
    }

    static func writableType(_ type: DataType) -> DataType {
        switch type {
        case .float32, .float64, .int32, .int64: return type
        case .int8, .uint8, .int16, .uint16: return .int32
        default: return .int64
        }
    }

    /// The swept parameters in first-appearance order.
    static func sweptParameters(_ runs: [MemberRun]) -> [String] {
        var names: [String] = []
        for run in runs { for (name, _) in run.values where !names.contains(name) { names.append(name) } }
        return names
    }

    /// The value of `parameter` in `run`: the swept one, else the run's effective one, else null.
    static func value(of parameter: String, in run: MemberRun) -> JSONValue {
        run.values.first { $0.key == parameter }?.value ?? run.effective.first { $0.key == parameter }?.value ?? .null
    }

    /// Defines the coordinate variable of one swept parameter and queues its values.
    func defineParameter(_ name: String, parameter: String, values: [JSONValue], in dataset: Dataset,
                         data: inout [(name: String, values: NetCDFArray)]) throws {
        let longName = AttributeValue.text("swept parameter \(parameter)")
        if values.allSatisfy({ if case .integer = $0 { true } else { false } }) {
            try dataset.defineVariable(name, type: .int64, dimensions: ["member"], attributes: ["long_name": longName])
            data.append((name, .int64(values.map { if case .integer(let i) = $0 { i } else { 0 } })))
        } else if values.allSatisfy({ $0.doubleValue != nil || $0 == .null }) {
            // Members that do not have the parameter at all (an optional one) get NaN.
            try dataset.defineVariable(name, type: .float64, dimensions: ["member"], attributes: ["long_name": longName])
            data.append((name, .float64(values.map { $0.doubleValue ?? .nan })))
        } else if values.allSatisfy({ if case .bool = $0 { true } else { false } }) {
            try dataset.defineVariable(name, type: .int32, dimensions: ["member"], attributes: [
                "long_name": longName, "flag_values": .int32([0, 1]), "flag_meanings": "false true",
            ])
            data.append((name, .int32(values.map { $0 == .bool(true) ? 1 : 0 })))
        } else if values.allSatisfy({ if case .string = $0 { true } else { false } }) {
            var distinct: [String] = []
            for case .string(let s) in values where !distinct.contains(s) { distinct.append(s) }
            let meanings = distinct.map { $0.map { $0.isWhitespace ? "_" : $0 } }.map { String($0) }
            try dataset.defineVariable(name, type: .int32, dimensions: ["member"], attributes: [
                "long_name": longName, "flag_values": .int32(distinct.indices.map(Int32.init)),
                "flag_meanings": .text(meanings.joined(separator: " ")),
            ])
            data.append((name, .int32(values.map { value in
                if case .string(let s) = value { Int32(distinct.firstIndex(of: s)!) } else { -1 }
            })))
        } else if case .array(let first)? = values.first,
                  values.allSatisfy({ if case .array(let a) = $0 { a.count == first.count && a.allSatisfy { $0.doubleValue != nil } } else { false } }) {
            let dimension = "\(name)_component"
            try dataset.defineDimension(dimension, length: first.count)
            try dataset.defineVariable(name, type: .float64, dimensions: ["member", dimension], attributes: ["long_name": longName])
            data.append((name, .float64(values.flatMap { value -> [Double] in
                if case .array(let a) = value { a.map { $0.doubleValue! } } else { [] }
            })))
        } else {
            throw Failure(message: "swept parameter '\(parameter)' mixes value types across members (\(Set(values.map(\.kindDescription)).sorted().joined(separator: ", "))); gather cannot make it one coordinate")
        }
    }
}

import NetCDF

/// The saved points of a solve so far (times and row-major states of `width` components), kept
/// so a checkpoint can hold everything the output had when it was written.
public struct SavedRecords: Sendable {
    /// Components per record.
    public let width: Int
    public private(set) var times: [Double] = []
    public private(set) var states: [Double] = []

    public init(width: Int) { self.width = width }

    public var count: Int { times.count }

    public mutating func append(_ newTimes: [Double], _ newStates: [Double]) {
        times += newTimes
        states += newStates
    }

    /// Writes `saved_time` and `saved_state` (`saved_record × saved_component`) into a checkpoint.
    public func write(to dataset: Dataset) throws {
        try dataset.defineDimension("saved_record", length: max(count, 1))
        try dataset.defineDimension("saved_component", length: width)
        try dataset.defineVariable("saved_time", type: .float64, dimensions: ["saved_record"], attributes: [
            "long_name": "times of the records written before the checkpoint",
        ], compression: Compression())
        try dataset.defineVariable("saved_state", type: .float64, dimensions: ["saved_record", "saved_component"], attributes: [
            "long_name": "states of the records written before the checkpoint",
        ], compression: Compression())
        try dataset.setAttribute("saved_records", .int64([Int64(count)]))
        try dataset.write(count == 0 ? [0] : times, to: "saved_time")
        try dataset.write(count == 0 ? [Double](repeating: 0, count: width) : states, to: "saved_state")
    }

    /// Reads what ``write(to:)`` wrote.
    public mutating func read(from dataset: Dataset) throws {
        guard let stored = try dataset.attribute("saved_records")?.doubles?.first else {
            throw NetCDFError(path: dataset.path, variable: nil, operation: "resuming", message: "the checkpoint has no saved records")
        }
        let n = Int(stored)
        times = n == 0 ? [] : try dataset.read(Double.self, from: "saved_time")
        states = n == 0 ? [] : try dataset.read(Double.self, from: "saved_state")
        guard times.count == n, states.count == n * width else {
            throw NetCDFError(path: dataset.path, variable: "saved_state", operation: "resuming",
                              message: "expected \(n) records of \(width) components, found \(times.count) and \(states.count) values")
        }
    }
}

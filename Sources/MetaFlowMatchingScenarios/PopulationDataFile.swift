import Foundation
import MetaFlowMatching
import NetCDF

/// The NetCDF layout of a population data set (`mfm-data`'s output, `mfm-train`'s and
/// `mfm-evaluate`'s input): `source` and `target` over `(population, point, coordinate)`, with
/// `label`, `split` and `parameter` over `population`; the label names and the benchmark as
/// global attributes.
enum PopulationDataFile {
    static func define(_ data: PopulationDataset, in dataset: Dataset) throws {
        try dataset.setAttribute("benchmark", .text(data.benchmark))
        try dataset.setAttribute("label_names", .text(data.labelNames.joined(separator: ",")))
        try dataset.defineDimension("population", length: data.populations.count)
        try dataset.defineDimension("point", length: data.pointsPerPopulation)
        try dataset.defineDimension("coordinate", length: data.dimension)
        for (name, meaning) in [("source", "x0: the population before the process"), ("target", "x1: the population after the process")] {
            try dataset.defineVariable(name, type: .float64, dimensions: ["population", "point", "coordinate"], attributes: [
                "long_name": .text(meaning + " (point i of the source became point i of the target)"), "units": "1",
            ], compression: Compression(), chunkSizes: [1, data.pointsPerPopulation, data.dimension])
        }
        try dataset.defineVariable("label", type: .int32, dimensions: ["population"], attributes: [
            "long_name": "what the population is (an index into the global attribute label_names)",
        ])
        try dataset.defineVariable("split", type: .int32, dimensions: ["population"], attributes: [
            "long_name": "split of the population", "flag_values": .int32([0, 1, 2]), "flag_meanings": "training validation test",
        ])
        try dataset.defineVariable("parameter", type: .float64, dimensions: ["population"], attributes: [
            "long_name": .text(data.benchmark == "letters" ? "rotation angle of the letter" : "family parameter (components, ring radius or letter index)"),
            "units": .text(data.benchmark == "letters" ? "radian" : "1"),
        ])
    }

    static func write(_ data: PopulationDataset, to dataset: Dataset) throws {
        try dataset.write(data.populations.flatMap(\.source), to: "source")
        try dataset.write(data.populations.flatMap(\.target), to: "target")
        try dataset.write(data.populations.map { Int32($0.label) }, to: "label")
        try dataset.write(data.populations.map { Int32($0.split.rawValue) }, to: "split")
        try dataset.write(data.populations.map(\.parameter), to: "parameter")
    }

    /// Reads a population file, naming what is wrong with one that is not.
    static func read(_ path: String) throws -> PopulationDataset {
        guard FileManager.default.fileExists(atPath: path) else {
            throw MetaFlowMatchingRunError(message: "\(path): no such file (run an mfm-data scenario first)")
        }
        let dataset = try Dataset.open(path)
        defer { try? dataset.close() }
        for name in ["source", "target", "label", "split", "parameter"] where (try? dataset.variable(name)) == nil {
            throw MetaFlowMatchingRunError(message: "\(path) is not an mfm-data file: it has no variable '\(name)'")
        }
        let shape = try dataset.variable("source").shape
        guard shape.count == 3, try dataset.variable("target").shape == shape, try dataset.variable("label").shape == [shape[0]] else {
            throw MetaFlowMatchingRunError(message: "\(path): source and target must both be (population, point, coordinate) and label (population)")
        }
        let (count, points, dimension) = (shape[0], shape[1], shape[2])
        let source = try dataset.read(Double.self, from: "source"), target = try dataset.read(Double.self, from: "target")
        let labels = try dataset.read(Int32.self, from: "label"), splits = try dataset.read(Int32.self, from: "split")
        let parameters = try dataset.read(Double.self, from: "parameter")
        let names = (try dataset.attribute("label_names")?.text ?? "").split(separator: ",").map(String.init)
        let size = points * dimension
        var populations: [Population] = []
        for p in 0..<count {
            guard let split = PopulationSplit(rawValue: Int(splits[p])) else {
                throw MetaFlowMatchingRunError(message: "\(path): population \(p) has split \(splits[p]); 0, 1 or 2 expected")
            }
            populations.append(Population(source: Array(source[(p * size)..<((p + 1) * size)]), target: Array(target[(p * size)..<((p + 1) * size)]),
                                          label: Int(labels[p]), split: split, parameter: parameters[p]))
        }
        do {
            return try PopulationDataset(dimension: dimension, populations: populations, labelNames: names,
                                         benchmark: try dataset.attribute("benchmark")?.text ?? "populations")
        } catch {
            throw MetaFlowMatchingRunError(message: "\(path): \(error)")
        }
    }
}

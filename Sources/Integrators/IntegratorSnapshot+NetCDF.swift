import NetCDF

/// Snapshots in NetCDF, bit-exact: each vector is a `Float64` variable `<prefix><name>` over its
/// own dimension `<prefix><name>_length`; scalars and integers are global attributes
/// `<prefix>scalar_<name>` (double) and `<prefix>integer_<name>` (int64); the method is the
/// text attribute `<prefix>method`. A prefix lets a snapshot share a checkpoint file with
/// other state.
extension IntegratorSnapshot {
    /// Writes the snapshot into an open dataset being written.
    public func write(to dataset: Dataset, prefix: String = "integrator_") throws {
        try dataset.setAttribute("\(prefix)method", .text(method))
        for (name, value) in scalars.sorted(by: { $0.key < $1.key }) {
            try dataset.setAttribute("\(prefix)scalar_\(name)", .float64([value]))
        }
        for (name, value) in integers.sorted(by: { $0.key < $1.key }) {
            try dataset.setAttribute("\(prefix)integer_\(name)", .int64([value]))
        }
        for (name, values) in vectors.sorted(by: { $0.key < $1.key }) {
            let dimension = "\(prefix)\(name)_length"
            try dataset.defineDimension(dimension, length: max(values.count, 1))
            try dataset.defineVariable("\(prefix)\(name)", type: .float64, dimensions: [dimension], attributes: [
                "long_name": .text("integrator state: \(name)"), "actual_length": .int64([Int64(values.count)]),
            ])
            try dataset.write(values.isEmpty ? [0] : values, to: "\(prefix)\(name)")
        }
    }

    /// Reads a snapshot written by ``write(to:prefix:)``.
    public init(from dataset: Dataset, prefix: String = "integrator_") throws {
        let attributes = try dataset.attributes()
        guard let method = attributes.first(where: { $0.name == "\(prefix)method" })?.value.text else {
            throw IntegrationError.invalidSnapshot("\(dataset.path) has no attribute '\(prefix)method'; it holds no integrator snapshot")
        }
        self.init(method: method)
        for attribute in attributes {
            if attribute.name.hasPrefix("\(prefix)scalar_"), case .float64(let v) = attribute.value, v.count == 1 {
                scalars[String(attribute.name.dropFirst(prefix.count + 7))] = v[0]
            } else if attribute.name.hasPrefix("\(prefix)integer_"), case .int64(let v) = attribute.value, v.count == 1 {
                integers[String(attribute.name.dropFirst(prefix.count + 8))] = v[0]
            }
        }
        for variable in try dataset.variables() where variable.name.hasPrefix(prefix) {
            var values = try dataset.read(Double.self, from: variable.name)
            if case .int64(let length)? = variable.attribute("actual_length"), let count = length.first {
                values = Array(values.prefix(Int(count)))
            }
            vectors[String(variable.name.dropFirst(prefix.count))] = values
        }
    }

    /// Writes the snapshot to its own file, atomically (a temporary name renamed into place).
    public func write(toFile path: String) throws {
        let dataset = try Dataset.create(path)
        defer { dataset.discard() }
        try dataset.setAttribute("Conventions", "CF-1.10")
        try dataset.setAttribute("title", .text("NeuralDynamics integrator snapshot (\(method))"))
        try write(to: dataset)
        try dataset.close()
    }

    /// Reads a snapshot file written by ``write(toFile:)``.
    public init(contentsOfFile path: String) throws {
        let dataset = try Dataset.open(path)
        defer { try? dataset.close() }
        try self.init(from: dataset)
    }
}

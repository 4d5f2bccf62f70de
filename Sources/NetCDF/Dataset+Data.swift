import CNetCDF

extension Dataset {
    // MARK: Writing

    /// Writes `values` (row-major, last dimension fastest) into the hyperslab `start`/`count`
    /// of `variable`. Without `start`/`count` it writes the whole variable; for a variable
    /// over the unlimited dimension the record count is inferred from `values.count`.
    public func write<T: NetCDFScalar>(_ values: [T], to variable: String,
                                       start: [Int]? = nil, count: [Int]? = nil) throws {
        let operation = "writing data"
        try requireWritable(operation, variable: variable)
        let varid = try variableID(variable, operation: operation)
        let info = try variableInfo(varid: varid, name: variable)
        let (start, count) = try hyperslab(info, start: start, count: count, valueCount: values.count, operation: operation)
        try enterDataMode()
        try call(operation, variable: variable) {
            values.withUnsafeBufferPointer { buffer in
                var one = T.zero
                return T.put(ncid, varid, start, count, buffer.baseAddress ?? withUnsafePointer(to: &one) { $0 })
            }
        }
    }

    /// Writes values held as a `NetCDFArray` (any supported type).
    public func write(_ values: NetCDFArray, to variable: String, start: [Int]? = nil, count: [Int]? = nil) throws {
        switch values {
        case .float32(let v): try write(v, to: variable, start: start, count: count)
        case .float64(let v): try write(v, to: variable, start: start, count: count)
        case .int32(let v): try write(v, to: variable, start: start, count: count)
        case .int64(let v): try write(v, to: variable, start: start, count: count)
        }
    }

    /// Appends `records` records along the unlimited dimension to every listed variable, all
    /// at the same record index (the dimension's current length), and returns that index.
    ///
    /// Each variable's first dimension must be the unlimited one; each array holds
    /// `records × (product of the other dimensions)` values.
    @discardableResult
    public func appendRecords(_ columns: KeyValuePairs<String, NetCDFArray>, records: Int = 1) throws -> Int {
        try appendRecords(columns.map { ($0.key, $0.value) }, records: records)
    }

    /// ``appendRecords(_:records:)`` with the columns in an array (built at run time).
    @discardableResult
    public func appendRecords(_ columns: [(String, NetCDFArray)], records: Int = 1) throws -> Int {
        let operation = "appending records"
        try requireWritable(operation)
        guard records >= 1 else {
            throw NetCDFError(path: path, operation: operation, message: "record count must be at least 1 (got \(records))")
        }
        var plans: [(name: String, values: NetCDFArray, info: VariableInfo)] = []
        for (name, values) in columns {
            let info = try variable(name)
            guard let first = info.dimensions.first, first.isUnlimited else {
                throw NetCDFError(path: path, variable: name, operation: operation,
                                  message: "its first dimension is not the unlimited (record) dimension")
            }
            let perRecord = info.dimensions.dropFirst().reduce(1) { $0 * $1.length }
            guard values.count == records * perRecord else {
                throw NetCDFError(path: path, variable: name, operation: operation,
                                  message: "expected \(records) × \(perRecord) = \(records * perRecord) values for shape \(info.dimensions.map(\.name)), got \(values.count)")
            }
            plans.append((name, values, info))
        }
        guard let firstPlan = plans.first else { return 0 }
        let index = try dimension(firstPlan.info.dimensions[0].name).length
        for plan in plans {
            let start = [index] + Array(repeating: 0, count: plan.info.dimensions.count - 1)
            let count = [records] + plan.info.dimensions.dropFirst().map(\.length)
            try write(plan.values, to: plan.name, start: start, count: count)
        }
        return index
    }

    // MARK: Reading

    /// Reads `variable` (or the hyperslab `start`/`count` of it) as `T`, row-major.
    ///
    /// libnetcdf converts from the stored type; a value that does not fit in `T` is an error.
    public func read<T: NetCDFScalar>(_ type: T.Type = T.self, from variable: String,
                                      start: [Int]? = nil, count: [Int]? = nil) throws -> [T] {
        let operation = "reading data"
        try requireOpen(operation)
        let varid = try variableID(variable, operation: operation)
        let info = try variableInfo(varid: varid, name: variable)
        guard info.dataType.isNumeric else {
            throw NetCDFError(path: path, variable: variable, operation: operation,
                              message: "it has type \(info.dataType); only numeric variables can be read as numbers")
        }
        let (start, count) = try hyperslab(info, start: start, count: count, valueCount: nil, operation: operation)
        let total = count.reduce(1, *)
        var values = [T](repeating: .zero, count: total)
        if total == 0 { return values }
        try enterDataMode()
        try call(operation, variable: variable) {
            values.withUnsafeMutableBufferPointer { T.get(ncid, varid, start, count, $0.baseAddress!) }
        }
        return values
    }

    /// Reads the whole of `variable` in the type closest to how it is stored.
    public func read(_ variable: String) throws -> NetCDFArray {
        let info = try self.variable(variable)
        switch info.dataType {
        case .float32: return .float32(try read(Float.self, from: variable))
        case .float64: return .float64(try read(Double.self, from: variable))
        case .int8, .uint8, .int16, .uint16, .int32: return .int32(try read(Int32.self, from: variable))
        case .uint32, .int64, .uint64: return .int64(try read(Int64.self, from: variable))
        case .char, .string, .other:
            throw NetCDFError(path: path, variable: variable, operation: "reading data",
                              message: "it has type \(info.dataType); only numeric variables can be read as numbers")
        }
    }

    // MARK: Hyperslabs

    private func hyperslab(_ info: VariableInfo, start: [Int]?, count: [Int]?, valueCount: Int?,
                           operation: String) throws -> ([Int], [Int]) {
        let rank = info.dimensions.count
        func fail(_ message: String) -> NetCDFError {
            NetCDFError(path: path, variable: info.name, operation: operation, message: message)
        }
        let start = start ?? Array(repeating: 0, count: rank)
        var count = count ?? info.shape
        guard start.count == rank else { throw fail("start \(start) has \(start.count) entries; the variable has \(rank) dimensions") }
        guard count.count == rank else { throw fail("count \(count) has \(count.count) entries; the variable has \(rank) dimensions") }
        if start.contains(where: { $0 < 0 }) || count.contains(where: { $0 < 0 }) {
            throw fail("start \(start) and count \(count) must not be negative")
        }
        if let valueCount, rank > 0, info.dimensions[0].isUnlimited, valueCount > 0 {
            // Writing over the record dimension: infer the record count when not given.
            let perRecord = count.dropFirst().reduce(1, *)
            if perRecord > 0, count[0] == info.dimensions[0].length, valueCount != count.reduce(1, *) {
                count[0] = valueCount / perRecord
            }
        }
        for axis in 0..<rank where !(axis == 0 && info.dimensions[0].isUnlimited && valueCount != nil) {
            if start[axis] + count[axis] > info.dimensions[axis].length {
                throw fail("start \(start) + count \(count) exceeds shape \(info.shape) along '\(info.dimensions[axis].name)'")
            }
        }
        if let valueCount, valueCount != count.reduce(1, *) {
            throw fail("got \(valueCount) values for a hyperslab of count \(count) (\(count.reduce(1, *)) values)")
        }
        return (start, count)
    }
}

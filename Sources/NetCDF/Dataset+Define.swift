import CNetCDF

extension Dataset {
    /// Defines a dimension. `length: nil` makes it the unlimited (record) dimension, usually `time`.
    ///
    /// - Parameters:
    ///   - name: a netCDF name (letters, digits, `_`; starting with a letter or `_`).
    ///   - length: the fixed length (≥ 1), or `nil` for unlimited.
    @discardableResult
    public func defineDimension(_ name: String, length: Int?) throws -> Dimension {
        let operation = "defining dimension '\(name)'"
        try requireWritable(operation)
        if let length, length < 1 {
            throw NetCDFError(path: path, operation: operation,
                              message: "length must be at least 1 (got \(length)); use nil for an unlimited dimension")
        }
        try enterDefineMode()
        var dimid: Int32 = 0
        try call(operation) { nc_def_dim(ncid, name, length ?? 0, &dimid) }
        return Dimension(name: name, length: length ?? 0, isUnlimited: length == nil)
    }

    /// Defines a variable over previously defined dimensions, with its attributes and storage.
    ///
    /// - Parameters:
    ///   - name: the variable's name; a coordinate variable has the name of its dimension.
    ///   - type: `.float32`, `.float64`, `.int32` or `.int64`.
    ///   - dimensions: dimension names, slowest varying first (CF order T, Z, Y, X).
    ///   - attributes: CF attributes (`units`, `long_name`, `standard_name`, `axis`, ...), in order.
    ///   - compression: deflate settings, or `nil` for none.
    ///   - chunkSizes: one chunk length per dimension, e.g. `[1, ny, nx]` for one time step per chunk;
    ///     `nil` lets libnetcdf choose.
    public func defineVariable(_ name: String, type: DataType, dimensions: [String],
                               attributes: KeyValuePairs<String, AttributeValue> = [:],
                               compression: Compression? = nil, chunkSizes: [Int]? = nil) throws {
        let operation = "defining the variable"
        try requireWritable(operation, variable: name)
        guard [.float32, .float64, .int32, .int64].contains(type) else {
            throw NetCDFError(path: path, variable: name, operation: operation,
                              message: "type \(type) cannot be written; use float32, float64, int32 or int64")
        }
        if let chunkSizes, chunkSizes.count != dimensions.count || chunkSizes.contains(where: { $0 < 1 }) {
            throw NetCDFError(path: path, variable: name, operation: operation,
                              message: "chunk sizes \(chunkSizes) must give one positive length per dimension \(dimensions)")
        }
        if let compression, !(1...9).contains(compression.level) {
            throw NetCDFError(path: path, variable: name, operation: operation,
                              message: "deflate level must be 1...9 (got \(compression.level))")
        }
        try enterDefineMode()
        var dimids: [Int32] = []
        for dimension in dimensions {
            var dimid: Int32 = 0
            let status = NetCDFLibrary.locked { nc_inq_dimid(ncid, dimension, &dimid) }
            if status != NC_NOERR {
                throw NetCDFError(path: path, variable: name, operation: operation, status: status,
                                  message: "dimension '\(dimension)' is not defined")
            }
            dimids.append(dimid)
        }
        var varid: Int32 = 0
        try call(operation, variable: name) {
            nc_def_var(ncid, name, type.ncType, Int32(dimids.count), dimids, &varid)
        }
        if let chunkSizes {
            try call("setting chunk sizes", variable: name) { nc_def_var_chunking(ncid, varid, NC_CHUNKED, chunkSizes) }
        }
        if let compression {
            try call("setting compression", variable: name) {
                nc_def_var_deflate(ncid, varid, compression.shuffle ? 1 : 0, 1, Int32(compression.level))
            }
        }
        for (attributeName, value) in attributes {
            try put(attributeName, value, varid: varid, variable: name)
        }
    }

    /// Sets (or replaces) an attribute of a variable, or a global attribute when `variable` is nil.
    public func setAttribute(_ name: String, _ value: AttributeValue, of variable: String? = nil) throws {
        try requireWritable("setting attribute '\(name)'", variable: variable)
        let varid = try variable.map { try variableID($0, operation: "setting attribute '\(name)'") } ?? NC_GLOBAL
        try enterDefineMode()
        try put(name, value, varid: varid, variable: variable)
    }

    private func put(_ name: String, _ value: AttributeValue, varid: Int32, variable: String?) throws {
        let operation = variable == nil ? "setting global attribute '\(name)'" : "setting attribute '\(name)'"
        switch value {
        case .text(let text):
            let characters = Array(text.utf8CString)  // NUL-terminated, so never empty
            try call(operation, variable: variable) {
                nc_put_att_text(ncid, varid, name, characters.count - 1, characters)
            }
        case .float64(let values):
            try call(operation, variable: variable) { nc_put_att_double(ncid, varid, name, NC_DOUBLE, values.count, values) }
        case .float32(let values):
            try call(operation, variable: variable) { nc_put_att_float(ncid, varid, name, NC_FLOAT, values.count, values) }
        case .int32(let values):
            try call(operation, variable: variable) { nc_put_att_int(ncid, varid, name, NC_INT, values.count, values) }
        case .int64(let values):
            try call(operation, variable: variable) { nc_put_att_longlong(ncid, varid, name, NC_INT64, values.count, values) }
        }
    }
}

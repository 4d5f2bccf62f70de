import CNetCDF

extension Dataset {
    /// All dimensions, in definition order, with their current lengths.
    public func dimensions() throws -> [Dimension] {
        try requireOpen("listing dimensions")
        var count: Int32 = 0
        try call("counting dimensions") { nc_inq_ndims(ncid, &count) }
        return try (0..<count).map { try dimension(id: $0) }
    }

    /// The dimension called `name`.
    public func dimension(_ name: String) throws -> Dimension {
        try requireOpen("reading dimension '\(name)'")
        var dimid: Int32 = 0
        let status = NetCDFLibrary.locked { nc_inq_dimid(ncid, name, &dimid) }
        if status != NC_NOERR {
            let known = (try? dimensions().map(\.name)) ?? []
            throw NetCDFError(path: path, operation: "reading dimension '\(name)'", status: status,
                              message: "no such dimension; the file has: \(known.joined(separator: ", "))")
        }
        return try dimension(id: dimid)
    }

    func dimension(id dimid: Int32) throws -> Dimension {
        var buffer = [CChar](repeating: 0, count: 257)
        var length = 0
        try call("reading a dimension") { nc_inq_dim(ncid, dimid, &buffer, &length) }
        var unlimitedCount: Int32 = 0
        try call("reading unlimited dimensions") { nc_inq_unlimdims(ncid, &unlimitedCount, nil) }
        var unlimited = [Int32](repeating: -1, count: Int(unlimitedCount))
        if unlimitedCount > 0 {
            try call("reading unlimited dimensions") { nc_inq_unlimdims(ncid, &unlimitedCount, &unlimited) }
        }
        return Dimension(name: String(nulTerminated: buffer),
                         length: length, isUnlimited: unlimited.contains(dimid))
    }

    /// Everything the file says about one variable: type, dimensions, attributes.
    public func variable(_ name: String) throws -> VariableInfo {
        let operation = "reading the variable's description"
        try requireOpen(operation)
        let varid = try variableID(name, operation: operation)
        return try variableInfo(varid: varid, name: name)
    }

    /// All variables in definition order.
    public func variables() throws -> [VariableInfo] {
        try variableNames().map { try variable($0) }
    }

    func variableInfo(varid: Int32, name: String) throws -> VariableInfo {
        let operation = "reading the variable's description"
        var type: nc_type = 0
        var rank: Int32 = 0
        try call(operation, variable: name) { nc_inq_vartype(ncid, varid, &type) }
        try call(operation, variable: name) { nc_inq_varndims(ncid, varid, &rank) }
        var dimids = [Int32](repeating: 0, count: Int(rank))
        if rank > 0 {
            try call(operation, variable: name) { nc_inq_vardimid(ncid, varid, &dimids) }
        }
        var format: Int32 = 0
        try call(operation, variable: name) { nc_inq_format(ncid, &format) }
        var chunkSizes: [Int]?
        var compression: Compression?
        if format == NC_FORMAT_NETCDF4 || format == NC_FORMAT_NETCDF4_CLASSIC, rank > 0 {
            var storage: Int32 = 0
            var chunks = [Int](repeating: 0, count: Int(rank))
            try call(operation, variable: name) { nc_inq_var_chunking(ncid, varid, &storage, &chunks) }
            if storage == NC_CHUNKED { chunkSizes = chunks }
            var shuffle: Int32 = 0, deflate: Int32 = 0, level: Int32 = 0
            try call(operation, variable: name) { nc_inq_var_deflate(ncid, varid, &shuffle, &deflate, &level) }
            if deflate != 0 { compression = Compression(level: Int(level), shuffle: shuffle != 0) }
        }
        return VariableInfo(name: name, dataType: DataType(ncType: type),
                            dimensions: try dimids.map { try dimension(id: $0) },
                            attributes: try attributes(varid: varid, variable: name),
                            chunkSizes: chunkSizes, compression: compression)
    }

    /// The attributes of `variable`, or the global attributes when `variable` is nil, in file order.
    public func attributes(of variable: String? = nil) throws -> [Attribute] {
        try requireOpen("reading attributes")
        let varid = try variable.map { try variableID($0, operation: "reading attributes") } ?? NC_GLOBAL
        return try attributes(varid: varid, variable: variable)
    }

    /// One attribute of `variable` (or a global one), or nil if it is absent.
    public func attribute(_ name: String, of variable: String? = nil) throws -> AttributeValue? {
        try attributes(of: variable).first { $0.name == name }?.value
    }

    func attributes(varid: Int32, variable: String?) throws -> [Attribute] {
        var count: Int32 = 0
        try call("counting attributes", variable: variable) { nc_inq_varnatts(ncid, varid, &count) }
        var result: [Attribute] = []
        for index in 0..<count {
            var buffer = [CChar](repeating: 0, count: 257)
            try call("reading an attribute name", variable: variable) { nc_inq_attname(ncid, varid, index, &buffer) }
            let name = String(nulTerminated: buffer)
            result.append(Attribute(name: name, value: try attributeValue(name, varid: varid, variable: variable)))
        }
        return result
    }

    private func attributeValue(_ name: String, varid: Int32, variable: String?) throws -> AttributeValue {
        let operation = "reading attribute '\(name)'"
        var type: nc_type = 0
        var length = 0
        try call(operation, variable: variable) { nc_inq_att(ncid, varid, name, &type, &length) }
        switch type {
        case NC_CHAR:
            var characters = [CChar](repeating: 0, count: length + 1)
            if length > 0 {
                try call(operation, variable: variable) { nc_get_att_text(ncid, varid, name, &characters) }
            }
            let bytes = characters.prefix(length).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            return .text(String(decoding: bytes, as: UTF8.self))
        case NC_STRING:
            var strings = [UnsafeMutablePointer<CChar>?](repeating: nil, count: length)
            try call(operation, variable: variable) { nc_get_att_string(ncid, varid, name, &strings) }
            let text = strings.map { $0.map { String(cString: $0) } ?? "" }.joined(separator: "\n")
            _ = NetCDFLibrary.locked { nc_free_string(length, &strings) }
            return .text(text)
        case NC_FLOAT:
            var values = [Float](repeating: 0, count: length)
            try call(operation, variable: variable) { nc_get_att_float(ncid, varid, name, &values) }
            return .float32(values)
        case NC_DOUBLE:
            var values = [Double](repeating: 0, count: length)
            try call(operation, variable: variable) { nc_get_att_double(ncid, varid, name, &values) }
            return .float64(values)
        case NC_BYTE, NC_UBYTE, NC_SHORT, NC_USHORT, NC_INT:
            var values = [Int32](repeating: 0, count: length)
            try call(operation, variable: variable) { nc_get_att_int(ncid, varid, name, &values) }
            return .int32(values)
        case NC_UINT, NC_INT64, NC_UINT64:
            var values = [Int64](repeating: 0, count: length)
            try call(operation, variable: variable) { nc_get_att_longlong(ncid, varid, name, &values) }
            return .int64(values)
        default:
            return .text("<attribute of unsupported type \(DataType(ncType: type))>")
        }
    }
}

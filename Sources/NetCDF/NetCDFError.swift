import CNetCDF

/// An error from reading or writing a NetCDF file.
///
/// Every libnetcdf status code that is not `NC_NOERR` becomes one of these, naming the
/// file, the variable or attribute involved (when there is one), what was being done,
/// and the library's own message.
public struct NetCDFError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file the operation was about (the final path, not the temporary one).
    public var path: String
    /// The variable (or `"global attribute 'x'"`) the operation was about, if any.
    public var variable: String?
    /// What was being done, in words: `"opening the file"`, `"writing data"`, ...
    public var operation: String
    /// The libnetcdf status code, or `nil` for errors detected by this module itself.
    public var status: Int32?
    /// The library's message (`nc_strerror`) or this module's explanation.
    public var message: String

    public init(path: String, variable: String? = nil, operation: String, status: Int32? = nil, message: String) {
        self.path = path
        self.variable = variable
        self.operation = operation
        self.status = status
        self.message = message
    }

    public var description: String {
        var text = "\(path): "
        if let variable { text += "variable '\(variable)': " }
        text += "\(operation) failed: \(message)"
        if let status { text += " (netCDF status \(status))" }
        return text
    }
}

/// The libnetcdf version string, e.g. `"4.9.0 of Jan 20 2023 ..."`.
public var netCDFLibraryVersion: String {
    NetCDFLibrary.locked { String(cString: nc_inq_libvers()) }
}

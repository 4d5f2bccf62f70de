import CNetCDF

/// A Swift number type stored in NetCDF variables: `Float`, `Double`, `Int32`, `Int64`.
///
/// The conformances route typed reads and writes to the matching `nc_put_vara_*` /
/// `nc_get_vara_*` function; libnetcdf converts between external types on the way
/// (and reports `NC_ERANGE` when a value does not fit).
public protocol NetCDFScalar: Numeric, Sendable {
    /// The external type a variable of this Swift type is created with.
    static var dataType: DataType { get }
    static func put(_ ncid: Int32, _ varid: Int32, _ start: UnsafePointer<Int>, _ count: UnsafePointer<Int>,
                    _ values: UnsafePointer<Self>) -> Int32
    static func get(_ ncid: Int32, _ varid: Int32, _ start: UnsafePointer<Int>, _ count: UnsafePointer<Int>,
                    _ values: UnsafeMutablePointer<Self>) -> Int32
}

extension Double: NetCDFScalar {
    public static var dataType: DataType { .float64 }
    public static func put(_ ncid: Int32, _ varid: Int32, _ start: UnsafePointer<Int>, _ count: UnsafePointer<Int>,
                           _ values: UnsafePointer<Double>) -> Int32 {
        nc_put_vara_double(ncid, varid, start, count, values)
    }
    public static func get(_ ncid: Int32, _ varid: Int32, _ start: UnsafePointer<Int>, _ count: UnsafePointer<Int>,
                           _ values: UnsafeMutablePointer<Double>) -> Int32 {
        nc_get_vara_double(ncid, varid, start, count, values)
    }
}

extension Float: NetCDFScalar {
    public static var dataType: DataType { .float32 }
    public static func put(_ ncid: Int32, _ varid: Int32, _ start: UnsafePointer<Int>, _ count: UnsafePointer<Int>,
                           _ values: UnsafePointer<Float>) -> Int32 {
        nc_put_vara_float(ncid, varid, start, count, values)
    }
    public static func get(_ ncid: Int32, _ varid: Int32, _ start: UnsafePointer<Int>, _ count: UnsafePointer<Int>,
                           _ values: UnsafeMutablePointer<Float>) -> Int32 {
        nc_get_vara_float(ncid, varid, start, count, values)
    }
}

extension Int32: NetCDFScalar {
    public static var dataType: DataType { .int32 }
    public static func put(_ ncid: Int32, _ varid: Int32, _ start: UnsafePointer<Int>, _ count: UnsafePointer<Int>,
                           _ values: UnsafePointer<Int32>) -> Int32 {
        nc_put_vara_int(ncid, varid, start, count, values)
    }
    public static func get(_ ncid: Int32, _ varid: Int32, _ start: UnsafePointer<Int>, _ count: UnsafePointer<Int>,
                           _ values: UnsafeMutablePointer<Int32>) -> Int32 {
        nc_get_vara_int(ncid, varid, start, count, values)
    }
}

extension Int64: NetCDFScalar {
    public static var dataType: DataType { .int64 }
    public static func put(_ ncid: Int32, _ varid: Int32, _ start: UnsafePointer<Int>, _ count: UnsafePointer<Int>,
                           _ values: UnsafePointer<Int64>) -> Int32 {
        nc_put_vara_longlong(ncid, varid, start, count, values)
    }
    public static func get(_ ncid: Int32, _ varid: Int32, _ start: UnsafePointer<Int>, _ count: UnsafePointer<Int>,
                           _ values: UnsafeMutablePointer<Int64>) -> Int32 {
        nc_get_vara_longlong(ncid, varid, start, count, values)
    }
}

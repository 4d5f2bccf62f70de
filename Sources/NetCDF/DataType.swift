import CNetCDF

/// The external type of a NetCDF variable or attribute.
///
/// `float32`, `float64`, `int32` and `int64` can be written; the others are recognised
/// when reading files made by other tools.
public enum DataType: Hashable, Sendable, CustomStringConvertible {
    case float32, float64, int32, int64
    case int8, uint8, int16, uint16, uint32, uint64, char, string
    /// A user-defined or otherwise unsupported type, by its netCDF type id.
    case other(Int32)

    /// The `nc_type` code.
    public var ncType: nc_type {
        switch self {
        case .float32: return NC_FLOAT
        case .float64: return NC_DOUBLE
        case .int32: return NC_INT
        case .int64: return NC_INT64
        case .int8: return NC_BYTE
        case .uint8: return NC_UBYTE
        case .int16: return NC_SHORT
        case .uint16: return NC_USHORT
        case .uint32: return NC_UINT
        case .uint64: return NC_UINT64
        case .char: return NC_CHAR
        case .string: return NC_STRING
        case .other(let code): return code
        }
    }

    public init(ncType: nc_type) {
        switch ncType {
        case NC_FLOAT: self = .float32
        case NC_DOUBLE: self = .float64
        case NC_INT: self = .int32
        case NC_INT64: self = .int64
        case NC_BYTE: self = .int8
        case NC_UBYTE: self = .uint8
        case NC_SHORT: self = .int16
        case NC_USHORT: self = .uint16
        case NC_UINT: self = .uint32
        case NC_UINT64: self = .uint64
        case NC_CHAR: self = .char
        case NC_STRING: self = .string
        default: self = .other(ncType)
        }
    }

    /// The CDL name (`float`, `double`, `int`, `int64`, ...), as `ncdump` prints it.
    public var description: String {
        switch self {
        case .float32: return "float"
        case .float64: return "double"
        case .int32: return "int"
        case .int64: return "int64"
        case .int8: return "byte"
        case .uint8: return "ubyte"
        case .int16: return "short"
        case .uint16: return "ushort"
        case .uint32: return "uint"
        case .uint64: return "uint64"
        case .char: return "char"
        case .string: return "string"
        case .other(let code): return "type#\(code)"
        }
    }

    /// True for the numeric types this module reads into `NetCDFArray`.
    public var isNumeric: Bool {
        switch self {
        case .char, .string, .other: return false
        default: return true
        }
    }
}

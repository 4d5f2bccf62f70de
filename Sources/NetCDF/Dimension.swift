/// A NetCDF dimension: a name and a length; the unlimited one grows as records are appended.
public struct Dimension: Hashable, Sendable {
    /// The dimension's name, e.g. `"time"`, `"y"`, `"x"`.
    public var name: String
    /// The current length (for the unlimited dimension, the number of records written so far).
    public var length: Int
    /// True for the record dimension that `appendRecords` grows.
    public var isUnlimited: Bool

    public init(name: String, length: Int, isUnlimited: Bool) {
        self.name = name
        self.length = length
        self.isUnlimited = isUnlimited
    }
}

/// What a dataset says about one of its variables.
public struct VariableInfo: Equatable, Sendable {
    /// The variable's name.
    public var name: String
    /// The external type the values are stored with.
    public var dataType: DataType
    /// The variable's dimensions, slowest varying first (CF order: T, Z, Y, X).
    public var dimensions: [Dimension]
    /// The variable's attributes in file order.
    public var attributes: [Attribute]
    /// Chunk lengths per dimension, or nil for contiguous storage (and classic files).
    public var chunkSizes: [Int]?
    /// Deflate settings, or nil when the variable is not compressed.
    public var compression: Compression?

    /// The current shape (lengths of `dimensions`).
    public var shape: [Int] { dimensions.map(\.length) }
    /// The number of values currently stored (product of `shape`).
    public var count: Int { shape.reduce(1, *) }
    /// The value of the attribute called `name`, if present.
    public func attribute(_ name: String) -> AttributeValue? {
        attributes.first { $0.name == name }?.value
    }
}

/// A named attribute of a variable or of the dataset.
public struct Attribute: Equatable, Sendable {
    public var name: String
    public var value: AttributeValue
    public init(name: String, value: AttributeValue) {
        self.name = name
        self.value = value
    }
}

/// zlib compression of a variable's chunks (NetCDF-4 only).
public struct Compression: Equatable, Sendable {
    /// Deflate level 1 (fastest) ... 9 (smallest).
    public var level: Int
    /// Byte shuffle before deflating; usually helps floating-point data.
    public var shuffle: Bool

    public init(level: Int = 4, shuffle: Bool = true) {
        self.level = level
        self.shuffle = shuffle
    }
}

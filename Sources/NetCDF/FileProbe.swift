import Foundation

/// Checks a file's bytes before libnetcdf sees them, so that empty, foreign and truncated
/// files give a clear message instead of a library diagnostic (or worse).
enum FileProbe {
    enum Format: Equatable {
        case classic      // CDF-1, CDF-2 (64-bit offset) or CDF-5
        case hdf5         // NetCDF-4
    }

    /// Returns the format, or throws a `NetCDFError` saying what is wrong with the file.
    static func check(_ path: String) throws -> Format {
        func fail(_ message: String) -> NetCDFError {
            NetCDFError(path: path, operation: "opening the file", message: message)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw fail("no such file")
        }
        if isDirectory.boolValue { throw fail("this is a directory, not a NetCDF file") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw fail("the file cannot be read (check its permissions)")
        }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        if size == 0 { throw fail("the file is empty (0 bytes); a NetCDF file starts with a header") }
        try? handle.seek(toOffset: 0)
        let head = [UInt8]((try? handle.read(upToCount: 96)) ?? Data())

        if head.count >= 4, head[0] == 0x43, head[1] == 0x44, head[2] == 0x46, [1, 2, 5].contains(head[3]) {
            if head.count < 8 { throw fail("the file is truncated (\(size) bytes): the classic header is incomplete") }
            return .classic
        }
        let hdf5Signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]
        if head.count >= 8, Array(head[0..<8]) == hdf5Signature {
            if let end = hdf5EndOfFileAddress(head), end > size {
                throw fail("the file is truncated: it has \(size) bytes but its HDF5 superblock says \(end)")
            }
            return .hdf5
        }
        let shown = head.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
        throw fail("not a NetCDF file: it does not start with the NetCDF ('CDF') or HDF5 signature (first bytes: \(shown))")
    }

    /// The end-of-file address the HDF5 superblock records (superblock versions 0-3), or nil
    /// when the superblock cannot be read from `head`.
    static func hdf5EndOfFileAddress(_ head: [UInt8]) -> UInt64? {
        guard head.count > 9 else { return nil }
        let version = head[8]
        let offsetSize: Int
        let eofPosition: Int
        switch version {
        case 0, 1:
            guard head.count > 13 else { return nil }
            offsetSize = Int(head[13])
            // signature 8, versions 5, offset size 1, length size 1, reserved 1, K values 4, flags 4
            let fixed = version == 0 ? 24 : 28
            eofPosition = fixed + 2 * offsetSize        // base address, free-space address, then EOF
        case 2, 3:
            offsetSize = Int(head[9])
            eofPosition = 12 + 2 * offsetSize           // base address, extension address, then EOF
        default:
            return nil
        }
        guard [2, 4, 8].contains(offsetSize), eofPosition + offsetSize <= head.count else { return nil }
        var value: UInt64 = 0
        for i in (0..<offsetSize).reversed() {
            value = value << 8 | UInt64(head[eofPosition + i])
        }
        return value == UInt64.max ? nil : value
    }
}

import CNetCDF
import Foundation

/// netCDF-C is not thread-safe: every `nc_*` call in this module goes through `locked`.
enum NetCDFLibrary {
    private static let lock = NSLock()

    /// Runs `body` while holding the library-wide lock. Not reentrant: `body` must not call `locked`.
    static func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        ndyn_silence_hdf5_diagnostics()
        return try body()
    }

    /// The library's message for a status code.
    static func message(for status: Int32) -> String {
        String(cString: nc_strerror(status))
    }
}

extension String {
    /// Decodes a NUL-terminated C character buffer filled in by libnetcdf.
    init(nulTerminated buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

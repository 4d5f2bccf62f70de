import CNetCDF
import Foundation

/// An open NetCDF file.
///
/// Writing is atomic: `create` and `openForAppending` work on a temporary file beside the
/// destination (`<path>.partial-<pid>-<n>`), and `close()` syncs it and renames it into place.
/// A process killed at any moment therefore leaves either the previous file or the complete
/// new one at `path`, never a half-written one. A dataset dropped without `close()` discards
/// its temporary file.
///
/// Use a dataset from one thread at a time; the libnetcdf calls themselves are serialised
/// process-wide, because netCDF-C is not thread-safe.
public final class Dataset {
    /// How the dataset was opened.
    public enum Mode: Sendable { case read, write }

    /// The file's final path.
    public let path: String
    /// `.read` for `open`, `.write` for `create` and `openForAppending`.
    public let mode: Mode
    /// Where libnetcdf is actually writing until `close()` (equal to `path` when reading).
    public let workingPath: String

    let ncid: Int32
    private(set) var isOpen = true
    private var inDefineMode: Bool

    private init(path: String, mode: Mode, workingPath: String, ncid: Int32, inDefineMode: Bool) {
        self.path = path
        self.mode = mode
        self.workingPath = workingPath
        self.ncid = ncid
        self.inDefineMode = inDefineMode
    }

    deinit {
        if isOpen {
            NetCDFLibrary.locked { _ = nc_close(ncid) }
            if mode == .write { unlink(workingPath) }
        }
    }

    // MARK: Opening

    /// Creates a new NetCDF-4 dataset that will replace `path` when closed.
    ///
    /// The directory must exist. Nothing at `path` changes until `close()` succeeds.
    public static func create(_ path: String) throws -> Dataset {
        let directory = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if !directory.isEmpty,
           !(FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw NetCDFError(path: path, operation: "creating the file",
                              message: "the directory '\(directory)' does not exist")
        }
        let temporary = temporaryPath(for: path)
        var ncid: Int32 = 0
        let status = NetCDFLibrary.locked { nc_create(temporary, NC_NETCDF4 | NC_CLOBBER, &ncid) }
        guard status == NC_NOERR else {
            throw NetCDFError(path: path, operation: "creating the file", status: status,
                              message: NetCDFLibrary.message(for: status))
        }
        return Dataset(path: path, mode: .write, workingPath: temporary, ncid: ncid, inDefineMode: true)
    }

    /// Opens an existing dataset read-only.
    ///
    /// Empty, foreign and truncated files are refused with a message saying which.
    public static func open(_ path: String) throws -> Dataset {
        _ = try FileProbe.check(path)
        var ncid: Int32 = 0
        let status = NetCDFLibrary.locked { nc_open(path, NC_NOWRITE, &ncid) }
        guard status == NC_NOERR else {
            throw NetCDFError(path: path, operation: "opening the file", status: status,
                              message: NetCDFLibrary.message(for: status) + " (the file may be corrupt or truncated)")
        }
        return Dataset(path: path, mode: .read, workingPath: path, ncid: ncid, inDefineMode: false)
    }

    /// Opens an existing dataset to add to it (more records, variables or attributes).
    ///
    /// The file is copied to a temporary name and the copy is modified; `close()` renames it
    /// over the original, so the original stays intact until then.
    public static func openForAppending(_ path: String) throws -> Dataset {
        _ = try FileProbe.check(path)
        let temporary = temporaryPath(for: path)
        do {
            try FileManager.default.copyItem(atPath: path, toPath: temporary)
        } catch {
            throw NetCDFError(path: path, operation: "copying the file for appending",
                              message: error.localizedDescription)
        }
        var ncid: Int32 = 0
        let status = NetCDFLibrary.locked { nc_open(temporary, NC_WRITE, &ncid) }
        guard status == NC_NOERR else {
            unlink(temporary)
            throw NetCDFError(path: path, operation: "opening the file for appending", status: status,
                              message: NetCDFLibrary.message(for: status) + " (the file may be corrupt or truncated)")
        }
        return Dataset(path: path, mode: .write, workingPath: temporary, ncid: ncid, inDefineMode: false)
    }

    /// Closes the dataset. For a dataset being written, flushes it, syncs it to disk and
    /// renames it into place at `path`. Calling `close()` twice is harmless.
    public func close() throws {
        guard isOpen else { return }
        isOpen = false
        let status = NetCDFLibrary.locked { nc_close(ncid) }
        guard mode == .write else {
            if status != NC_NOERR { throw error(status, "closing the file") }
            return
        }
        guard status == NC_NOERR else {
            unlink(workingPath)
            throw error(status, "closing the file (nothing was written to \(path))")
        }
        let fd = Foundation.open(workingPath, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            Foundation.close(fd)
        }
        if rename(workingPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(workingPath)
            throw NetCDFError(path: path, operation: "renaming the finished file into place", message: reason)
        }
        let directory = (path as NSString).deletingLastPathComponent
        let dirfd = Foundation.open(directory.isEmpty ? "." : directory, O_RDONLY)
        if dirfd >= 0 {
            fsync(dirfd)
            Foundation.close(dirfd)
        }
    }

    /// Abandons a dataset being written: closes it and deletes the temporary file, leaving
    /// whatever was at `path` untouched.
    public func discard() {
        guard isOpen else { return }
        isOpen = false
        NetCDFLibrary.locked { _ = nc_close(ncid) }
        if mode == .write { unlink(workingPath) }
    }

    // MARK: Shared machinery

    nonisolated(unsafe) private static var temporaryCounter = 0

    private static func temporaryPath(for path: String) -> String {
        let n = NetCDFLibrary.locked { () -> Int in
            temporaryCounter += 1
            return temporaryCounter
        }
        return "\(path).partial-\(getpid())-\(n)"
    }

    func error(_ status: Int32, _ operation: String, variable: String? = nil) -> NetCDFError {
        NetCDFError(path: path, variable: variable, operation: operation, status: status,
                    message: NetCDFLibrary.message(for: status))
    }

    /// Runs a libnetcdf call under the library lock and throws if it failed.
    func call(_ operation: String, variable: String? = nil, _ body: () -> Int32) throws {
        let status = NetCDFLibrary.locked(body)
        if status != NC_NOERR { throw error(status, operation, variable: variable) }
    }

    func requireOpen(_ operation: String) throws {
        guard isOpen else {
            throw NetCDFError(path: path, operation: operation, message: "the dataset is already closed")
        }
    }

    func requireWritable(_ operation: String, variable: String? = nil) throws {
        try requireOpen(operation)
        guard mode == .write else {
            throw NetCDFError(path: path, variable: variable, operation: operation,
                              message: "the dataset was opened read-only; use Dataset.openForAppending to change it")
        }
    }

    /// Switches to define mode if needed (NetCDF-4 files switch by themselves; classic ones do not).
    func enterDefineMode() throws {
        guard !inDefineMode else { return }
        try call("entering define mode") { nc_redef(ncid) }
        inDefineMode = true
    }

    /// Switches to data mode if needed.
    func enterDataMode() throws {
        guard inDefineMode else { return }
        try call("leaving define mode") { nc_enddef(ncid) }
        inDefineMode = false
    }

    /// The variable id of `name`, or a "no such variable" error listing what exists.
    func variableID(_ name: String, operation: String) throws -> Int32 {
        var varid: Int32 = 0
        let status = NetCDFLibrary.locked { nc_inq_varid(ncid, name, &varid) }
        if status == NC_ENOTVAR {
            let known = (try? variableNames()) ?? []
            throw NetCDFError(path: path, variable: name, operation: operation, status: status,
                              message: "no such variable; the file has: \(known.joined(separator: ", "))")
        }
        if status != NC_NOERR { throw error(status, operation, variable: name) }
        return varid
    }

    /// Names of all variables, in definition order.
    public func variableNames() throws -> [String] {
        try requireOpen("listing variables")
        var count: Int32 = 0
        try call("counting variables") { nc_inq_nvars(ncid, &count) }
        var names: [String] = []
        for varid in 0..<count {
            names.append(try name(ofVariable: varid))
        }
        return names
    }

    func name(ofVariable varid: Int32) throws -> String {
        var buffer = [CChar](repeating: 0, count: 257)
        try call("reading a variable name") { nc_inq_varname(ncid, varid, &buffer) }
        return String(nulTerminated: buffer)
    }
}

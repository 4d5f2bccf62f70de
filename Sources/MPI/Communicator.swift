import CMPI
import Foundation

/// A group of cooperating processes (MPI ranks) that can combine numbers: what ensembles and
/// data-parallel training need from MPI.
///
/// ``world`` is every process `mpirun` started, or — when the program was not started by an MPI
/// launcher — a single rank with no MPI calls at all, so everything also works without MPI.
/// Collective calls must be made by every rank in the same order, as in MPI.
public final class Communicator: @unchecked Sendable {
    // @unchecked: an MPI communicator handle is an opaque C pointer; every call on it is made
    // from the thread that initialised MPI (MPI_THREAD_FUNNELED), which is the program's main
    // thread in ndyn.

    /// This process's rank, `0 ..< size`.
    public let rank: Int
    /// Number of ranks.
    public let size: Int
    private let handle: MPI_Comm?

    private init(rank: Int, size: Int, handle: MPI_Comm?) {
        self.rank = rank
        self.size = size
        self.handle = handle
    }

    /// A communicator of one rank (no MPI involved).
    public static let single = Communicator(rank: 0, size: 1, handle: nil)

    /// Every rank of the job: initialises MPI on first use when the process was started by an
    /// MPI launcher (``MPIEnvironment/isLaunched``), otherwise ``single``.
    public static var world: Communicator { MPIEnvironment.world }

    /// True for rank 0, the rank that writes shared outputs.
    public var isRoot: Bool { rank == 0 }

    /// Replaces `values` on every rank by their elementwise sum over all ranks.
    public func sumInPlace(_ values: inout [Double]) throws {
        guard let handle, size > 1, !values.isEmpty else { return }
        let count = Int32(values.count)
        let status = values.withUnsafeMutableBufferPointer { buffer in
            MPI_Allreduce(ndyn_mpi_in_place(), buffer.baseAddress, count, ndyn_mpi_double(), ndyn_mpi_sum(), handle)
        }
        try check(status, "MPI_Allreduce (sum of \(values.count) doubles)")
    }

    /// The sum of `value` over all ranks.
    public func sum(_ value: Double) throws -> Double {
        var values = [value]
        try sumInPlace(&values)
        return values[0]
    }

    /// The largest `value` over all ranks.
    public func maximum(_ value: Int64) throws -> Int64 {
        guard let handle, size > 1 else { return value }
        var input = value, output: Int64 = 0
        try check(MPI_Allreduce(&input, &output, 1, ndyn_mpi_int64(), ndyn_mpi_max(), handle), "MPI_Allreduce (max)")
        return output
    }

    /// Waits until every rank has called it.
    public func barrier() throws {
        guard let handle, size > 1 else { return }
        try check(MPI_Barrier(handle), "MPI_Barrier")
    }

    /// Rank `root`'s `values` on every rank (all ranks pass arrays of the same count).
    public func broadcast(_ values: inout [Double], from root: Int = 0) throws {
        guard let handle, size > 1, !values.isEmpty else { return }
        let count = Int32(values.count)
        let status = values.withUnsafeMutableBufferPointer { buffer in
            MPI_Bcast(buffer.baseAddress, count, ndyn_mpi_double(), Int32(root), handle)
        }
        try check(status, "MPI_Bcast")
    }

    private func check(_ status: Int32, _ operation: String) throws {
        guard status != ndyn_mpi_success() else { return }
        throw MPIError(message: "\(operation) failed on rank \(rank) of \(size) with MPI error code \(status)")
    }

    static func makeWorld() -> Communicator {
        var provided: Int32 = 0
        guard MPI_Init_thread(nil, nil, ndyn_mpi_thread_funneled(), &provided) == ndyn_mpi_success() else {
            FileHandle.standardError.write(Data("warning: MPI_Init failed; continuing as a single rank\n".utf8))
            return .single
        }
        var rank: Int32 = 0, size: Int32 = 1
        MPI_Comm_rank(ndyn_mpi_comm_world(), &rank)
        MPI_Comm_size(ndyn_mpi_comm_world(), &size)
        return Communicator(rank: Int(rank), size: Int(size), handle: ndyn_mpi_comm_world())
    }
}

/// An MPI call that failed.
public struct MPIError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

import CMPI
import Foundation

/// Whether this process runs under an MPI launcher, and the job-wide MPI state.
public enum MPIEnvironment {
    /// Variables an MPI launcher (Open MPI's `mpirun`, PMIx, MPICH's Hydra, Slurm's `srun
    /// --mpi`) sets in every rank's environment.
    public static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"]

    /// True when an MPI launcher started this process, so `MPI_Init` is worth calling. Without
    /// one, the program runs as a single rank and never touches MPI (no singleton start-up).
    public static var isLaunched: Bool {
        let environment = ProcessInfo.processInfo.environment
        return launcherVariables.contains { environment[$0] != nil }
    }

    /// The world communicator, made (and MPI initialised) on first use.
    static let world: Communicator = isLaunched ? Communicator.makeWorld() : .single

    /// Ends MPI if it was started; call once before the program exits (later MPI calls fail).
    public static func finalize() {
        var initialized: Int32 = 0, finalized: Int32 = 0
        MPI_Initialized(&initialized)
        MPI_Finalized(&finalized)
        if initialized != 0 && finalized == 0 { MPI_Finalize() }
    }
}

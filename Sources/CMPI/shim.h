#pragma once
#include <mpi.h>

// Open MPI's handles (MPI_COMM_WORLD, MPI_DOUBLE, MPI_SUM, ...) are macros over the addresses
// of global objects, which Swift cannot import. These getters return them as values.
static inline MPI_Comm ndyn_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype ndyn_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype ndyn_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype ndyn_mpi_char(void) { return MPI_CHAR; }
static inline void *ndyn_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Op ndyn_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op ndyn_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op ndyn_mpi_min(void) { return MPI_MIN; }
static inline int ndyn_mpi_success(void) { return MPI_SUCCESS; }
static inline int ndyn_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }

#pragma once
#include <netcdf.h>
#include <hdf5.h>

/// HDF5 keeps its error-printing switch per thread; libnetcdf turns printing off only on the
/// thread that first initialised it. Calling this before each netCDF call keeps HDF5's
/// diagnostic stacks (expected misses that libnetcdf handles itself) off stderr on every thread.
static inline void ndyn_silence_hdf5_diagnostics(void) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

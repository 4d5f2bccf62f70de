#pragma once
// SuiteSparse's KLU sparse LU (Debian: libsuitesparse-dev; no pkg-config file, headers under
// /usr/include/suitesparse). The stiff solvers' sparse iteration matrix uses it.
#include <suitesparse/klu.h>

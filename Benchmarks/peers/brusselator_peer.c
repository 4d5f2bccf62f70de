/*
 * brusselator_peer.c -- SUNDIALS peer for the 2-D Brusselator benchmark.
 *
 * Problem (the SciMLBenchmarks "Brusselator 2D" setup): an N x N periodic grid
 * on [0,1]^2 with xyd = linspace(0, 1, N), dx = 1/(N-1), A = 3.4, B = 1,
 * alpha = 10/dx^2.  The state is interleaved per grid point: u at (i,j) is
 * y[2*(i + N*j)], v is the next entry (i is the x index, j the y index).
 *
 *   du/dt = alpha*lap(u) + B + u^2 v - (A+1) u + f(x_i, y_j, t)
 *   dv/dt = alpha*lap(v) + A u - u^2 v
 *
 * lap is the 5-point Laplacian (without the 1/dx^2, which sits in alpha) with
 * periodic neighbours i+-1, j+-1 (mod N).  f = 5 inside the disk
 * (x-0.3)^2 + (y-0.6)^2 <= 0.01 once t >= 1.1, else 0.  The switch-on at
 * t = 1.1 is left to the step-size control, as in the SciML benchmark (no stop
 * or re-initialisation there).  Initial state: u = 22 (y(1-y))^1.5,
 * v = 27 (x(1-x))^1.5.  Span [0, 11.5].  Timed runs: rtol = atol = 1e-6.
 *
 * Methods (one JSONL line each per grid size):
 *   cvode-band           CVODE BDF, Newton, SUNBandMatrix + SUNLinSol_Band with
 *                        half-bandwidths mu = ml = 2N, CVODE's difference-quotient
 *                        band Jacobian.  The periodic wrap in y couples entries
 *                        2N(N-1) apart, outside the band, so the Newton matrix is
 *                        only an approximation -- a poor one here, see solve().
 *   cvode-band-analyticJ (only with --methods) the same band solver with the
 *                        in-band part of the analytic Jacobian instead of DQ.
 *   cvode-spgmr          CVODE BDF, Newton, SUNLinSol_SPGMR, no preconditioner,
 *                        DQ Jacobian-vector products.
 *   cvode-spgmr-bandpre  the same with left preconditioning by CVODE's band
 *                        preconditioner (CVBandPrecInit, mu = ml = 2: the u-v
 *                        coupling and the x neighbours).
 *   cvode-klu            CVODE BDF, Newton, SUNSparseMatrix (CSC) filled with the
 *                        exact analytic Jacobian, SUNLinSol_KLU.  Built only when
 *                        the Makefile finds sunlinsol_klu.h (HAVE_KLU); otherwise
 *                        a line with "skipped" is printed.
 *   arkstep-imex-ark436  ARKODE ARKStep IMEX with ARK4(3)6L[2]SA (ARKODE's
 *                        default 4th-order ImEx pair, set explicitly): the
 *                        diffusion alpha*lap is implicit and declared linear
 *                        (ARKStepSetLinear), reaction + forcing are explicit;
 *                        SUNLinSol_SPGMR without preconditioner.
 *   cvode-spgmr-fft      CVODE BDF, Newton, SUNLinSol_SPGMR with left
 *                        preconditioning by P = I - gamma*alpha*lap, the
 *                        diffusion part of CVODE's Newton matrix M = I - gamma*J,
 *                        solved exactly by FFT (see fft_psolve); DQ J*v.
 *   arkstep-imex-ark436-fft  the arkstep-imex-ark436 setup with the same FFT
 *                        preconditioner (left).  There M = I - gamma*J_I with
 *                        J_I = alpha*lap exactly, so P = M.
 *   The two FFT methods need FFTW 3 (the Makefile adds -DHAVE_FFTW -lfftw3 when
 *   fftw3.h exists; otherwise they print a line with "skipped").  Their Krylov
 *   dimension defaults to 50 (--maxl sets it for every SPGMR method).
 *
 * Default method list (no --methods): cvode-band, cvode-spgmr, cvode-klu,
 * arkstep-imex-ark436, cvode-spgmr-fft, arkstep-imex-ark436-fft.
 * cvode-band-analyticJ and cvode-spgmr-bandpre run only when named (the latter
 * returned a wrong answer as a success at N = 32, see README.md).
 *
 * Reference: per N, CVODE BDF + KLU (band if KLU is missing) at rtol = atol =
 * 1e-10, cached as a binary file in the reference directory so that later runs
 * reuse it.  Its cost is printed on stderr.  "error" is the weighted RMS norm
 * sqrt(mean(((y - yref) / (1e-6 + 1e-6 |yref|))^2)) -- the norm the timed
 * tolerances ask for, so about 1 means "as accurate as requested" -- and
 * "error_max_abs" is max |y - yref|.
 *
 * Usage: brusselator_peer [32,64,128] [--quick] [--repeats R] [--max-seconds S]
 *                         [--cap S] [--methods a,b,...] [--maxl L]
 *                         [--klu-ordering 0|1|2] [--reference-dir DIR]
 *                         [--check-reference]
 *   N list            grid sizes (default 32,64,128)
 *   --quick           one repetition per method
 *   --repeats R       at least R repetitions (default 5) and at least 0.3 s in
 *                     total, but no new repetition once a method has used S
 *                     seconds (--max-seconds, default 60)
 *   --cap S           wall-clock cap for one solve (default 60 s).  A solve that
 *                     has not reached t = 11.5 by then is abandoned, and its
 *                     line says "completed": false with the t it reached.
 *   --methods         comma-separated subset of the method names above
 *   --maxl L          Krylov subspace size for all SPGMR solvers (default: 5,
 *                     SUNDIALS' default, for cvode-spgmr, cvode-spgmr-bandpre and
 *                     arkstep-imex-ark436; 50 for the two -fft methods)
 *   --klu-ordering K  KLU fill-reducing ordering: 0 AMD (default here),
 *                     1 COLAMD (SUNDIALS' default), 2 natural
 *   --reference-dir   where the reference files live (default: the
 *                     BRUSSELATOR_REFERENCE_DIR environment variable, else ".")
 *   --check-reference also solve each N with the reference method at
 *                     rtol = atol = 1e-12 and with ARKStep at 1e-10 (subject to
 *                     --cap) and print, on stderr, how far they are from the
 *                     reference
 *
 * Output: one JSON object per line on stdout (fields in README.md).
 * Build: see Makefile (make brusselator_peer).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <arkode/arkode_arkstep.h>
#include <cvode/cvode.h>
#include <cvode/cvode_bandpre.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_config.h>
#include <sundials/sundials_types.h>
#include <sunlinsol/sunlinsol_band.h>
#include <sunlinsol/sunlinsol_spgmr.h>
#include <sunmatrix/sunmatrix_band.h>
#ifdef HAVE_KLU
#include <sunlinsol/sunlinsol_klu.h>
#include <sunmatrix/sunmatrix_sparse.h>
#endif
#ifdef HAVE_FFTW
#include <fftw3.h>
#endif

#define T_END 11.5
#define TIMED_RTOL 1e-6
#define TIMED_ATOL 1e-6
#define REF_TOL 1e-10
#define FORCING_T_ON 1.1
#define FORCING_VALUE 5.0

/* ------------------------------------------------------------------ */
/* The problem                                                          */
/* ------------------------------------------------------------------ */

typedef struct {
  int N;               /* grid points per direction */
  sunindextype neq;    /* 2 N^2 unknowns */
  double A, B, alpha;  /* alpha = 10 / dx^2 */
  double *xyd;         /* linspace(0, 1, N) */
  unsigned char *disk; /* disk[i + N*j] = 1 where the forcing acts */
#ifdef HAVE_FFTW
  /* FFT diffusion preconditioner (planned once per N in bruss_init) */
  double *fft_field;        /* one species as an N x N field, [j][i] row-major */
  fftw_complex *fft_coef;   /* its r2c transform, N x (N/2+1) */
  double *fft_lap;          /* eigenvalues of lap at (ky, kx), N x (N/2+1) */
  fftw_plan fft_forward, fft_backward;
#endif
  double prec_gamma;        /* gamma from the last psetup (psolve uses its own) */
} bruss_t;

static void bruss_init(bruss_t *p, int N)
{
  p->N = N;
  p->neq = 2 * (sunindextype)N * N;
  p->A = 3.4;
  p->B = 1.0;
  const double dx = 1.0 / (double)(N - 1);
  p->alpha = 10.0 / (dx * dx);
  p->xyd = malloc(sizeof(double) * (size_t)N);
  p->disk = malloc((size_t)N * (size_t)N);
  for (int i = 0; i < N; i++) p->xyd[i] = (double)i / (double)(N - 1);
  p->xyd[N - 1] = 1.0;
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++) {
      double x = p->xyd[i] - 0.3, y = p->xyd[j] - 0.6;
      p->disk[i + N * j] = (x * x + y * y <= 0.01);
    }
  p->prec_gamma = 0.0;
#ifdef HAVE_FFTW
  const int nk = N / 2 + 1;
  p->fft_field = fftw_malloc(sizeof(double) * (size_t)N * (size_t)N);
  p->fft_coef = fftw_malloc(sizeof(fftw_complex) * (size_t)N * (size_t)nk);
  p->fft_lap = malloc(sizeof(double) * (size_t)N * (size_t)nk);
  if (!p->fft_field || !p->fft_coef || !p->fft_lap) {
    fprintf(stderr, "brusselator_peer: out of memory (FFT buffers)\n");
    exit(2);
  }
  /* FFTW's 2-D arrays are row-major: the field index i + N*j is [j][i], so n0
   * runs over y (j, ky) and n1 over x (i, kx); r2c keeps kx = 0 .. N/2. */
  p->fft_forward = fftw_plan_dft_r2c_2d(N, N, p->fft_field, p->fft_coef, FFTW_ESTIMATE);
  p->fft_backward = fftw_plan_dft_c2r_2d(N, N, p->fft_coef, p->fft_field, FFTW_ESTIMATE);
  if (!p->fft_forward || !p->fft_backward) {
    fprintf(stderr, "brusselator_peer: FFTW planning failed\n");
    exit(2);
  }
  const double two_pi = 6.283185307179586476925286766559;
  for (int ky = 0; ky < N; ky++)
    for (int kx = 0; kx < nk; kx++)
      p->fft_lap[kx + (size_t)nk * ky] =
        2.0 * cos(two_pi * kx / N) + 2.0 * cos(two_pi * ky / N) - 4.0;
#endif
}

static void bruss_free(bruss_t *p)
{
  free(p->xyd);
  free(p->disk);
#ifdef HAVE_FFTW
  fftw_destroy_plan(p->fft_forward);
  fftw_destroy_plan(p->fft_backward);
  fftw_free(p->fft_field);
  fftw_free(p->fft_coef);
  free(p->fft_lap);
#endif
}

static void bruss_y0(const bruss_t *p, N_Vector yv)
{
  double *y = N_VGetArrayPointer(yv);
  const int N = p->N;
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++) {
      double x = p->xyd[i], yy = p->xyd[j];
      sunindextype k = 2 * ((sunindextype)i + (sunindextype)N * j);
      y[k] = 22.0 * pow(yy * (1.0 - yy), 1.5);
      y[k + 1] = 27.0 * pow(x * (1.0 - x), 1.5);
    }
}

/* Which parts of the right-hand side to evaluate: the full RHS for CVODE, the
 * diffusion alone (implicit) and the reaction + forcing (explicit) for the
 * ARKStep IMEX split. */
enum { PART_DIFFUSION = 1, PART_REACTION = 2, PART_ALL = 3 };

static void bruss_eval(const bruss_t *p, double t, const double *y, double *f, int parts)
{
  const int N = p->N;
  const double alpha = p->alpha, A = p->A, B = p->B;
  const double forcing = (t >= FORCING_T_ON) ? FORCING_VALUE : 0.0;
  for (int j = 0; j < N; j++) {
    const sunindextype row = (sunindextype)N * j;
    const sunindextype rowm = (sunindextype)N * (j == 0 ? N - 1 : j - 1);
    const sunindextype rowp = (sunindextype)N * (j == N - 1 ? 0 : j + 1);
    for (int i = 0; i < N; i++) {
      const int im = (i == 0) ? N - 1 : i - 1, ip = (i == N - 1) ? 0 : i + 1;
      const sunindextype k = 2 * (i + row);
      double du = 0.0, dv = 0.0;
      if (parts & PART_DIFFUSION) {
        const sunindextype kw = 2 * (im + row), ke = 2 * (ip + row);
        const sunindextype ks = 2 * (i + rowm), kn = 2 * (i + rowp);
        du = alpha * (y[kw] + y[ke] + y[kn] + y[ks] - 4.0 * y[k]);
        dv = alpha * (y[kw + 1] + y[ke + 1] + y[kn + 1] + y[ks + 1] - 4.0 * y[k + 1]);
      }
      if (parts & PART_REACTION) {
        const double u = y[k], v = y[k + 1], uuv = u * u * v;
        du += B + uuv - (A + 1.0) * u + (p->disk[i + row] ? forcing : 0.0);
        dv += A * u - uuv;
      }
      f[k] = du;
      f[k + 1] = dv;
    }
  }
}

static int rhs_full(realtype t, N_Vector y, N_Vector f, void *ud)
{
  bruss_eval(ud, t, N_VGetArrayPointer(y), N_VGetArrayPointer(f), PART_ALL);
  return 0;
}

static int rhs_diffusion(realtype t, N_Vector y, N_Vector f, void *ud)
{
  bruss_eval(ud, t, N_VGetArrayPointer(y), N_VGetArrayPointer(f), PART_DIFFUSION);
  return 0;
}

static int rhs_reaction(realtype t, N_Vector y, N_Vector f, void *ud)
{
  bruss_eval(ud, t, N_VGetArrayPointer(y), N_VGetArrayPointer(f), PART_REACTION);
  return 0;
}

/* ------------------------------------------------------------------ */
/* Analytic Jacobian                                                    */
/* ------------------------------------------------------------------ */

/* The nonzeros of column `col` of df/dy, sorted by row: six per column (N >= 3
 * makes the four neighbours distinct).  Column u_q has d(du_q)/du_q,
 * d(dv_q)/du_q and alpha in the u rows of the four neighbours; column v_q has
 * d(du_q)/dv_q = u^2, d(dv_q)/dv_q and alpha in the v rows of the neighbours.
 * Returns the count (6). */
static int jac_entries(const bruss_t *p, const double *y, sunindextype col, sunindextype *rows,
                       double *vals)
{
  const int N = p->N;
  const sunindextype q = col / 2;
  const int comp = (int)(col % 2); /* 0: u column, 1: v column */
  const int i = (int)(q % N), j = (int)(q / N);
  const int im = (i == 0) ? N - 1 : i - 1, ip = (i == N - 1) ? 0 : i + 1;
  const int jm = (j == 0) ? N - 1 : j - 1, jp = (j == N - 1) ? 0 : j + 1;
  const double u = y[2 * q], v = y[2 * q + 1], a = p->alpha;
  int n = 0;
  /* neighbours: same component as the column */
  const sunindextype nb[4] = {im + (sunindextype)N * j, ip + (sunindextype)N * j,
                              i + (sunindextype)N * jm, i + (sunindextype)N * jp};
  for (int k = 0; k < 4; k++) { rows[n] = 2 * nb[k] + comp; vals[n] = a; n++; }
  if (comp == 0) {
    rows[n] = 2 * q;     vals[n] = -4.0 * a + 2.0 * u * v - (p->A + 1.0); n++;
    rows[n] = 2 * q + 1; vals[n] = p->A - 2.0 * u * v; n++;
  } else {
    rows[n] = 2 * q;     vals[n] = u * u; n++;
    rows[n] = 2 * q + 1; vals[n] = -4.0 * a - u * u; n++;
  }
  /* insertion sort by row (six entries) */
  for (int s = 1; s < n; s++) {
    sunindextype r = rows[s];
    double w = vals[s];
    int t = s - 1;
    while (t >= 0 && rows[t] > r) { rows[t + 1] = rows[t]; vals[t + 1] = vals[t]; t--; }
    rows[t + 1] = r;
    vals[t + 1] = w;
  }
  return n;
}

/* In-band part of the analytic Jacobian (for cvode-band-analyticJ): the y-wrap
 * entries, 2N(N-1) away from the diagonal, are dropped. */
static int jac_band(realtype t, N_Vector yv, N_Vector fy, SUNMatrix J, void *ud, N_Vector t1,
                    N_Vector t2, N_Vector t3)
{
  (void)t; (void)fy; (void)t1; (void)t2; (void)t3;
  const bruss_t *p = ud;
  const double *y = N_VGetArrayPointer(yv);
  const sunindextype mu = SM_UBAND_B(J), ml = SM_LBAND_B(J);
  SUNMatZero(J);
  sunindextype rows[6];
  double vals[6];
  for (sunindextype c = 0; c < p->neq; c++) {
    int n = jac_entries(p, y, c, rows, vals);
    realtype *colj = SUNBandMatrix_Column(J, c);
    for (int k = 0; k < n; k++)
      if (rows[k] - c <= ml && c - rows[k] <= mu) SM_COLUMN_ELEMENT_B(colj, rows[k], c) = vals[k];
  }
  return 0;
}

#ifdef HAVE_KLU
/* Exact Jacobian in compressed-sparse-column form, 6 nonzeros per column.
 * The pattern is rewritten on every call (cheap), so it stays correct whatever
 * CVODE did with the matrix in between. */
static int jac_sparse(realtype t, N_Vector yv, N_Vector fy, SUNMatrix J, void *ud, N_Vector t1,
                      N_Vector t2, N_Vector t3)
{
  (void)t; (void)fy; (void)t1; (void)t2; (void)t3;
  const bruss_t *p = ud;
  const double *y = N_VGetArrayPointer(yv);
  sunindextype *colptrs = SUNSparseMatrix_IndexPointers(J);
  sunindextype *rowvals = SUNSparseMatrix_IndexValues(J);
  realtype *data = SUNSparseMatrix_Data(J);
  if (SUNSparseMatrix_NNZ(J) < 6 * p->neq) return -1; /* cannot happen: allocated so */
  sunindextype nz = 0;
  for (sunindextype c = 0; c < p->neq; c++) {
    colptrs[c] = nz;
    nz += jac_entries(p, y, c, rowvals + nz, data + nz);
  }
  colptrs[p->neq] = nz;
  return 0;
}
#endif

/* ------------------------------------------------------------------ */
/* FFT diffusion preconditioner                                         */
/* ------------------------------------------------------------------ */

/* P = I - gamma*alpha*lap, applied to u and v separately.  lap is the periodic
 * 5-point stencil, diagonalised by the 2-D DFT with eigenvalues
 * 2cos(2 pi kx/N) + 2cos(2 pi ky/N) - 4 <= 0, so P's eigenvalues are >= 1 and
 * P^-1 r is exact up to rounding.  For CVODE, P is the diffusion part of the
 * Newton matrix M = I - gamma*J (the reaction Jacobian is left out); for the
 * ARKStep IMEX split the implicit part is the diffusion alone, so P = M.
 * The same callbacks serve both: CVLsPrec*Fn and ARKLsPrec*Fn have the same
 * signatures in SUNDIALS 6.4.1. */
static int fft_psetup(realtype t, N_Vector y, N_Vector fy, booleantype jok,
                      booleantype *jcurPtr, realtype gamma, void *ud)
{
  (void)t; (void)y; (void)fy; (void)jok;
  bruss_t *p = ud;
  p->prec_gamma = gamma; /* nothing to evaluate: P depends on gamma only */
  *jcurPtr = SUNFALSE;
  return 0;
}

static int fft_psolve(realtype t, N_Vector y, N_Vector fy, N_Vector rv, N_Vector zv,
                      realtype gamma, realtype delta, int lr, void *ud)
{
  (void)t; (void)y; (void)fy; (void)delta; (void)lr;
#ifdef HAVE_FFTW
  bruss_t *p = ud;
  const int N = p->N, nk = N / 2 + 1;
  const size_t nn = (size_t)N * (size_t)N, nc = (size_t)N * (size_t)nk;
  const double *r = N_VGetArrayPointer(rv);
  double *z = N_VGetArrayPointer(zv);
  const double ga = gamma * p->alpha, scale = 1.0 / (double)nn;
  double *field = p->fft_field;
  fftw_complex *coef = p->fft_coef;
  for (int s = 0; s < 2; s++) { /* s = 0: u, s = 1: v */
    for (size_t q = 0; q < nn; q++) field[q] = r[2 * q + s];
    fftw_execute(p->fft_forward);
    for (size_t k = 0; k < nc; k++) {
      const double d = scale / (1.0 - ga * p->fft_lap[k]);
      coef[k][0] *= d;
      coef[k][1] *= d;
    }
    fftw_execute(p->fft_backward); /* c2r overwrites coef; it is rebuilt next time */
    for (size_t q = 0; q < nn; q++) z[2 * q + s] = field[q];
  }
  return 0;
#else
  (void)rv; (void)zv; (void)gamma; (void)ud;
  return -1; /* not reached: the -fft methods are skipped without FFTW */
#endif
}

/* ------------------------------------------------------------------ */
/* Solvers                                                              */
/* ------------------------------------------------------------------ */

enum method_id {
  M_CVODE_BAND,
  M_CVODE_BAND_AJ,
  M_CVODE_SPGMR,
  M_CVODE_SPGMR_BANDPRE,
  M_CVODE_KLU,
  M_ARKSTEP_IMEX,
  M_CVODE_SPGMR_FFT,  /* appended: method numbers are stored in reference files */
  M_ARKSTEP_IMEX_FFT,
  M_COUNT
};

static const char *method_names[M_COUNT] = {
  "cvode-band", "cvode-band-analyticJ", "cvode-spgmr", "cvode-spgmr-bandpre", "cvode-klu",
  "arkstep-imex-ark436", "cvode-spgmr-fft", "arkstep-imex-ark436-fft"};
/* run by default: everything except the analytic band variant and the band
 * preconditioner (which returned a wrong answer as a success at N = 32) */
static const int method_default[M_COUNT] = {1, 0, 1, 0, 1, 1, 1, 1};

static const char *method_descriptions[M_COUNT] = {
  "CVODE BDF, Newton, SUNLinSol_Band mu=ml=2N, DQ band Jacobian (y-wrap outside the band)",
  "CVODE BDF, Newton, SUNLinSol_Band mu=ml=2N, analytic in-band Jacobian (y-wrap dropped)",
  "CVODE BDF, Newton, SUNLinSol_SPGMR, no preconditioner, DQ J*v",
  "CVODE BDF, Newton, SUNLinSol_SPGMR, left CVBandPrec mu=ml=2, DQ J*v",
  "CVODE BDF, Newton, SUNSparseMatrix CSC + SUNLinSol_KLU, exact analytic Jacobian",
  "ARKStep ImEx ARK4(3)6L[2]SA: diffusion implicit (linear, SPGMR, no preconditioner), "
  "reaction + forcing explicit",
  "CVODE BDF, Newton, SUNLinSol_SPGMR, left preconditioner I - gamma*alpha*lap solved exactly "
  "by FFTW, DQ J*v",
  "ARKStep ImEx ARK4(3)6L[2]SA: diffusion implicit (linear, SPGMR, left preconditioner "
  "I - gamma*alpha*lap solved exactly by FFTW), reaction + forcing explicit"};

static const char *method_package[M_COUNT] = {"CVODE", "CVODE", "CVODE", "CVODE", "CVODE",
                                              "ARKODE-ARKStep", "CVODE", "ARKODE-ARKStep"};

/* the methods that use SUNLinSol_SPGMR (their output carries "maxl") */
static int method_is_krylov(int m)
{
  return m == M_CVODE_SPGMR || m == M_CVODE_SPGMR_BANDPRE || m == M_ARKSTEP_IMEX ||
         m == M_CVODE_SPGMR_FFT || m == M_ARKSTEP_IMEX_FFT;
}

static int method_is_fft(int m) { return m == M_CVODE_SPGMR_FFT || m == M_ARKSTEP_IMEX_FFT; }

typedef struct {
  long steps, attempts, rejected;
  long nfe;          /* every RHS evaluation, including DQ Jacobians/preconditioners */
  long nfe_explicit; /* ARKStep: explicit-part evaluations; -1 otherwise */
  long nfe_implicit; /* ARKStep: implicit-part evaluations; -1 otherwise */
  long nje;          /* Jacobian evaluations (direct solvers); -1 if none */
  long nni, ncfn, nsetups;
  long nli, nlcf, npe, nps, njv; /* Krylov: linear iterations, failures, prec, J*v; -1 if none */
  int completed;     /* 0 if the wall-clock cap stopped the solve before T_END */
  double t_reached;
} stats_t;

typedef struct {
  SUNContext ctx;
  int maxl;         /* SPGMR Krylov dimension, unpreconditioned/band-preconditioned */
  int maxl_fft;     /* the same for the two FFT-preconditioned methods */
  int klu_ordering; /* 0 AMD, 1 COLAMD (SUNDIALS' default), 2 natural */
} config_t;

static int method_maxl(const config_t *cfg, int m)
{
  return method_is_fft(m) ? cfg->maxl_fft : cfg->maxl;
}

static double now_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what, int flag)
{
  fprintf(stderr, "brusselator_peer: %s failed (flag %d)\n", what, flag);
  exit(2);
}

#define CHECK(call)                      \
  do {                                   \
    int flag_ = (call);                  \
    if (flag_ < 0) die(#call, flag_);    \
  } while (0)

/* One complete solve from y0 (in y on entry) to T_END (in y on return):
 * create, configure, integrate and free everything, so the timing includes the
 * setup, as in sundials_peer.c.  The integration runs in ONE_STEP mode with the
 * stop time at T_END (the same steps as NORMAL mode), so that a solve that is
 * still running after cap_seconds can be abandoned: it then returns with
 * completed = 0 and t_reached < T_END. */
static stats_t solve(int method, bruss_t *p, const config_t *cfg, N_Vector y, double rtol,
                     double atol, double cap_seconds)
{
  const double t_start = now_seconds();
  stats_t st;
  memset(&st, 0, sizeof(st));
  st.nfe_explicit = st.nfe_implicit = -1;
  st.nje = st.nli = st.nlcf = st.npe = st.nps = st.njv = -1;
  SUNContext ctx = cfg->ctx;
  SUNMatrix A = NULL;
  SUNLinearSolver LS = NULL;
  realtype t = 0.0;
  const sunindextype N = p->N;

  if (method == M_ARKSTEP_IMEX || method == M_ARKSTEP_IMEX_FFT) {
    const int fft = (method == M_ARKSTEP_IMEX_FFT);
    void *mem = ARKStepCreate(rhs_reaction, rhs_diffusion, 0.0, y, ctx);
    if (!mem) die("ARKStepCreate", -1);
    CHECK(ARKStepSetUserData(mem, p));
    CHECK(ARKStepSetTableNum(mem, ARKODE_ARK436L2SA_DIRK_6_3_4, ARKODE_ARK436L2SA_ERK_6_3_4));
    CHECK(ARKStepSStolerances(mem, rtol, atol));
    LS = SUNLinSol_SPGMR(y, fft ? SUN_PREC_LEFT : SUN_PREC_NONE, method_maxl(cfg, method), ctx);
    if (!LS) die("SUNLinSol_SPGMR", -1);
    CHECK(ARKStepSetLinearSolver(mem, LS, NULL));
    /* M = I - gamma*J_I with J_I = alpha*lap: the FFT preconditioner is M itself */
    if (fft) CHECK(ARKStepSetPreconditioner(mem, fft_psetup, fft_psolve));
    CHECK(ARKStepSetLinear(mem, 0)); /* the diffusion does not depend on t */
    CHECK(ARKStepSetMaxNumSteps(mem, 100000000L));
    CHECK(ARKStepSetStopTime(mem, T_END));
    while (t < T_END) {
      int f = ARKStepEvolve(mem, T_END, y, &t, ARK_ONE_STEP);
      if (f < 0) die("ARKStepEvolve", f);
      if (f == ARK_TSTOP_RETURN) break;
      if (now_seconds() - t_start > cap_seconds) break;
    }
    st.completed = (t >= T_END);
    st.t_reached = t;
    long expsteps, accsteps, netf, nfels;
    CHECK(ARKStepGetTimestepperStats(mem, &expsteps, &accsteps, &st.attempts, &st.nfe_explicit,
                                     &st.nfe_implicit, &st.nsetups, &netf));
    CHECK(ARKStepGetNumSteps(mem, &st.steps));
    CHECK(ARKStepGetNonlinSolvStats(mem, &st.nni, &st.ncfn));
    CHECK(ARKStepGetNumLinIters(mem, &st.nli));
    CHECK(ARKStepGetNumLinConvFails(mem, &st.nlcf));
    CHECK(ARKStepGetNumJtimesEvals(mem, &st.njv));
    CHECK(ARKStepGetNumLinRhsEvals(mem, &nfels));
    st.npe = 0;
    st.nps = 0;
    if (fft) {
      CHECK(ARKStepGetNumPrecEvals(mem, &st.npe));
      CHECK(ARKStepGetNumPrecSolves(mem, &st.nps));
    }
    st.rejected = st.attempts - st.steps;
    st.nfe = st.nfe_explicit + st.nfe_implicit + nfels;
    ARKStepFree(&mem);
    SUNLinSolFree(LS);
    return st;
  }

  void *mem = CVodeCreate(CV_BDF, ctx);
  if (!mem) die("CVodeCreate", -1);
  CHECK(CVodeInit(mem, rhs_full, 0.0, y));
  CHECK(CVodeSetUserData(mem, p));
  CHECK(CVodeSStolerances(mem, rtol, atol));
  switch (method) {
  case M_CVODE_BAND:
  case M_CVODE_BAND_AJ:
    /* Half-bandwidth 2N covers the x neighbours (including the x wrap, 2(N-1)
     * away), the y neighbours (2N away) and the u-v coupling.  The y wrap
     * (2N(N-1) away) is outside the band, so M = I - gamma*J misses 4N
     * couplings of size gamma*alpha.  With the DQ band Jacobian there is a
     * second error: CVODE perturbs columns 4N+1 apart together, and every band
     * window of a row holds exactly one column of each such group, so each
     * omitted wrap coupling is added to one in-band entry of another column.
     * A modified Newton iteration tolerates an approximate M only while
     * gamma*alpha times the missing part stays small; here alpha = 10/dx^2, so
     * CVODE has to cut the step until that holds.  Measured (README): both
     * band variants crawl (N = 32 reaches t ~ 0.3 with DQ, ~ 0.9 with the
     * in-band analytic Jacobian, in 60 s), and the wall-clock cap ends them.
     * They are kept as the requested data point, not as a usable method. */
    A = SUNBandMatrix(p->neq, 2 * N, 2 * N, ctx);
    if (!A) die("SUNBandMatrix", -1);
    LS = SUNLinSol_Band(y, A, ctx);
    if (!LS) die("SUNLinSol_Band", -1);
    CHECK(CVodeSetLinearSolver(mem, LS, A));
    if (method == M_CVODE_BAND_AJ) CHECK(CVodeSetJacFn(mem, jac_band));
    break;
  case M_CVODE_SPGMR:
  case M_CVODE_SPGMR_BANDPRE:
    LS = SUNLinSol_SPGMR(y, method == M_CVODE_SPGMR ? SUN_PREC_NONE : SUN_PREC_LEFT, cfg->maxl,
                         ctx);
    if (!LS) die("SUNLinSol_SPGMR", -1);
    CHECK(CVodeSetLinearSolver(mem, LS, NULL));
    if (method == M_CVODE_SPGMR_BANDPRE) CHECK(CVBandPrecInit(mem, p->neq, 2, 2));
    break;
  case M_CVODE_SPGMR_FFT:
    /* P = I - gamma*alpha*lap: the diffusion part of M = I - gamma*J, exact by FFT */
    LS = SUNLinSol_SPGMR(y, SUN_PREC_LEFT, method_maxl(cfg, method), ctx);
    if (!LS) die("SUNLinSol_SPGMR", -1);
    CHECK(CVodeSetLinearSolver(mem, LS, NULL));
    CHECK(CVodeSetPreconditioner(mem, fft_psetup, fft_psolve));
    break;
  case M_CVODE_KLU:
#ifdef HAVE_KLU
    A = SUNSparseMatrix(p->neq, p->neq, 6 * p->neq, CSC_MAT, ctx);
    if (!A) die("SUNSparseMatrix", -1);
    LS = SUNLinSol_KLU(y, A, ctx);
    if (!LS) die("SUNLinSol_KLU", -1);
    /* KLU's fill-reducing ordering: AMD by default here.  SUNDIALS' default,
     * COLAMD, gives more fill on this 2-D periodic pattern (the refactorisation
     * is most of the run time); --klu-ordering 1 selects it. */
    CHECK(SUNLinSol_KLUSetOrdering(LS, cfg->klu_ordering));
    CHECK(CVodeSetLinearSolver(mem, LS, A));
    CHECK(CVodeSetJacFn(mem, jac_sparse));
    break;
#else
    die("cvode-klu without KLU", -1);
    break;
#endif
  default:
    die("unknown method", method);
  }
  CHECK(CVodeSetMaxNumSteps(mem, 100000000L));
  CHECK(CVodeSetStopTime(mem, T_END));
  while (t < T_END) {
    int f = CVode(mem, T_END, y, &t, CV_ONE_STEP);
    if (f < 0) die("CVode", f);
    if (f == CV_TSTOP_RETURN) break;
    if (now_seconds() - t_start > cap_seconds) break;
  }
  st.completed = (t >= T_END);
  st.t_reached = t;
  long nfe, nfels = 0, netf;
  CHECK(CVodeGetNumSteps(mem, &st.steps));
  CHECK(CVodeGetNumRhsEvals(mem, &nfe));
  CHECK(CVodeGetNumLinRhsEvals(mem, &nfels));
  CHECK(CVodeGetNumErrTestFails(mem, &netf));
  CHECK(CVodeGetNumNonlinSolvIters(mem, &st.nni));
  CHECK(CVodeGetNumNonlinSolvConvFails(mem, &st.ncfn));
  CHECK(CVodeGetNumLinSolvSetups(mem, &st.nsetups));
  st.nfe = nfe + nfels; /* nfels: RHS calls of the DQ Jacobian or of DQ J*v */
  st.rejected = netf + st.ncfn;
  st.attempts = st.steps + st.rejected;
  if (method == M_CVODE_SPGMR || method == M_CVODE_SPGMR_BANDPRE ||
      method == M_CVODE_SPGMR_FFT) {
    CHECK(CVodeGetNumLinIters(mem, &st.nli));
    CHECK(CVodeGetNumLinConvFails(mem, &st.nlcf));
    CHECK(CVodeGetNumPrecEvals(mem, &st.npe));
    CHECK(CVodeGetNumPrecSolves(mem, &st.nps));
    CHECK(CVodeGetNumJtimesEvals(mem, &st.njv));
    if (method == M_CVODE_SPGMR_BANDPRE) {
      long nfebp = 0;
      CHECK(CVBandPrecGetNumRhsEvals(mem, &nfebp));
      st.nfe += nfebp; /* the band preconditioner's DQ columns */
    }
  } else {
    CHECK(CVodeGetNumJacEvals(mem, &st.nje));
  }
  CVodeFree(&mem);
  SUNLinSolFree(LS);
  if (A) SUNMatDestroy(A);
  return st;
}

/* ------------------------------------------------------------------ */
/* Reference solutions (cached)                                         */
/* ------------------------------------------------------------------ */

/* File layout: the 96-byte header below, then neq doubles (native byte order).
 * Benchmarks/IntegratorBenchmarks/Brusselator.swift reads the same files
 * (magic, N and neq at bytes 8 and 16, data from byte 96): keep them in step. */
typedef struct {
  char magic[8];    /* "NDBRUS01" */
  int64_t N, neq;
  double t_end, rtol, atol, A, B, alpha;
  double seconds;   /* cost of computing it, for the record */
  int64_t steps, method;
} ref_header_t;
/* compile-time check that the header is 96 bytes without padding */
typedef char ref_header_is_96_bytes[(sizeof(ref_header_t) == 96) ? 1 : -1];

static int reference_method(void)
{
#ifdef HAVE_KLU
  return M_CVODE_KLU;
#else
  return M_CVODE_BAND;
#endif
}

static void reference_path(char *buf, size_t len, const char *dir, const bruss_t *p)
{
  snprintf(buf, len, "%s/brusselator2d-N%d-tol1e-10.ref", dir, p->N);
}

static int load_reference(const char *path, const bruss_t *p, double *yref, ref_header_t *h)
{
  FILE *fp = fopen(path, "rb");
  if (!fp) return 0;
  int ok = fread(h, sizeof(*h), 1, fp) == 1 && !memcmp(h->magic, "NDBRUS01", 8) &&
           h->N == p->N && h->neq == (int64_t)p->neq && h->t_end == T_END &&
           h->rtol == REF_TOL && h->atol == REF_TOL && h->A == p->A && h->B == p->B &&
           h->alpha == p->alpha &&
           fread(yref, sizeof(double), (size_t)p->neq, fp) == (size_t)p->neq;
  fclose(fp);
  return ok;
}

static void save_reference(const char *dir, const char *path, const ref_header_t *h,
                           const double *yref)
{
  if (mkdir(dir, 0777) && errno != EEXIST) {
    fprintf(stderr, "brusselator_peer: cannot create %s (%s); reference not cached\n", dir,
            strerror(errno));
    return;
  }
  char tmp[4200];
  snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)time(NULL));
  FILE *fp = fopen(tmp, "wb");
  if (!fp) {
    fprintf(stderr, "brusselator_peer: cannot write %s; reference not cached\n", tmp);
    return;
  }
  int ok = fwrite(h, sizeof(*h), 1, fp) == 1 &&
           fwrite(yref, sizeof(double), (size_t)h->neq, fp) == (size_t)h->neq;
  ok = (fclose(fp) == 0) && ok;
  if (!ok || rename(tmp, path)) {
    fprintf(stderr, "brusselator_peer: writing %s failed; reference not cached\n", path);
    remove(tmp);
  }
}

static void get_reference(bruss_t *p, const config_t *cfg, const char *dir, double *yref)
{
  char path[4096];
  reference_path(path, sizeof(path), dir, p);
  ref_header_t h;
  if (load_reference(path, p, yref, &h)) {
    fprintf(stderr,
            "{\"reference\": \"%s\", \"n\": %lld, \"cached\": true, \"method\": \"%s\", "
            "\"rtol\": %g, \"atol\": %g, \"steps\": %lld, \"seconds\": %.3f}\n",
            path, (long long)h.neq, method_names[h.method], h.rtol, h.atol, (long long)h.steps,
            h.seconds);
    return;
  }
  const int m = reference_method();
  N_Vector y = N_VNew_Serial(p->neq, cfg->ctx);
  bruss_y0(p, y);
  double t0 = now_seconds();
  stats_t st = solve(m, p, cfg, y, REF_TOL, REF_TOL, INFINITY);
  double secs = now_seconds() - t0;
  memcpy(yref, N_VGetArrayPointer(y), sizeof(double) * (size_t)p->neq);
  N_VDestroy(y);
  memset(&h, 0, sizeof(h));
  memcpy(h.magic, "NDBRUS01", 8);
  h.N = p->N; h.neq = p->neq; h.t_end = T_END; h.rtol = REF_TOL; h.atol = REF_TOL;
  h.A = p->A; h.B = p->B; h.alpha = p->alpha; h.seconds = secs; h.steps = st.steps;
  h.method = m;
  save_reference(dir, path, &h, yref);
  fprintf(stderr,
          "{\"reference\": \"%s\", \"n\": %lld, \"cached\": false, \"method\": \"%s\", "
          "\"rtol\": %g, \"atol\": %g, \"steps\": %ld, \"rejected\": %ld, "
          "\"rhs_evaluations\": %ld, \"jacobian_evaluations\": %ld, "
          "\"nonlinear_iterations\": %ld, \"linear_setups\": %ld, \"seconds\": %.3f}\n",
          path, (long long)p->neq, method_names[m], REF_TOL, REF_TOL, st.steps, st.rejected,
          st.nfe, st.nje, st.nni, st.nsetups, secs);
}

/* Weighted RMS with the timed tolerances, and max-abs. */
static void errors(const bruss_t *p, const double *y, const double *yref, double *wrms,
                   double *maxabs)
{
  double s = 0.0, m = 0.0;
  for (sunindextype k = 0; k < p->neq; k++) {
    double d = y[k] - yref[k];
    double w = d / (TIMED_ATOL + TIMED_RTOL * fabs(yref[k]));
    s += w * w;
    if (fabs(d) > m) m = fabs(d);
  }
  *wrms = sqrt(s / (double)p->neq);
  *maxabs = m;
}

/* --check-reference: how far other tight solutions are from the cached
 * reference -- the reference method itself at 100x tighter tolerances (does the
 * reference converge?) and ARKStep at the reference tolerances (an independent
 * integrator; it can be slow, so it is subject to the wall-clock cap). */
static void check_reference(bruss_t *p, const config_t *cfg, const double *yref, double cap)
{
  const int others[2] = {reference_method(), M_ARKSTEP_IMEX};
  const double tols[2] = {REF_TOL * 1e-2, REF_TOL};
  N_Vector y = N_VNew_Serial(p->neq, cfg->ctx);
  for (int k = 0; k < 2; k++) {
    bruss_y0(p, y);
    double t0 = now_seconds();
    stats_t st = solve(others[k], p, cfg, y, tols[k], tols[k], k == 0 ? INFINITY : cap);
    double secs = now_seconds() - t0;
    if (!st.completed) {
      fprintf(stderr,
              "{\"reference_check\": \"%s\", \"n\": %lld, \"rtol\": %g, \"completed\": false, "
              "\"t_reached\": %g, \"steps\": %ld, \"seconds\": %.3f}\n",
              method_names[others[k]], (long long)p->neq, tols[k], st.t_reached, st.steps, secs);
      continue;
    }
    double wrms, maxabs;
    errors(p, N_VGetArrayPointer(y), yref, &wrms, &maxabs);
    fprintf(stderr,
            "{\"reference_check\": \"%s\", \"n\": %lld, \"rtol\": %g, \"atol\": %g, "
            "\"steps\": %ld, \"seconds\": %.3f, \"error\": %.3e, \"error_max_abs\": %.3e}\n",
            method_names[others[k]], (long long)p->neq, tols[k], tols[k], st.steps, secs, wrms,
            maxabs);
  }
  N_VDestroy(y);
}

/* ------------------------------------------------------------------ */
/* Timing and output                                                    */
/* ------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n)
{
  qsort(v, (size_t)n, sizeof(double), cmp_double);
  return (n % 2) ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void print_long_or_null(const char *name, long v)
{
  if (v >= 0) printf(", \"%s\": %ld", name, v);
  else printf(", \"%s\": null", name);
}

static void common_fields(const bruss_t *p, int method)
{
  printf("{\"peer\": \"sundials\", \"problem\": \"brusselator2d\", \"implementation\": \"%s\", "
         "\"method\": \"%s\", \"description\": \"%s\", \"grid\": %d, \"n\": %lld, "
         "\"rtol\": %g, \"atol\": %g, \"t_end\": %g",
         method_package[method], method_names[method], method_descriptions[method], p->N,
         (long long)p->neq, TIMED_RTOL, TIMED_ATOL, T_END);
}

typedef struct {
  int min_reps;
  double min_total, max_total; /* seconds */
  double cap;                  /* wall-clock cap for one solve, seconds */
} timing_t;

static void run_method(int method, bruss_t *p, const config_t *cfg, const timing_t *tm,
                       const double *yref)
{
#ifndef HAVE_KLU
  if (method == M_CVODE_KLU) {
    common_fields(p, method);
    printf(", \"skipped\": \"SUNDIALS built without KLU (sunlinsol_klu.h not found)\", "
           "\"version\": \"%s\"}\n", SUNDIALS_VERSION);
    fflush(stdout);
    return;
  }
#endif
#ifndef HAVE_FFTW
  if (method_is_fft(method)) {
    common_fields(p, method);
    printf(", \"skipped\": \"built without FFTW (fftw3.h not found)\", \"version\": \"%s\"}\n",
           SUNDIALS_VERSION);
    fflush(stdout);
    return;
  }
#endif
  N_Vector y = N_VNew_Serial(p->neq, cfg->ctx);
  int cap = 64, n = 0;
  double *times = malloc(sizeof(double) * (size_t)cap), total = 0.0;
  stats_t st;
  memset(&st, 0, sizeof(st));
  /* at least min_reps and min_total, but never start a repetition once
   * max_total is used up (one always runs) */
  while (n == 0 || ((n < tm->min_reps || total < tm->min_total) && total < tm->max_total)) {
    bruss_y0(p, y);
    double t0 = now_seconds();
    st = solve(method, p, cfg, y, TIMED_RTOL, TIMED_ATOL, tm->cap);
    double dt = now_seconds() - t0;
    if (n == cap) { cap *= 2; times = realloc(times, sizeof(double) * (size_t)cap); }
    times[n++] = dt;
    total += dt;
    if (!st.completed) break;
  }
  if (!st.completed) {
    /* abandoned at the cap: statistics up to t_reached, no error, no timing */
    common_fields(p, method);
    if (method_is_krylov(method)) printf(", \"maxl\": %d", method_maxl(cfg, method));
    printf(", \"completed\": false, \"t_reached\": %.6g, \"wall_cap_seconds\": %g, "
           "\"seconds_used\": %.3f, \"error\": null, \"error_max_abs\": null, "
           "\"steps\": %ld, \"rejected\": %ld, \"rhs_evaluations\": %ld, "
           "\"nonlinear_iterations\": %ld, \"nonlinear_convergence_failures\": %ld",
           st.t_reached, tm->cap, times[0], st.steps, st.rejected, st.nfe, st.nni, st.ncfn);
    print_long_or_null("jacobian_evaluations", st.nje);
    print_long_or_null("linear_iterations", st.nli);
    print_long_or_null("linear_convergence_failures", st.nlcf);
    printf(", \"median_seconds\": null, \"repetitions\": 0, \"version\": \"%s\"}\n",
           SUNDIALS_VERSION);
    fflush(stdout);
    free(times);
    N_VDestroy(y);
    return;
  }
  double tmin = times[0];
  for (int k = 1; k < n; k++) if (times[k] < tmin) tmin = times[k];
  double med = median(times, n);
  free(times);
  const double *yd = N_VGetArrayPointer(y);
  double wrms, maxabs;
  errors(p, yd, yref, &wrms, &maxabs);

  common_fields(p, method);
  if (method_is_krylov(method)) printf(", \"maxl\": %d", method_maxl(cfg, method));
  if (method == M_CVODE_KLU)
    printf(", \"klu_ordering\": \"%s\"",
           cfg->klu_ordering == 0 ? "AMD" : cfg->klu_ordering == 1 ? "COLAMD" : "natural");
  const sunindextype m = p->neq;
  printf(", \"completed\": true");
  printf(", \"final\": [%.17g, %.17g, %.17g, %.17g, %.17g, %.17g], "
         "\"final_note\": \"first 3 and last 3 of %lld components\"",
         yd[0], yd[1], yd[2], yd[m - 3], yd[m - 2], yd[m - 1], (long long)m);
  printf(", \"error\": %.6e, \"error_max_abs\": %.6e, "
         "\"error_note\": \"error: RMS of (y - yref)/(1e-6 + 1e-6*|yref|); reference: %s at "
         "rtol = atol = 1e-10\"",
         wrms, maxabs, method_names[reference_method()]);
  printf(", \"steps\": %ld, \"rejected\": %ld, \"rhs_evaluations\": %ld", st.steps, st.rejected,
         st.nfe);
  print_long_or_null("rhs_evaluations_explicit", st.nfe_explicit);
  print_long_or_null("rhs_evaluations_implicit", st.nfe_implicit);
  print_long_or_null("jacobian_evaluations", st.nje);
  printf(", \"nonlinear_iterations\": %ld, \"nonlinear_convergence_failures\": %ld, "
         "\"linear_setups\": %ld",
         st.nni, st.ncfn, st.nsetups);
  print_long_or_null("linear_iterations", st.nli);
  print_long_or_null("linear_convergence_failures", st.nlcf);
  print_long_or_null("preconditioner_evaluations", st.npe);
  print_long_or_null("preconditioner_solves", st.nps);
  print_long_or_null("jtimes_evaluations", st.njv);
  printf(", \"median_seconds\": %.6e, \"min_seconds\": %.6e, \"repetitions\": %d, "
         "\"version\": \"%s\"}\n",
         med, tmin, n, SUNDIALS_VERSION);
  fflush(stdout);
  N_VDestroy(y);
}

/* ------------------------------------------------------------------ */
/* Main                                                                 */
/* ------------------------------------------------------------------ */

static void usage(const char *argv0)
{
  fprintf(stderr,
          "usage: %s [N,N,...] [--quick] [--repeats R] [--max-seconds S] [--cap S]\n"
          "          [--methods a,b] [--maxl L] [--klu-ordering 0|1|2] [--reference-dir DIR]\n"
          "          [--check-reference]\n"
          "methods: cvode-band cvode-band-analyticJ cvode-spgmr cvode-spgmr-bandpre cvode-klu\n"
          "         arkstep-imex-ark436 cvode-spgmr-fft arkstep-imex-ark436-fft\n"
          "default: cvode-band cvode-spgmr cvode-klu arkstep-imex-ark436 cvode-spgmr-fft\n"
          "         arkstep-imex-ark436-fft\n",
          argv0);
  exit(1);
}

/* comma-separated list membership */
static int in_list(const char *list, const char *name)
{
  size_t len = strlen(name);
  const char *s = list;
  while (*s) {
    const char *e = strchr(s, ',');
    size_t l = e ? (size_t)(e - s) : strlen(s);
    if (l == len && !strncmp(s, name, len)) return 1;
    if (!e) break;
    s = e + 1;
  }
  return 0;
}

int main(int argc, char **argv)
{
  const char *sizes = "32,64,128", *methods = NULL;
  const char *refdir = getenv("BRUSSELATOR_REFERENCE_DIR");
  if (!refdir || !*refdir) refdir = ".";
  timing_t tm = {5, 0.3, 60.0, 60.0};
  int quick = 0, check_ref = 0;
  config_t cfg = {NULL, 5, 50, 0}; /* maxl 5 (SUNDIALS' default); 50 with the FFT preconditioner */
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--quick")) quick = 1;
    else if (!strcmp(a, "--repeats") && i + 1 < argc) tm.min_reps = atoi(argv[++i]);
    else if (!strcmp(a, "--max-seconds") && i + 1 < argc) tm.max_total = atof(argv[++i]);
    else if (!strcmp(a, "--methods") && i + 1 < argc) methods = argv[++i];
    else if (!strcmp(a, "--cap") && i + 1 < argc) tm.cap = atof(argv[++i]);
    else if (!strcmp(a, "--maxl") && i + 1 < argc) cfg.maxl = cfg.maxl_fft = atoi(argv[++i]);
    else if (!strcmp(a, "--klu-ordering") && i + 1 < argc) cfg.klu_ordering = atoi(argv[++i]);
    else if (!strcmp(a, "--reference-dir") && i + 1 < argc) refdir = argv[++i];
    else if (!strcmp(a, "--check-reference")) check_ref = 1;
    else if (a[0] >= '0' && a[0] <= '9') sizes = a;
    else usage(argv[0]);
  }
  if (quick) { tm.min_reps = 1; tm.min_total = 0.0; }
  if (tm.min_reps < 1 || cfg.maxl < 1 || !(tm.cap > 0.0) || cfg.klu_ordering < 0 ||
      cfg.klu_ordering > 2)
    usage(argv[0]);
  int selected[M_COUNT];
  for (int m = 0; m < M_COUNT; m++) selected[m] = methods ? in_list(methods, method_names[m])
                                                          : method_default[m];
  if (methods)
    for (const char *s = methods; *s;) { /* reject unknown names */
      const char *e = strchr(s, ',');
      size_t l = e ? (size_t)(e - s) : strlen(s);
      int known = 0;
      for (int m = 0; m < M_COUNT; m++)
        if (strlen(method_names[m]) == l && !strncmp(s, method_names[m], l)) known = 1;
      if (!known) { fprintf(stderr, "unknown method: %.*s\n", (int)l, s); usage(argv[0]); }
      if (!e) break;
      s = e + 1;
    }

  if (SUNContext_Create(NULL, &cfg.ctx)) die("SUNContext_Create", -1);
  for (const char *s = sizes; *s;) {
    int N = atoi(s);
    if (N < 3) { fprintf(stderr, "grid size must be >= 3\n"); return 1; }
    bruss_t p;
    bruss_init(&p, N);
    double *yref = malloc(sizeof(double) * (size_t)p.neq);
    get_reference(&p, &cfg, refdir, yref);
    if (check_ref) check_reference(&p, &cfg, yref, tm.cap);
    for (int m = 0; m < M_COUNT; m++)
      if (selected[m]) run_method(m, &p, &cfg, &tm, yref);
    free(yref);
    bruss_free(&p);
    const char *e = strchr(s, ',');
    if (!e) break;
    s = e + 1;
  }
  SUNContext_Free(&cfg.ctx);
  return 0;
}

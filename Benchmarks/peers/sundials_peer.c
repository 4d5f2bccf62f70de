/*
 * sundials_peer.c -- SUNDIALS peer for the NeuralDynamics integrator benchmark.
 *
 * Non-stiff problems (lorenz, pleiades, decay, decay-1e6): ARKODE ERKStep with the
 * Dormand-Prince 7(4)5 table (ARKODE_DORMAND_PRINCE_7_4_5).
 * Stiff problems (hires, robertson, vanderpol): CVODE BDF with a dense
 * direct linear solver (SUNDenseMatrix + SUNLinSol_Dense) and CVODE's default
 * difference-quotient Jacobian (or an analytic one with --analytic-jacobian).
 *
 * Output: one JSON object per line on stdout (schema in README.md).
 *
 * Options:
 *   --problems a,b,c      select problems (default: all seven)
 *   --quick               one repetition per problem (smoke run)
 *   --analytic-jacobian   CVODE uses a user-supplied analytic Jacobian
 *   --timing-detail       add "median_seconds_solve_only" (integrator memory
 *                         created once and re-initialised outside the timed
 *                         region) to each line
 *   --reference-mode      no timing; print tight-tolerance solutions (CVODE BDF
 *                         rtol 1e-12 and ERKStep Fehlberg 13(7)8 rtol 1e-13) used
 *                         to cross-check references.json
 *
 * Build: see Makefile (gcc -O2 ... -lsundials_arkode -lsundials_cvode ...).
 */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arkode/arkode_erkstep.h>
#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_config.h>
#include <sundials/sundials_types.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#define DECAY_N 100000        /* "decay" */
#define DECAY_N_LARGE 1000000 /* "decay-1e6": the same problem with 1e6 states */

/* ------------------------------------------------------------------ */
/* Right-hand sides                                                    */
/* ------------------------------------------------------------------ */

static int rhs_lorenz(realtype t, N_Vector yv, N_Vector fv, void *ud)
{
  (void)t; (void)ud;
  const realtype *y = N_VGetArrayPointer(yv);
  realtype *f = N_VGetArrayPointer(fv);
  const realtype sigma = 10.0, rho = 28.0, beta = 8.0 / 3.0;
  f[0] = sigma * (y[1] - y[0]);
  f[1] = y[0] * (rho - y[2]) - y[1];
  f[2] = y[0] * y[1] - beta * y[2];
  return 0;
}

/* state: x[0..6], y[7..13], x'[14..20], y'[21..27]; m_i = i (1-based) */
static int rhs_pleiades(realtype t, N_Vector yv, N_Vector fv, void *ud)
{
  (void)t; (void)ud;
  const realtype *u = N_VGetArrayPointer(yv);
  realtype *f = N_VGetArrayPointer(fv);
  const realtype *x = u, *y = u + 7;
  realtype *ax = f + 14, *ay = f + 21;
  for (int i = 0; i < 7; i++) {
    f[i] = u[14 + i];
    f[7 + i] = u[21 + i];
    ax[i] = 0.0;
    ay[i] = 0.0;
  }
  for (int i = 0; i < 7; i++) {
    for (int j = i + 1; j < 7; j++) {
      realtype dx = x[j] - x[i], dy = y[j] - y[i];
      realtype r2 = dx * dx + dy * dy;
      realtype r3 = r2 * sqrt(r2);
      realtype mi = (realtype)(i + 1), mj = (realtype)(j + 1);
      ax[i] += mj * dx / r3;
      ay[i] += mj * dy / r3;
      ax[j] -= mi * dx / r3;
      ay[j] -= mi * dy / r3;
    }
  }
  return 0;
}

/* y_i' = -(1 + i/n) y_i; each wrapper passes its size as a compile-time constant */
static inline int rhs_decay_n(long n, N_Vector yv, N_Vector fv)
{
  const realtype *y = N_VGetArrayPointer(yv);
  realtype *f = N_VGetArrayPointer(fv);
  const realtype invn = 1.0 / (realtype)n;
  for (long i = 0; i < n; i++) f[i] = -(1.0 + (realtype)i * invn) * y[i];
  return 0;
}

static int rhs_decay(realtype t, N_Vector yv, N_Vector fv, void *ud)
{
  (void)t; (void)ud;
  return rhs_decay_n(DECAY_N, yv, fv);
}

static int rhs_decay_1e6(realtype t, N_Vector yv, N_Vector fv, void *ud)
{
  (void)t; (void)ud;
  return rhs_decay_n(DECAY_N_LARGE, yv, fv);
}

static int rhs_hires(realtype t, N_Vector yv, N_Vector fv, void *ud)
{
  (void)t; (void)ud;
  const realtype *y = N_VGetArrayPointer(yv);
  realtype *f = N_VGetArrayPointer(fv);
  f[0] = -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007;
  f[1] = 1.71 * y[0] - 8.75 * y[1];
  f[2] = -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4];
  f[3] = 8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3];
  f[4] = -1.745 * y[4] + 0.43 * y[5] + 0.43 * y[6];
  f[5] = -280.0 * y[5] * y[7] + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6];
  f[6] = 280.0 * y[5] * y[7] - 1.81 * y[6];
  f[7] = -280.0 * y[5] * y[7] + 1.81 * y[6];
  return 0;
}

static int rhs_robertson(realtype t, N_Vector yv, N_Vector fv, void *ud)
{
  (void)t; (void)ud;
  const realtype *y = N_VGetArrayPointer(yv);
  realtype *f = N_VGetArrayPointer(fv);
  f[0] = -0.04 * y[0] + 1.0e4 * y[1] * y[2];
  f[2] = 3.0e7 * y[1] * y[1];
  f[1] = 0.04 * y[0] - 1.0e4 * y[1] * y[2] - 3.0e7 * y[1] * y[1];
  return 0;
}

static int rhs_vanderpol(realtype t, N_Vector yv, N_Vector fv, void *ud)
{
  (void)t; (void)ud;
  const realtype *y = N_VGetArrayPointer(yv);
  realtype *f = N_VGetArrayPointer(fv);
  const realtype mu = 1000.0;
  f[0] = y[1];
  f[1] = mu * (1.0 - y[0] * y[0]) * y[1] - y[0];
  return 0;
}

/* ------------------------------------------------------------------ */
/* Analytic Jacobians (dense, column-major via SM_ELEMENT_D(J, row, col)) */
/* ------------------------------------------------------------------ */

static void zero_dense(SUNMatrix J)
{
  sunindextype n = SM_ROWS_D(J);
  for (sunindextype j = 0; j < n; j++)
    for (sunindextype i = 0; i < n; i++) SM_ELEMENT_D(J, i, j) = 0.0;
}

static int jac_hires(realtype t, N_Vector yv, N_Vector fy, SUNMatrix J, void *ud,
                     N_Vector t1, N_Vector t2, N_Vector t3)
{
  (void)t; (void)fy; (void)ud; (void)t1; (void)t2; (void)t3;
  const realtype *y = N_VGetArrayPointer(yv);
  zero_dense(J);
#define JE(i, j) SM_ELEMENT_D(J, i, j)
  JE(0, 0) = -1.71; JE(0, 1) = 0.43; JE(0, 2) = 8.32;
  JE(1, 0) = 1.71;  JE(1, 1) = -8.75;
  JE(2, 2) = -10.03; JE(2, 3) = 0.43; JE(2, 4) = 0.035;
  JE(3, 1) = 8.32; JE(3, 2) = 1.71; JE(3, 3) = -1.12;
  JE(4, 4) = -1.745; JE(4, 5) = 0.43; JE(4, 6) = 0.43;
  JE(5, 3) = 0.69; JE(5, 4) = 1.71; JE(5, 5) = -280.0 * y[7] - 0.43;
  JE(5, 6) = 0.69; JE(5, 7) = -280.0 * y[5];
  JE(6, 5) = 280.0 * y[7]; JE(6, 6) = -1.81; JE(6, 7) = 280.0 * y[5];
  JE(7, 5) = -280.0 * y[7]; JE(7, 6) = 1.81; JE(7, 7) = -280.0 * y[5];
  return 0;
}

static int jac_robertson(realtype t, N_Vector yv, N_Vector fy, SUNMatrix J, void *ud,
                         N_Vector t1, N_Vector t2, N_Vector t3)
{
  (void)t; (void)fy; (void)ud; (void)t1; (void)t2; (void)t3;
  const realtype *y = N_VGetArrayPointer(yv);
  zero_dense(J);
  JE(0, 0) = -0.04; JE(0, 1) = 1.0e4 * y[2]; JE(0, 2) = 1.0e4 * y[1];
  JE(1, 0) = 0.04; JE(1, 1) = -1.0e4 * y[2] - 6.0e7 * y[1]; JE(1, 2) = -1.0e4 * y[1];
  JE(2, 1) = 6.0e7 * y[1];
  return 0;
}

static int jac_vanderpol(realtype t, N_Vector yv, N_Vector fy, SUNMatrix J, void *ud,
                         N_Vector t1, N_Vector t2, N_Vector t3)
{
  (void)t; (void)fy; (void)ud; (void)t1; (void)t2; (void)t3;
  const realtype *y = N_VGetArrayPointer(yv);
  const realtype mu = 1000.0;
  JE(0, 0) = 0.0; JE(0, 1) = 1.0;
  JE(1, 0) = -2.0 * mu * y[0] * y[1] - 1.0;
  JE(1, 1) = mu * (1.0 - y[0] * y[0]);
#undef JE
  return 0;
}

/* ------------------------------------------------------------------ */
/* Problem table (reference values: see references.json)              */
/* ------------------------------------------------------------------ */

enum kind { KIND_ERK, KIND_BDF };

typedef struct {
  const char *name;
  enum kind kind;
  long n;
  realtype t_end;
  realtype rtol;
  realtype atol[3];      /* atol per component if n <= 3 and vector_atol */
  int vector_atol;
  realtype atol_scalar;
  ARKRhsFn rhs;          /* same signature as CVRhsFn */
  CVLsJacFn jac;
  realtype accuracy_t;   /* lorenz: separate accuracy solve to this time; 0 = none */
  const realtype *ref;   /* reference state at t_end (or accuracy_t); NULL = exact */
} problem_t;

static const realtype y0_pleiades[28] = {
  3, 3, -1, -3, 2, -2, 2,
  3, -3, 2, 0, 0, -4, 4,
  0, 0, 0, 0, 0, 1.75, -1.5,
  0, 0, 0, -1.25, 1, 0, 0};

/* Lorenz at t = 10 from y0 = (1,0,0): computed (mpmath Taylor series, 50
 * digits), see references.json */
static const realtype ref_lorenz[3] = {
  -5.857685382424090020222424, -5.831082486426100442922424, 23.93213298702756264741113};

/* Mazzia & Magherini, Test Set for IVP Solvers (Bari), problem PLEI, t = 3 */
static const realtype ref_pleiades[28] = {
  0.3706139143970502e+00, 0.3237284092057233e+01, -0.3222559032418324e+01,
  0.6597091455775310e+00, 0.3425581707156584e+00, 0.1562172101400631e+01,
  -0.7003092922212495e+00,
  -0.3943437585517392e+01, -0.3271380973972550e+01, 0.5225081843456543e+01,
  -0.2590612434977470e+01, 0.1198213693392275e+01, -0.2429682344935824e+00,
  0.1091449240428980e+01,
  0.3417003806314313e+01, 0.1354584501625501e+01, -0.2590065597810775e+01,
  0.2025053734714242e+01, -0.1155815100160448e+01, -0.8072988170223021e+00,
  0.5952396354208710e+00,
  -0.3741244961234010e+01, 0.3773459685750630e+00, 0.9386858869551073e+00,
  0.3667922227200571e+00, -0.3474046353808490e+00, 0.2344915448180937e+01,
  -0.1947020434263292e+01};

/* Test Set for IVP Solvers, problem HIRES, t = 321.8122 */
static const realtype ref_hires[8] = {
  0.7371312573325668e-3, 0.1442485726316185e-3, 0.5888729740967575e-4,
  0.1175651343283149e-2, 0.2386356198831331e-2, 0.6238968252742796e-2,
  0.2849998395185769e-2, 0.2850001604814231e-2};

/* Test Set for IVP Solvers, problem ROBER, t = 1e11 */
static const realtype ref_robertson[3] = {
  0.2083340149701255e-7, 0.8333360770334713e-13, 0.9999999791665050e+0};

/* van der Pol mu = 1000 at t = 2000: deTestSet reference("vdpol"), reproduced
 * here by scipy Radau rtol 1e-13 to 8e-15; see references.json */
static const realtype ref_vanderpol[2] = {0.1706167732170469e+1, -0.8928097010248125e-3};

static problem_t problems[] = {
  {"lorenz", KIND_ERK, 3, 100.0, 1e-8, {0}, 0, 1e-8, rhs_lorenz, NULL, 10.0, ref_lorenz},
  {"pleiades", KIND_ERK, 28, 3.0, 1e-8, {0}, 0, 1e-8, rhs_pleiades, NULL, 0.0, ref_pleiades},
  {"hires", KIND_BDF, 8, 321.8122, 1e-8, {0}, 0, 1e-10, rhs_hires, jac_hires, 0.0, ref_hires},
  {"robertson", KIND_BDF, 3, 1e11, 1e-8, {1e-10, 1e-14, 1e-10}, 1, 1e-10, rhs_robertson,
   jac_robertson, 0.0, ref_robertson},
  {"vanderpol", KIND_BDF, 2, 2000.0, 1e-8, {0}, 0, 1e-10, rhs_vanderpol, jac_vanderpol, 0.0,
   ref_vanderpol},
  {"decay", KIND_ERK, DECAY_N, 1.0, 1e-6, {0}, 0, 1e-9, rhs_decay, NULL, 0.0, NULL},
  {"decay-1e6", KIND_ERK, DECAY_N_LARGE, 1.0, 1e-6, {0}, 0, 1e-9, rhs_decay_1e6, NULL, 0.0,
   NULL},
};
#define NPROBLEMS (int)(sizeof(problems) / sizeof(problems[0]))

/* "decay" and "decay-1e6": exact solution, abbreviated "final" */
static int is_decay(const problem_t *p) { return !strncmp(p->name, "decay", 5); }

static void set_y0(const problem_t *p, N_Vector yv)
{
  realtype *y = N_VGetArrayPointer(yv);
  if (!strcmp(p->name, "lorenz")) { y[0] = 1.0; y[1] = 0.0; y[2] = 0.0; }
  else if (!strcmp(p->name, "pleiades")) { memcpy(y, y0_pleiades, sizeof(y0_pleiades)); }
  else if (!strcmp(p->name, "hires")) {
    for (int i = 0; i < 8; i++) y[i] = 0.0;
    y[0] = 1.0; y[7] = 0.0057;
  } else if (!strcmp(p->name, "robertson")) { y[0] = 1.0; y[1] = 0.0; y[2] = 0.0; }
  else if (!strcmp(p->name, "vanderpol")) { y[0] = 2.0; y[1] = 0.0; }
  else if (is_decay(p)) { for (long i = 0; i < p->n; i++) y[i] = 1.0; }
}

/* ------------------------------------------------------------------ */
/* Solver driver                                                       */
/* ------------------------------------------------------------------ */

typedef struct {
  long steps, attempts, rejected, nfe, nje;
  int flag;
  double setup_seconds, solve_seconds;
} stats_t;

static double now_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what, int flag)
{
  fprintf(stderr, "sundials_peer: %s failed (flag %d)\n", what, flag);
  exit(2);
}

typedef struct {
  int use_analytic_jac;
  int erk_table;         /* ARKODE ERK table id */
  int cv_lmm;            /* CV_BDF */
  double tol_scale;      /* multiplies rtol and atol (reference mode) */
} config_t;

/* One complete solve: create + configure + integrate + free.  y holds y0 on
 * entry and the solution at tout on return. */
static stats_t solve_once(const problem_t *p, const config_t *cfg, SUNContext ctx,
                          N_Vector y, realtype tout)
{
  stats_t st;
  memset(&st, 0, sizeof(st));
  realtype t = 0.0;
  realtype rtol = p->rtol * cfg->tol_scale;
  double t0 = now_seconds();
  if (p->kind == KIND_ERK) {
    void *mem = ERKStepCreate(p->rhs, 0.0, y, ctx);
    if (!mem) die("ERKStepCreate", -1);
    int f = ERKStepSetTableNum(mem, (ARKODE_ERKTableID)cfg->erk_table);
    if (f) die("ERKStepSetTableNum", f);
    f = ERKStepSStolerances(mem, rtol, p->atol_scalar * cfg->tol_scale);
    if (f) die("ERKStepSStolerances", f);
    ERKStepSetMaxNumSteps(mem, 10000000L);
    ERKStepSetStopTime(mem, tout);
    double t1 = now_seconds();
    st.flag = ERKStepEvolve(mem, tout, y, &t, ARK_NORMAL);
    double t2 = now_seconds();
    if (st.flag < 0) die("ERKStepEvolve", st.flag);
    long nfe = 0, fails = 0;
    ERKStepGetNumSteps(mem, &st.steps);
    ERKStepGetNumStepAttempts(mem, &st.attempts);
    ERKStepGetNumRhsEvals(mem, &nfe);
    ERKStepGetNumErrTestFails(mem, &fails);
    st.nfe = nfe;
    st.rejected = st.attempts - st.steps;
    st.nje = -1;
    ERKStepFree(&mem);
    double t3 = now_seconds();
    st.setup_seconds = (t1 - t0);
    st.solve_seconds = (t2 - t1);
    (void)t3;
  } else {
    void *mem = CVodeCreate(cfg->cv_lmm, ctx);
    if (!mem) die("CVodeCreate", -1);
    int f = CVodeInit(mem, p->rhs, 0.0, y);
    if (f) die("CVodeInit", f);
    N_Vector av = NULL;
    if (p->vector_atol) {
      av = N_VNew_Serial(p->n, ctx);
      realtype *a = N_VGetArrayPointer(av);
      for (long i = 0; i < p->n; i++) a[i] = p->atol[i] * cfg->tol_scale;
      f = CVodeSVtolerances(mem, rtol, av);
    } else {
      f = CVodeSStolerances(mem, rtol, p->atol_scalar * cfg->tol_scale);
    }
    if (f) die("CVode tolerances", f);
    SUNMatrix A = SUNDenseMatrix(p->n, p->n, ctx);
    SUNLinearSolver LS = SUNLinSol_Dense(y, A, ctx);
    f = CVodeSetLinearSolver(mem, LS, A);
    if (f) die("CVodeSetLinearSolver", f);
    if (cfg->use_analytic_jac) {
      f = CVodeSetJacFn(mem, p->jac);
      if (f) die("CVodeSetJacFn", f);
    }
    CVodeSetMaxNumSteps(mem, 10000000L);
    CVodeSetStopTime(mem, tout);
    double t1 = now_seconds();
    st.flag = CVode(mem, tout, y, &t, CV_NORMAL);
    double t2 = now_seconds();
    if (st.flag < 0) die("CVode", st.flag);
    long nfe = 0, nfels = 0, netf = 0, ncfn = 0, nje = 0;
    CVodeGetNumSteps(mem, &st.steps);
    CVodeGetNumRhsEvals(mem, &nfe);
    CVodeGetNumLinRhsEvals(mem, &nfels);
    CVodeGetNumErrTestFails(mem, &netf);
    CVodeGetNumNonlinSolvConvFails(mem, &ncfn);
    CVodeGetNumJacEvals(mem, &nje);
    st.nfe = nfe + nfels;          /* include RHS calls of the DQ Jacobian */
    st.rejected = netf + ncfn;     /* error-test + nonlinear-convergence failures */
    st.nje = nje;
    CVodeFree(&mem);
    SUNLinSolFree(LS);
    SUNMatDestroy(A);
    if (av) N_VDestroy(av);
    st.setup_seconds = (t1 - t0);
    st.solve_seconds = (t2 - t1);
  }
  return st;
}

/* Solve-only timing: integrator memory created once; every repetition calls
 * ReInit (untimed) and then times just the integration. */
static double time_solve_only(const problem_t *p, const config_t *cfg, SUNContext ctx,
                              int min_reps, double min_total, int *reps_out);

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

static double time_solve_only(const problem_t *p, const config_t *cfg, SUNContext ctx,
                              int min_reps, double min_total, int *reps_out)
{
  N_Vector y = N_VNew_Serial(p->n, ctx);
  set_y0(p, y);
  realtype t = 0.0, tout = p->t_end;
  int cap = 1024, n = 0;
  double *times = malloc(sizeof(double) * (size_t)cap), total = 0.0;
  if (p->kind == KIND_ERK) {
    void *mem = ERKStepCreate(p->rhs, 0.0, y, ctx);
    ERKStepSetTableNum(mem, (ARKODE_ERKTableID)cfg->erk_table);
    ERKStepSStolerances(mem, p->rtol, p->atol_scalar);
    ERKStepSetMaxNumSteps(mem, 10000000L);
    while (n < min_reps || total < min_total) {
      set_y0(p, y);
      ERKStepReInit(mem, p->rhs, 0.0, y);
      ERKStepSetStopTime(mem, tout);
      double t1 = now_seconds();
      int f = ERKStepEvolve(mem, tout, y, &t, ARK_NORMAL);
      double dt = now_seconds() - t1;
      if (f < 0) die("ERKStepEvolve", f);
      if (n == cap) { cap *= 2; times = realloc(times, sizeof(double) * (size_t)cap); }
      times[n++] = dt;
      total += dt;
    }
    ERKStepFree(&mem);
  } else {
    void *mem = CVodeCreate(cfg->cv_lmm, ctx);
    CVodeInit(mem, p->rhs, 0.0, y);
    N_Vector av = NULL;
    if (p->vector_atol) {
      av = N_VNew_Serial(p->n, ctx);
      for (long i = 0; i < p->n; i++) N_VGetArrayPointer(av)[i] = p->atol[i];
      CVodeSVtolerances(mem, p->rtol, av);
    } else {
      CVodeSStolerances(mem, p->rtol, p->atol_scalar);
    }
    SUNMatrix A = SUNDenseMatrix(p->n, p->n, ctx);
    SUNLinearSolver LS = SUNLinSol_Dense(y, A, ctx);
    CVodeSetLinearSolver(mem, LS, A);
    if (cfg->use_analytic_jac) CVodeSetJacFn(mem, p->jac);
    CVodeSetMaxNumSteps(mem, 10000000L);
    while (n < min_reps || total < min_total) {
      set_y0(p, y);
      CVodeReInit(mem, 0.0, y);
      CVodeSetStopTime(mem, tout);
      double t1 = now_seconds();
      int f = CVode(mem, tout, y, &t, CV_NORMAL);
      double dt = now_seconds() - t1;
      if (f < 0) die("CVode", f);
      if (n == cap) { cap *= 2; times = realloc(times, sizeof(double) * (size_t)cap); }
      times[n++] = dt;
      total += dt;
    }
    CVodeFree(&mem);
    SUNLinSolFree(LS);
    SUNMatDestroy(A);
    if (av) N_VDestroy(av);
  }
  double med = median(times, n);
  free(times);
  N_VDestroy(y);
  *reps_out = n;
  return med;
}

static double max_abs_error(const problem_t *p, N_Vector yv, realtype t)
{
  const realtype *y = N_VGetArrayPointer(yv);
  double err = 0.0;
  if (is_decay(p)) {
    for (long i = 0; i < p->n; i++) {
      double lam = 1.0 + (double)i / (double)p->n;
      double e = fabs(y[i] - exp(-lam * t));
      if (e > err) err = e;
    }
  } else {
    for (long i = 0; i < p->n; i++) {
      double e = fabs(y[i] - p->ref[i]);
      if (e > err) err = e;
    }
  }
  return err;
}

static void print_vec(const realtype *y, long n)
{
  printf("[");
  for (long i = 0; i < n; i++) printf("%s%.17g", i ? ", " : "", (double)y[i]);
  printf("]");
}

static void run_problem(const problem_t *p, const config_t *cfg, SUNContext ctx, int quick,
                        int timing_detail)
{
  const int min_reps = quick ? 1 : 5;
  const double min_total = quick ? 0.0 : 0.3;
  N_Vector y = N_VNew_Serial(p->n, ctx);

  /* accuracy */
  double err;
  if (p->accuracy_t > 0.0) {
    set_y0(p, y);
    solve_once(p, cfg, ctx, y, p->accuracy_t);
    err = max_abs_error(p, y, p->accuracy_t);
  } else {
    err = -1.0; /* filled from the timing run below */
  }

  /* timing: full solve including creation of the integrator memory */
  int cap = 1024, n = 0;
  double *times = malloc(sizeof(double) * (size_t)cap), total = 0.0;
  stats_t st;
  memset(&st, 0, sizeof(st));
  while (n < min_reps || total < min_total) {
    set_y0(p, y);
    double t1 = now_seconds();
    st = solve_once(p, cfg, ctx, y, p->t_end);
    double dt = now_seconds() - t1;
    if (n == cap) { cap *= 2; times = realloc(times, sizeof(double) * (size_t)cap); }
    times[n++] = dt;
    total += dt;
  }
  double med = median(times, n);
  free(times);
  if (err < 0.0) err = max_abs_error(p, y, p->t_end);

  const char *method;
  if (p->kind == KIND_ERK) method = "ERKStep-DormandPrince745";
  else method = cfg->use_analytic_jac ? "CVODE-BDF-dense-analyticJ" : "CVODE-BDF-dense-DQJ";

  printf("{\"peer\": \"sundials\", \"problem\": \"%s\", \"method\": \"%s\", \"rtol\": %.15g, ",
         p->name, method, p->rtol);
  if (p->vector_atol) { printf("\"atol\": "); print_vec(p->atol, p->n); printf(", "); }
  else printf("\"atol\": %.15g, ", p->atol_scalar);
  printf("\"final\": ");
  const realtype *yd = N_VGetArrayPointer(y);
  if (is_decay(p)) {
    realtype six[6] = {yd[0], yd[1], yd[2], yd[p->n - 3], yd[p->n - 2], yd[p->n - 1]};
    print_vec(six, 6);
    printf(", \"final_note\": \"first 3 and last 3 of %ld components\"", p->n);
  } else {
    print_vec(yd, p->n);
  }
  printf(", \"error\": %.6e, \"steps\": %ld, \"rejected\": %ld, \"rhs_evaluations\": %ld, ",
         err, st.steps, st.rejected, st.nfe);
  if (st.nje >= 0) printf("\"jacobian_evaluations\": %ld, ", st.nje);
  else printf("\"jacobian_evaluations\": null, ");
  printf("\"median_seconds\": %.6e, \"repetitions\": %d, \"version\": \"%s\"", med, n,
         SUNDIALS_VERSION);
  if (is_decay(p))
    printf(", \"seconds_per_step\": %.6e", med / (double)st.steps);
  if (timing_detail) {
    int reps2 = 0;
    double med2 = time_solve_only(p, cfg, ctx, min_reps, min_total, &reps2);
    printf(", \"median_seconds_solve_only\": %.6e, \"repetitions_solve_only\": %d", med2, reps2);
  }
  printf("}\n");
  fflush(stdout);
  N_VDestroy(y);
}

static void run_reference(const problem_t *p, SUNContext ctx)
{
  N_Vector y = N_VNew_Serial(p->n, ctx);
  realtype tout = p->accuracy_t > 0.0 ? p->accuracy_t : p->t_end;
  config_t c1 = {1, ARKODE_FEHLBERG_13_7_8, CV_BDF, 1.0};
  const char *labels[2] = {"CVODE-BDF-analyticJ", "ERKStep-Fehlberg1378"};
  for (int k = 0; k < 2; k++) {
    if (is_decay(p)) break;
    problem_t q = *p;
    if (k == 0) {
      if (!q.jac) continue;          /* BDF reference only for the stiff ones */
      q.kind = KIND_BDF;
      c1.tol_scale = 1e-4;           /* rtol 1e-12 */
    } else {
      if (p->kind == KIND_BDF) continue; /* explicit RK at 1e-13 fails (hmin) on stiff vdP */
      q.kind = KIND_ERK;
      c1.tol_scale = 1e-5;           /* rtol 1e-13 */
    }
    set_y0(&q, y);
    stats_t st = solve_once(&q, &c1, ctx, y, tout);
    printf("{\"problem\": \"%s\", \"method\": \"%s\", \"rtol\": %.3g, \"t\": %.17g, \"steps\": %ld, "
           "\"final\": ",
           p->name, labels[k], q.rtol * c1.tol_scale, tout, st.steps);
    print_vec(N_VGetArrayPointer(y), q.n);
    printf("}\n");
    fflush(stdout);
  }
  N_VDestroy(y);
}

int main(int argc, char **argv)
{
  const char *selection = NULL;
  int quick = 0, timing_detail = 0, reference_mode = 0;
  config_t cfg = {0, ARKODE_DORMAND_PRINCE_7_4_5, CV_BDF, 1.0};
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--problems") && i + 1 < argc) selection = argv[++i];
    else if (!strncmp(argv[i], "--problems=", 11)) selection = argv[i] + 11;
    else if (!strcmp(argv[i], "--quick")) quick = 1;
    else if (!strcmp(argv[i], "--analytic-jacobian")) cfg.use_analytic_jac = 1;
    else if (!strcmp(argv[i], "--timing-detail")) timing_detail = 1;
    else if (!strcmp(argv[i], "--reference-mode")) reference_mode = 1;
    else {
      fprintf(stderr,
              "usage: %s [--problems a,b] [--quick] [--analytic-jacobian] [--timing-detail] "
              "[--reference-mode]\n",
              argv[0]);
      return 1;
    }
  }
  SUNContext ctx;
  if (SUNContext_Create(NULL, &ctx)) die("SUNContext_Create", -1);
  int ran = 0;
  for (int k = 0; k < NPROBLEMS; k++) {
    if (selection) {
      /* exact match within the comma-separated list */
      const char *s = selection;
      size_t len = strlen(problems[k].name);
      int found = 0;
      while (*s) {
        const char *e = strchr(s, ',');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        if (l == len && !strncmp(s, problems[k].name, len)) found = 1;
        if (!e) break;
        s = e + 1;
      }
      if (!found) continue;
    }
    if (reference_mode) run_reference(&problems[k], ctx);
    else run_problem(&problems[k], &cfg, ctx, quick, timing_detail);
    ran++;
  }
  SUNContext_Free(&ctx);
  if (!ran) { fprintf(stderr, "sundials_peer: no problem selected\n"); return 1; }
  return 0;
}

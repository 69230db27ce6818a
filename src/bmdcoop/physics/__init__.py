"""Physics layer: WGS-84 geodesy and frames (`earth`), the 1976 standard atmosphere
(`atmosphere`), batched numerical propagation (`propagate`, a validating shell over the numba
kernel in `propagate_kernel`, with a scipy reference in `propagate_reference`), multi-stage
powered flight (`boost`) and the launch-parameter solvers (`targeting` for missiles and the public
names, `ideal_trajectory`, the closed-form `kepler`, the Newton loop `newton` and its `solve_modes`).
`kernels` holds the formulas every numba kernel shares (Bowring latitude and height, J2 gravity).

Bottom of the stack: imports only `bmdcoop.errors` and the catalog's data (`bmdcoop.catalog`).
"""

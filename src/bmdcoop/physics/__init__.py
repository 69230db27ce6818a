"""Physics layer: WGS-84 geodesy and frames (`earth`), the 1976 standard atmosphere
(`atmosphere`), batched numerical propagation (`propagate`, with a scipy reference in
`propagate_reference`), multi-stage powered flight (`boost`) and the launch-parameter solvers
(`targeting`).

Bottom of the stack: imports only `bmdcoop.errors` and the catalog's data (`bmdcoop.catalog`).
"""

"""Analysis layer: metrics per party and variant with 95 % intervals (`metrics`), and the
campaign entry points users call: `compare` (`run`, `compare`), `sweep` (grids of field-path
variants) and `agreements` (the agreement space and its Pareto set, `pareto`). May import every
layer below (simulation and down); nothing above it (report, cli).
"""

"""Analysis layer: metrics per party and variant with 95 % intervals (`metrics`), and the
campaign entry points users call (`compare`: `run` and `compare`). May import every layer below
(simulation and down); nothing above it (report, cli).
"""

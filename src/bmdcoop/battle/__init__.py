"""Battle management layer: who fires what at which threat.

`wta` holds the weapon-target assignment solvers. This layer may import physics, catalog,
scenario, sensing and engagement; nothing above it (simulation, analysis, output).
"""

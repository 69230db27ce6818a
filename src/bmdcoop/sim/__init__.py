"""Simulation layer: one trial as a small deterministic event engine (`engine`), the scenario's
deterministic geometry computed once (`plan`), the sovereignty audit (`audit`) and Monte Carlo
campaigns over many trials (`campaign`). May import every layer below (battle and down); nothing
above it (analysis, report, cli).
"""

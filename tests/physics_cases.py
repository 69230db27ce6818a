"""Shared test situations for the physics layer (not a test module): the benchmark's ICBM cases."""
from bmdcoop.bench.physics import RV_AREA_M2, RV_CD_MACH, RV_MASS_KG, icbm_burnout_states  # noqa: F401

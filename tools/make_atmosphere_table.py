"""Regenerates src/bmdcoop/data/ussa1976.npz: US Standard Atmosphere 1976 on a 0-1000 km grid.

Source: U.S. Standard Atmosphere, 1976 (NOAA-S/T 76-1562, NASA-TM-X-74335), evaluated with the
`ussa1976` package (v0.3.4). The standard defines the speed of sound only up to 86 km; above it
we store sqrt(gamma R* T / M0) with the kinetic temperature (drag there is negligible anyway).
Run: python tools/make_atmosphere_table.py
"""
from pathlib import Path

import numpy as np
import ussa1976

STEP_M = 250.0
alt_m = np.arange(0.0, 1_000_000.0 + STEP_M, STEP_M)
ds = ussa1976.compute(z=alt_m, variables=["t", "p", "rho", "cs"])
t_k = ds["t"].values
sos = ds["cs"].values
gamma, r_star, m0 = 1.4, 8.31432, 28.9644e-3  # the standard's constants
sos = np.where(np.isfinite(sos), sos, np.sqrt(gamma * r_star * t_k / m0))
out = Path(__file__).resolve().parents[1] / "src" / "bmdcoop" / "data" / "ussa1976.npz"
np.savez_compressed(out, step_m=STEP_M, temperature_k=t_k, log_pressure=np.log(ds["p"].values),
                    log_density=np.log(ds["rho"].values), speed_of_sound_mps=sos)
print(f"wrote {out} ({alt_m.size} levels)")

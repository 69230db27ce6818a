"""US Standard Atmosphere 1976, 0-1000 km: density, temperature, pressure, speed of sound.

Source: U.S. Standard Atmosphere, 1976 (NOAA-S/T 76-1562). The package ships the standard
tabulated every 250 m (tools/make_atmosphere_table.py, from the `ussa1976` package); here it is
interpolated linearly in temperature and in the logarithm of density and pressure, which is
exact where the standard is isothermal and within 0.1 % elsewhere (tests/test_atmosphere.py
checks against `ussa1976` at random altitudes). Above 1000 km density is taken as zero;
below 0 m the sea-level values are used.

`density_kgm3` etc. take arrays of altitudes in metres; `density_sos` is the numba kernel the
propagator calls in its inner loop.
"""
from __future__ import annotations

from importlib import resources

import numba
import numpy as np

with resources.files("bmdcoop").joinpath("data/ussa1976.npz").open("rb") as _f:
    _TABLE = dict(np.load(_f))

STEP_M = float(_TABLE["step_m"])
TOP_M = STEP_M * (_TABLE["log_density"].size - 1)
_LOG_RHO = np.ascontiguousarray(_TABLE["log_density"])
_LOG_P = np.ascontiguousarray(_TABLE["log_pressure"])
_T_K = np.ascontiguousarray(_TABLE["temperature_k"])
_SOS = np.ascontiguousarray(_TABLE["speed_of_sound_mps"])


@numba.njit(cache=True, inline="always")
def _interp(table, alt_m):
    x = alt_m / STEP_M
    if x <= 0.0:
        return table[0]
    i = int(x)
    if i >= table.size - 1:
        return table[table.size - 1]
    w = x - i
    return table[i] * (1.0 - w) + table[i + 1] * w


@numba.njit(cache=True)
def density_sos(alt_m):
    """(density kg/m^3, speed of sound m/s) at one altitude; density 0 above 1000 km."""
    if alt_m > 1.0e6:
        return 0.0, _SOS[_SOS.size - 1]
    return np.exp(_interp(_LOG_RHO, alt_m)), _interp(_SOS, alt_m)


@numba.njit(cache=True)
def _vector(table, alt_m, log):
    out = np.empty(alt_m.size)
    for i in range(alt_m.size):
        v = _interp(table, alt_m[i])
        out[i] = np.exp(v) if log else v
    return out


def _apply(table, alt_m, log):
    alt = np.asarray(alt_m, dtype=float)
    return _vector(table, alt.ravel(), log).reshape(alt.shape)


def density_kgm3(alt_m):
    """Air density (kg/m^3) at geometric altitude(s) in metres; 0 above 1000 km."""
    alt = np.asarray(alt_m, dtype=float)
    return np.where(alt > TOP_M, 0.0, _apply(_LOG_RHO, alt, True))


def pressure_pa(alt_m):
    alt = np.asarray(alt_m, dtype=float)
    return np.where(alt > TOP_M, 0.0, _apply(_LOG_P, alt, True))


def temperature_k(alt_m):
    return _apply(_T_K, alt_m, False)


def speed_of_sound_mps(alt_m):
    return _apply(_SOS, alt_m, False)

"""Radar detection and accuracy of one look: SNR from the radar equation scaled to the catalog's
reference range, Swerling I detection probability, range and monopulse angle sigmas, and the search
looks of many sensors against many trajectories (`looks`). The conventions are in `sensors`' doc.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numba
import numpy as np

from bmdcoop.errors import InputError
from bmdcoop.physics import earth as _earth
from bmdcoop.sensing.visibility import visibility

if TYPE_CHECKING:
    from bmdcoop.sensing.sensors import SensorArray, SensorType

PFA = 1e-6
PD_REF = 0.9
SNR_REF = math.log(PFA) / math.log(PD_REF) - 1.0   # 130.1 = 21.1 dB: Pd 0.9 for Swerling I
MONOPULSE_KM = 1.6        # Barton 2005: sigma_angle = beamwidth / (1.6 sqrt(2 SNR))
ACCURACY_FLOOR = 1.0 / 50.0  # bias floor: never better than 1/50 of beamwidth or resolution


@numba.vectorize(["float64(float64, float64, float64, float64)"], cache=True)
def look_snr(range_ref_m, ref_rcs_m2, rcs_m2, range_m):
    """Single-look SNR (linear) from the radar equation scaled to a reference range:
    SNR_REF (RCS / ref) (range_ref / R)^4 (a ufunc, also called inside the numba kernels)."""
    return SNR_REF * (rcs_m2 / ref_rcs_m2) * (range_ref_m / range_m) ** 4


@numba.vectorize(["float64(float64, float64)"], cache=True)
def sigma_range_m(range_resolution_m, snr):
    """Range 1-sigma of one look: resolution / sqrt(2 SNR), never below 1/50 of the resolution."""
    return max(range_resolution_m / math.sqrt(2.0 * max(snr, 1e-12)), range_resolution_m * ACCURACY_FLOOR)


@numba.vectorize(["float64(float64, float64)"], cache=True)
def sigma_angle_rad(beamwidth_rad, snr):
    """Monopulse angle 1-sigma of one look: beamwidth / (1.6 sqrt(2 SNR)), floor 1/50 beamwidth."""
    return max(beamwidth_rad / (MONOPULSE_KM * math.sqrt(2.0 * max(snr, 1e-12))), beamwidth_rad * ACCURACY_FLOOR)


def radar_snr(stype: SensorType, range_m, rcs_m2) -> np.ndarray:
    """Single-look SNR (linear) of a search look from the radar equation scaled to the catalog's
    reference range."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return look_snr(stype.range_m, stype.ref_rcs_m2, np.asarray(rcs_m2, dtype=float),
                        np.asarray(range_m, dtype=float))


def swerling1_pd(snr, pfa: float = PFA) -> np.ndarray:
    """Swerling I single-look detection probability, Pd = Pfa^(1/(1+SNR)) (Skolnik 2001, eq. 2.49)."""
    snr = np.asarray(snr, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.where(snr > 0, np.exp(math.log(pfa) / (1.0 + np.nan_to_num(snr, nan=0.0))), 0.0)


def radar_sigmas(stype: SensorType, snr) -> tuple[np.ndarray, np.ndarray]:
    """(sigma_range_m, sigma_angle_rad) of one look at linear SNR `snr`, with the bias floor."""
    snr = np.asarray(snr, dtype=float)
    return sigma_range_m(stype.range_resolution_m, snr), sigma_angle_rad(stype.beamwidth_rad, snr)


@dataclass
class Looks:
    """Detection picture of S sensors against N trajectories on M shared samples."""

    t_s: np.ndarray           # (M,)
    visible: np.ndarray       # (S, N, M) geometric line of sight and field of view (+ IR plume rule)
    range_m: np.ndarray       # (S, N, M) slant range, NaN after impact
    snr: np.ndarray           # (S, N, M) single-look SNR (linear); inf for visible IR samples
    detectable: np.ndarray    # (S, N, M) visible and SNR >= SNR_REF (Pd >= 0.9); IR: visible
    pd: np.ndarray            # (S, N, M) Swerling I single-look Pd (1 for visible IR samples)


def looks(sensors: SensorArray, t_s, r_ecef_m, *, rcs_m2=0.1, boost_end_s=None) -> Looks:
    """Visibility, SNR and detection of every sensor against every sample, for search looks.

    rcs_m2: scalar, (N,) or (N, M) radar cross section of each target sample.
    boost_end_s: (N,) end of powered flight (infrared sees only t <= boost_end_s); without it
      infrared sensors see nothing.
    """
    t = np.asarray(t_s, dtype=float)
    r = np.asarray(r_ecef_m, dtype=float)
    if r.ndim == 2:
        r = r[None]
    vis, rng = visibility(sensors, r)
    n, m = r.shape[0], r.shape[1]
    if t.shape != (m,):
        raise InputError(f"t_s has shape {t.shape}, expected ({m},) to match the trajectories")
    rcs = np.broadcast_to(np.asarray(rcs_m2, dtype=float).reshape((-1, 1) if np.ndim(rcs_m2) == 1 else np.shape(rcs_m2)), (n, m))
    if np.any(~(rcs > 0)):
        raise InputError("rcs_m2 must be > 0 everywhere")
    snr = np.zeros(vis.shape)
    det = np.zeros(vis.shape, dtype=bool)
    pd = np.zeros(vis.shape)
    ir = sensors.is_infrared
    alt = None
    if ir.any():
        alt = _earth.altitude_m(r, sensors.earth)
        boost = (np.zeros(n) - np.inf) if boost_end_s is None else np.asarray(boost_end_s, dtype=float).reshape(n)
        thrusting = t[None, :] <= boost[:, None]
    for s, st in enumerate(sensors.types):
        if st.kind == "radar":
            snr[s] = np.where(vis[s], radar_snr(st, rng[s], rcs), 0.0)
            det[s] = vis[s] & (snr[s] >= SNR_REF * (1.0 - 1e-12))
            pd[s] = np.where(vis[s], swerling1_pd(snr[s]), 0.0)
        else:
            with np.errstate(invalid="ignore"):
                vis[s] &= thrusting & (alt >= st.cloud_top_m)
            snr[s] = np.where(vis[s], np.inf, 0.0)
            det[s] = vis[s]
            pd[s] = vis[s].astype(float)
    return Looks(t, vis, rng, snr, det, pd)

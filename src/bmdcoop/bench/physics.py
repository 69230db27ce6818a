"""Physics benchmarks: batched propagation against scipy's solve_ivp one trajectory at a time."""
from __future__ import annotations

import numba
import numpy as np

from bmdcoop.bench import BenchResult, Timer, benchmark
from bmdcoop.earth import enu_to_ecef_vector, geodetic_to_ecef
from bmdcoop.propagate import Forces, propagate
from bmdcoop.propagate_reference import reference_ballistic

# A re-entry vehicle of ICBM class: 600 kg, 0.35 m^2 base area and a slender-cone Cd(Mach)
# (Cd ~0.1 hypersonic, rising through the transonic) - ballistic coefficient m/(Cd A) ~ 17,000
# kg/m^2, inside the 10^4 - 10^5 kg/m^2 band public analyses give for modern RVs.
RV_MASS_KG = 600.0
RV_AREA_M2 = 0.35
RV_CD_MACH = (np.array([0.0, 0.8, 1.0, 1.2, 2.0, 5.0, 25.0]), np.array([0.12, 0.12, 0.2, 0.2, 0.13, 0.1, 0.1]))
BENCH_RTOL, BENCH_ATOL_M = 1e-8, 0.1
BASELINE_ATOL = 1e-2  # scipy applies one atol to positions (m) and velocities (m/s)
FULL_FORCES = Forces(earth="wgs84", rotation=True, j2=True, drag=True)


def icbm_burnout_states(n: int, seed: int = 0):
    """n burnout states of ICBM class: 150-250 km up, 6.5-7.2 km/s, 15-30 deg, any azimuth."""
    rng = np.random.default_rng(seed)
    lat = rng.uniform(-60, 70, n)
    lon = rng.uniform(-180, 180, n)
    alt = rng.uniform(150e3, 250e3, n)
    speed = rng.uniform(6500.0, 7200.0, n)
    gamma = np.radians(rng.uniform(15.0, 30.0, n))
    az = np.radians(rng.uniform(0.0, 360.0, n))
    v_enu = np.stack([speed * np.cos(gamma) * np.sin(az), speed * np.cos(gamma) * np.cos(az),
                      speed * np.sin(gamma)], axis=-1)
    return geodetic_to_ecef(lat, lon, alt), enu_to_ecef_vector(v_enu, lat, lon)


def _rv(**kw):
    return dict(rtol=BENCH_RTOL, atol_m=BENCH_ATOL_M, mass_kg=RV_MASS_KG, area_m2=RV_AREA_M2,
                cd_mach=RV_CD_MACH, forces=FULL_FORCES, **kw)


@benchmark("propagate-10k-icbm")
def propagate_10k_icbm(n: int = 10_000, n_baseline: int = 12) -> BenchResult:
    """10,000 ICBM trajectories (rotation, J2, drag) to impact on one core vs solve_ivp per trajectory.

    Both sides run at the same tolerance, rtol 1e-8 (about 0.3 m at impact for either, far inside
    the 10 m / 0.05 s bar): the fast kernel on all n on one thread, scipy DOP853 on `n_baseline`
    trajectories, timed and scaled to n. Accuracy of both is measured against DOP853 at
    rtol 1e-12 on those trajectories.
    """
    r0, v0 = icbm_burnout_states(n, seed=2024)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        propagate(r0[:2], v0[:2], **_rv())  # compile / load the cache outside the timing
        with Timer() as fast_t:
            fast = propagate(r0, v0, **_rv())
    finally:
        numba.set_num_threads(threads)
    worst_m = worst_s = base_worst_m = 0.0
    base_seconds = 0.0
    for i in range(n_baseline):
        kw = dict(mass_kg=RV_MASS_KG, area_m2=RV_AREA_M2, cd_mach=RV_CD_MACH, forces=FULL_FORCES)
        with Timer() as bt:
            t_b, r_b, _ = reference_ballistic(r0[i], v0[i], rtol=BENCH_RTOL, atol=BASELINE_ATOL, **kw)
        base_seconds += bt.seconds
        t_ref, r_ref, _ = reference_ballistic(r0[i], v0[i], **kw)
        worst_m = max(worst_m, float(np.linalg.norm(fast.impact_r_ecef_m[i] - r_ref)))
        worst_s = max(worst_s, abs(float(fast.impact_t_s[i]) - t_ref))
        base_worst_m = max(base_worst_m, float(np.linalg.norm(r_b - r_ref)))
    return BenchResult(
        name="propagate-10k-icbm", seconds=fast_t.seconds,
        baseline=f"scipy solve_ivp DOP853 rtol {BENCH_RTOL:g} per trajectory ({n_baseline} timed, scaled to {n})",
        baseline_seconds=base_seconds / n_baseline * n, accuracy_m=worst_m,
        extra={"trajectories": n, "threads": 1, "worst_impact_time_error_s": worst_s,
               "baseline_worst_error_m": base_worst_m, "mean_steps": float(fast.steps.mean())})

"""Sensing benchmarks: visibility of many threat trajectories from many sensors."""
from __future__ import annotations

import numpy as np

from bmdcoop.bench import BenchResult, Timer, benchmark
from bmdcoop.physics.earth import enu_to_ecef_vector, geodetic_to_ecef
from bmdcoop.physics.propagate import Forces, propagate
from bmdcoop.sensing.sensors import place_sensors, visibility, visibility_reference

_TYPES = ("an-tpy-2", "aegis-spy-1", "uewr", "uewr-3face", "sbx", "voronezh-m", "voronezh-dm", "don-2n", "sbirs-geo")


def threat_set(n: int, seed: int = 0):
    """n ballistic threats from burnout (60-150 km up, 2.5-7 km/s, 20-45 deg) over Eurasia,
    sampled every 1 s to impact (drag and rotation on)."""
    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(25, 60, n), rng.uniform(30, 90, n)
    alt, speed = rng.uniform(60e3, 150e3, n), rng.uniform(2500.0, 7000.0, n)
    gam, az = np.radians(rng.uniform(20, 45, n)), np.radians(rng.uniform(0, 360, n))
    v = np.stack([speed * np.cos(gam) * np.sin(az), speed * np.cos(gam) * np.cos(az), speed * np.sin(gam)], -1)
    tr = propagate(geodetic_to_ecef(lat, lon, alt), enu_to_ecef_vector(v, lat, lon), mass_kg=600.0, area_m2=0.35,
                   cd_mach=((0.0, 1.0, 5.0), (0.12, 0.2, 0.1)), forces=Forces(), t_max_s=3000.0, sample_dt_s=1.0)
    return tr.t_s, tr.r_ecef_m


def sensor_set(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(n):
        typ = _TYPES[i % len(_TYPES)]
        spec = {"id": f"s{i}", "type": typ, "party": "p", "lat_deg": float(rng.uniform(20, 70)),
                "lon_deg": float(rng.uniform(-10, 100)), "boresight_az_deg": float(rng.uniform(0, 360))}
        if typ == "sbirs-geo":
            spec["lat_deg"] = 0.0
        specs.append(spec)
    return place_sensors(specs)


@benchmark("visibility-100x50")
def visibility_100x50(n_threats: int = 100, n_sensors: int = 50, n_base_sensors: int = 2,
                      n_base_threats: int = 3) -> BenchResult:
    """Line of sight + field of view of 100 trajectories (1 s samples) from 50 sensors, numba kernel
    on all threads, vs the plain-Python per-sample loop (`visibility_reference`) on a subset,
    scaled to the full count. The subset's answers are compared one by one."""
    t_s, r = threat_set(n_threats)
    sens = sensor_set(n_sensors)
    visibility(sens, r[:1, :5])                  # compile / load the cache outside the timing
    with Timer() as fast_t:
        vis, _ = visibility(sens, r)
    finite = np.isfinite(r[..., 0])
    samples = int(finite.sum()) * n_sensors
    mismatches, base_samples, base_seconds = 0, 0, 0.0
    for s in range(n_base_sensors):
        st = sens.types[s]
        args = (sens.r_ecef_m[s].tolist(), sens.enu[s].tolist(), float(sens.boresight_az_deg[s]), st.az_coverage_deg,
                st.min_elevation_deg, st.max_elevation_deg)
        for j in range(n_base_threats):
            pts = r[j][finite[j]].tolist()
            with Timer() as bt:
                ref = [visibility_reference(*args, p) for p in pts]
            base_seconds += bt.seconds
            base_samples += len(pts)
            mismatches += int(np.sum(np.array(ref) != vis[s, j][finite[j]]))
    return BenchResult(
        name="visibility-100x50", seconds=fast_t.seconds,
        baseline=f"plain-Python per-sample loop ({base_samples} samples timed, scaled to {samples})",
        baseline_seconds=base_seconds / base_samples * samples, accuracy_m=None,
        extra={"sensors": n_sensors, "trajectories": n_threats, "samples_per_trajectory_max": int(t_s.size),
               "sensor_samples": samples, "visible_fraction": float(vis.mean()),
               "baseline_mismatches": mismatches})

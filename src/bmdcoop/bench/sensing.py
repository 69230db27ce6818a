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


def _rss_peak_mib() -> float:
    """Peak resident memory of this process since the last reset (Linux /proc; NaN elsewhere)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def _reset_rss_peak() -> float:
    """Reset the peak-RSS mark (Linux >= 4.0) and return the current RSS (MiB)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def raid_threats(n_threats: int, n_aimpoints: int = 400, seed: int = 11):
    """n_threats catalog 4,000 km missiles (powered flight + ballistic, rotating WGS-84, drag) from
    Tabriz: `n_aimpoints` solved trajectories to random reachable aimpoints in Europe, each also
    rotated about the Earth's axis by up to +-2.5 deg (an exact symmetry of the model: launch and
    aimpoint shifted in longitude) to make n_threats distinct trajectories on a 1 s grid."""
    from bmdcoop.engagement.footprint import catalog_threats, reachable_aimpoints

    rng = np.random.default_rng(seed)
    lat_l, lon_l = 38.08, 46.29
    cand_lat, cand_lon = rng.uniform(36.0, 56.0, 4 * n_aimpoints), rng.uniform(0.0, 40.0, 4 * n_aimpoints)
    ok = reachable_aimpoints("iran-4000km", lat_l, lon_l, cand_lat, cand_lon)
    aim_lat, aim_lon = cand_lat[ok][:n_aimpoints], cand_lon[ok][:n_aimpoints]
    ts = catalog_threats("iran-4000km", lat_l, lon_l, aim_lat, aim_lon, sample_dt_s=1.0)
    base, boost = ts.r_ecef_m, ts.burnout_t_s
    k = rng.integers(0, base.shape[0], n_threats)
    ang = np.radians(rng.uniform(-2.5, 2.5, n_threats))
    c, s = np.cos(ang)[:, None], np.sin(ang)[:, None]
    r = np.empty((n_threats,) + base.shape[1:])
    r[..., 0] = c * base[k, :, 0] - s * base[k, :, 1]
    r[..., 1] = s * base[k, :, 0] + c * base[k, :, 1]
    r[..., 2] = base[k, :, 2]
    return ts.t_s, r, boost[k]


def raid_sensors_and_consumers():
    """NATO's sensors of examples/iran-raid-epaa.yaml near the raid (Kurecik TPY-2, Aegis at Deveselu
    and in the Black Sea, SBIRS) and three consumers: the Deveselu battery (its SPY-1, TPY-2, SBIRS),
    the Black Sea destroyer (its SPY-1, TPY-2 tracks 5 s late) and NATO (all)."""
    from bmdcoop.sensing.firecontrol import Source

    sens = place_sensors([
        {"id": "tpy2-kurecik", "type": "an-tpy-2", "party": "nato", "site": "kurecik", "boresight_az_deg": 95},
        {"id": "spy1-deveselu", "type": "aegis-spy-1", "party": "nato", "site": "deveselu"},
        {"id": "spy1-black-sea", "type": "aegis-spy-1", "party": "nato", "site": "black-sea-aegis"},
        {"id": "sbirs", "type": "sbirs-geo", "party": "nato", "lat_deg": 0.0, "lon_deg": 40.0, "alt_m": 35786e3}])
    consumers = [[Source(1), Source(0), Source(3)], [Source(2), Source(0, 5.0, "tracks")],
                 [Source(0), Source(1), Source(2), Source(3)]]
    return sens, consumers


@benchmark("firecontrol-40k")
def firecontrol_40k(n_threats: int = 40_000, n_baseline: int = 60) -> BenchResult:
    """First fire-control time of 40,000 powered 4,000 km missiles (~1,000 samples each) for three
    consumers over four sensors: `first_fire_control_s` (numba, all threads, chunks of 512, early
    exit) vs the full picture `sensing_picture` computes (every stream over every sample,
    `firecontrol.picture`) on a subset, scaled. Subset answers compared: samples apart (must be 0)."""
    from bmdcoop.sensing.firecontrol import first_fire_control_s, picture

    t_s, r, boost = raid_threats(n_threats)
    sens, consumers = raid_sensors_and_consumers()
    rcs_nm = np.where(t_s[None, :] <= boost[:, None], 1.0, 0.1)     # booster 1 m2, then the RV 0.1 m2
    first_fire_control_s(sens, t_s, r[:2], boost[:2], rcs_nm[:2], consumers)       # compile / load the cache
    rss0 = _reset_rss_peak()
    with Timer() as fast_t:
        fc = first_fire_control_s(sens, t_s, r, boost, rcs_nm, consumers)
    peak = _rss_peak_mib() - rss0
    with Timer() as base_t:
        pic = picture(sens, t_s, r[:n_baseline], boost[:n_baseline], rcs_nm[:n_baseline], consumers)
        ref = np.array([pic.series(c)[3] for c in range(len(consumers))])
    sub = fc[:, :n_baseline]
    same = np.isnan(sub) == np.isnan(ref)
    apart = float(np.abs(np.nan_to_num(sub) - np.nan_to_num(ref)).max()) if same.all() else float("inf")
    full_picture_gib = len(pic.plan.stream_sensor) * n_threats * t_s.size * 36 * 8 / 2**30
    return BenchResult(
        name="firecontrol-40k", seconds=fast_t.seconds,
        baseline=f"full picture (every stream, every sample; what sensing_picture runs), {n_baseline} threats timed, "
                 f"scaled to {n_threats}",
        baseline_seconds=base_t.seconds / n_baseline * n_threats, accuracy_m=None,
        extra={"threats": n_threats, "samples": int(t_s.size), "consumers": len(consumers), "sensors": len(sens),
               "fire_control_fraction": [float(x) for x in np.isfinite(fc).mean(axis=1)],
               "median_fire_control_s": [float(x) for x in np.nanmedian(fc, axis=1)],
               "subset_samples_apart": apart, "kernel_peak_extra_rss_mib": peak,
               "input_r_ecef_mib": r.nbytes / 2**20, "full_picture_histories_gib": full_picture_gib})

"""The fast propagator against closed forms, invariants and a tight scipy DOP853 reference."""
import math

import numpy as np
import pytest

from bmdcoop.physics import earth
from bmdcoop.errors import InputError
from bmdcoop.physics.propagate import Forces, Stages, Steering, propagate
from bmdcoop.physics.propagate_reference import reference_ballistic
from physics_cases import RV_AREA_M2, RV_CD_MACH, RV_MASS_KG, icbm_burnout_states

VACUUM_SPHERE = Forces(earth="sphere", rotation=False, j2=False, drag=False)
FULL = Forces(earth="wgs84", rotation=True, j2=True, drag=True)


def kepler_burnout(range_km, lat=30.0, lon=10.0, az_deg=45.0):
    """Minimum-energy burnout state at the surface of the 6371 km sphere (closed form).

    v^2 = (mu/R) 2 sin(phi/2) / (1 + sin(phi/2)), gamma = pi/4 - phi/4 (e.g. Wheelon, ARS
    Journal 29, 1959; the reference table min_energy_sphere.csv of this project is made from it).
    """
    phi = range_km * 1e3 / earth.R_SPHERE_M
    s = math.sin(phi / 2)
    v = math.sqrt(earth.MU_M3S2 / earth.R_SPHERE_M * 2 * s / (1 + s))
    g = math.pi / 4 - phi / 4
    az = math.radians(az_deg)
    v_enu = [v * math.cos(g) * math.sin(az), v * math.cos(g) * math.cos(az), v * math.sin(g)]
    return earth.geodetic_to_ecef(lat, lon, 0.0, "sphere"), earth.enu_to_ecef_vector(v_enu, lat, lon)


# Closed-form minimum-energy flights, sphere R = 6371 km (min_energy_sphere.csv, made by
# min_energy_sphere.py from the two-body solution): range km -> apogee km, flight time min
MIN_ENERGY_TABLE = [(500, 122.52, 5.456), (1000, 239.94, 7.906), (2000, 458.79, 11.696),
                    (3000, 655.21, 14.917), (5500, 1040.52, 21.930), (7400, 1225.48, 26.617),
                    (10000, 1319.48, 32.183), (12000, 1264.51, 35.719), (15000, 978.09, 39.643)]


def test_closed_form_minimum_energy_flights_to_0p01_percent():
    states = [kepler_burnout(r) for r, _, _ in MIN_ENERGY_TABLE]
    r0 = np.array([s[0] for s in states])
    v0 = np.array([s[1] for s in states])
    tr = propagate(r0, v0, forces=VACUUM_SPHERE)
    rng, _ = earth.geodesic_inverse(30.0, 10.0, tr.impact_lat_deg, tr.impact_lon_deg, "sphere")
    for i, (range_km, apogee_km, tof_min) in enumerate(MIN_ENERGY_TABLE):
        # exact speeds here, so only the table's rounding (2 decimals) limits the comparison
        assert rng[i] / 1e3 == pytest.approx(range_km, rel=1e-4)
        assert tr.apogee_alt_m[i] / 1e3 == pytest.approx(apogee_km, abs=0.01)
        assert tr.impact_t_s[i] / 60 == pytest.approx(tof_min, abs=0.001)


def test_energy_and_angular_momentum_conserved_to_1e_9_without_drag_and_j2():
    # at rtol 1e-10 (the default 1e-9 conserves energy to a few 1e-9, which is ~1 cm in position)
    r0, v0 = kepler_burnout(10_000.0)
    tr = propagate(r0, v0, forces=VACUUM_SPHERE, sample_dt_s=10.0, rtol=1e-10, atol_m=1e-3)
    r, v = tr.r_ecef_m[0], tr.v_ecef_mps[0]
    ok = np.isfinite(r[:, 0])
    r, v = r[ok], v[ok]
    energy = 0.5 * np.sum(v * v, axis=1) - earth.MU_M3S2 / np.linalg.norm(r, axis=1)
    h = np.linalg.norm(np.cross(r, v), axis=1)
    assert np.max(np.abs(energy / energy[0] - 1)) < 1e-9
    assert np.max(np.abs(h / h[0] - 1)) < 1e-9
    # at impact too
    e_imp = 0.5 * tr.impact_v_ecef_mps[0] @ tr.impact_v_ecef_mps[0] - earth.MU_M3S2 / np.linalg.norm(
        tr.impact_r_ecef_m[0])
    assert abs(e_imp / energy[0] - 1) < 1e-9


def test_icbm_impacts_match_dop853_within_10_m_and_0p05_s_with_rotation_j2_and_drag():
    r0, v0 = icbm_burnout_states(6, seed=3)
    fast = propagate(r0, v0, mass_kg=RV_MASS_KG, area_m2=RV_AREA_M2, cd_mach=RV_CD_MACH, forces=FULL)
    for i in range(len(r0)):
        t_ref, r_ref, _ = reference_ballistic(r0[i], v0[i], mass_kg=RV_MASS_KG, area_m2=RV_AREA_M2,
                                              cd_mach=RV_CD_MACH, forces=FULL)
        assert abs(fast.impact_t_s[i] - t_ref) < 0.05  # seconds (issue 3 accuracy bar)
        assert np.linalg.norm(fast.impact_r_ecef_m[i] - r_ref) < 10.0  # metres


def test_rotation_changes_range_like_a_rotating_frame_integration():
    """Eastward flight gains range, westward loses it; the fast kernel agrees with DOP853."""
    lat, lon = 40.0, 40.0
    ranges = {}
    for az in (90.0, 270.0):
        g = math.radians(35.0)
        v_enu = [7000 * math.cos(g) * math.sin(math.radians(az)), 7000 * math.cos(g) * math.cos(math.radians(az)),
                 7000 * math.sin(g)]
        r0 = earth.geodetic_to_ecef(lat, lon, 0.0)
        v0 = earth.enu_to_ecef_vector(v_enu, lat, lon)
        forces = Forces(drag=False)
        fast = propagate(r0, v0, forces=forces)
        _, r_ref, _ = reference_ballistic(r0, v0, forces=forces)
        lat_r, lon_r, _ = earth.ecef_to_geodetic(r_ref)
        ref_km = earth.geodesic_inverse(lat, lon, lat_r, lon_r)[0] / 1e3
        fast_km = earth.geodesic_inverse(lat, lon, fast.impact_lat_deg[0], fast.impact_lon_deg[0])[0] / 1e3
        assert abs(fast_km - ref_km) < 1.0  # km
        ranges[az] = fast_km
    still = propagate(earth.geodetic_to_ecef(lat, lon, 0.0),
                      earth.enu_to_ecef_vector([7000 * math.cos(math.radians(35.0)), 0, 7000 * math.sin(
                          math.radians(35.0))], lat, lon), forces=Forces(drag=False, rotation=False))
    still_km = earth.geodesic_inverse(lat, lon, still.impact_lat_deg[0], still.impact_lon_deg[0])[0] / 1e3
    assert ranges[90.0] > still_km > ranges[270.0]


def test_batch_and_single_trajectories_give_identical_results():
    r0, v0 = icbm_burnout_states(4, seed=11)
    kw = dict(mass_kg=RV_MASS_KG, area_m2=RV_AREA_M2, cd_mach=RV_CD_MACH, forces=FULL)
    batch = propagate(r0, v0, **kw)
    for i in range(4):
        one = propagate(r0[i], v0[i], **kw)
        assert one.impact_t_s[0] == batch.impact_t_s[i]
        assert np.array_equal(one.impact_r_ecef_m[0], batch.impact_r_ecef_m[i])


def test_samples_agree_with_the_impact_and_stop_there():
    r0, v0 = kepler_burnout(2000.0)
    tr = propagate(r0, v0, forces=VACUUM_SPHERE, sample_dt_s=1.0)
    ok = np.isfinite(tr.r_ecef_m[0, :, 0])
    assert tr.t_s[ok][-1] <= tr.impact_t_s[0] < tr.t_s[ok][-1] + 1.0
    alt = earth.altitude_m(tr.r_ecef_m[0, ok], "sphere")
    assert np.all(alt > -1e-6)
    assert abs(alt.max() - tr.apogee_alt_m[0]) < 50.0  # 1 s samples straddle the apogee


def test_a_two_stage_vertical_launch_reaches_the_rocket_equation_speed_in_vacuum():
    # Tsiolkovsky: dv = Isp g0 ln(m0/m1) per stage, minus gravity loss g * t for a vertical burn
    # (no rotation, sphere, no drag); the vertical launch stays vertical.
    isp, g0 = 280.0, 9.80665
    m_prop, m_dry, payload = np.array([6000.0, 2000.0]), np.array([800.0, 300.0]), 500.0
    burn = np.array([60.0, 40.0])
    mdot = m_prop / burn
    m0 = m_prop.sum() + m_dry.sum() + payload
    r0 = earth.geodetic_to_ecef(0.0, 0.0, 0.0, "sphere")
    tr = propagate(r0, np.zeros(3), mass_kg=m0, stages=Stages(burn[None], (mdot * isp * g0)[None], mdot[None],
                                                                    m_dry[None]),
                   steering=Steering([0.0], [1e9], [0.0], [0.0]), forces=VACUUM_SPHERE, t_max_s=200.0)
    m_a = m0
    dv = 0.0
    for k in range(2):
        dv += isp * g0 * math.log(m_a / (m_a - m_prop[k]))
        m_a -= m_prop[k] + m_dry[k]
    speed = np.linalg.norm(tr.burnout_v_ecef_mps[0])
    r_bo = np.linalg.norm(tr.burnout_r_ecef_m[0])
    # gravity loss: integral of g(r) over the burn, bounded by g at the surface and at burnout
    g_lo, g_hi = earth.MU_M3S2 / r_bo**2, earth.MU_M3S2 / earth.R_SPHERE_M**2
    assert dv - g_hi * 100.0 - 1.0 < speed < dv - g_lo * 100.0 + 1.0
    assert tr.burnout_t_s[0] == pytest.approx(100.0)


def test_non_physical_inputs_are_refused_with_the_field_named():
    r0, v0 = kepler_burnout(1000.0)
    with pytest.raises(InputError, match="mass_kg"):
        propagate(r0, v0, mass_kg=-5.0)
    with pytest.raises(InputError, match="finite"):
        propagate(np.array([np.nan, 0, 0]), v0)


def test_results_do_not_depend_on_the_number_of_threads():
    import numba

    r0, v0 = icbm_burnout_states(64, seed=5)
    kw = dict(mass_kg=RV_MASS_KG, area_m2=RV_AREA_M2, cd_mach=RV_CD_MACH, forces=FULL, sample_dt_s=5.0)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = propagate(r0, v0, **kw)
    finally:
        numba.set_num_threads(threads)
    many = propagate(r0, v0, **kw)
    assert np.array_equal(one.impact_r_ecef_m, many.impact_r_ecef_m)
    assert np.array_equal(one.r_ecef_m, many.r_ecef_m, equal_nan=True)

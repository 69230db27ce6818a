"""Track filter: dynamics against the propagator, Jacobians against finite differences, and filter
consistency (NEES/NIS inside chi-square bounds) over 500 Monte Carlo runs on a ballistic target."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from bmdcoop.physics import earth
from bmdcoop.sensing import tracking as T
from bmdcoop.physics.propagate import Forces, propagate

RADAR_LAT, RADAR_LON, RADAR_ALT = 38.35, 37.79, 1900.0      # Kurecik (PARAMETERS.md)


@pytest.fixture(scope="module")
def ballistic_truth():
    """A medium-range ballistic target over Iran heading north-west: burnout at 35 N 51 E, 80 km
    altitude, 3.6 km/s at 35 deg elevation, azimuth 300 deg; no drag (midcourse), WGS-84, J2, rotation."""
    lat, lon = 35.0, 51.0
    r0 = earth.geodetic_to_ecef(lat, lon, 80e3)
    az, el, spd = np.radians(300.0), np.radians(35.0), 3600.0
    v0 = earth.enu_to_ecef_vector([spd * np.cos(el) * np.sin(az), spd * np.cos(el) * np.cos(az), spd * np.sin(el)],
                                  lat, lon)
    traj = propagate(r0, v0, forces=Forces(drag=False), t_max_s=400.0, sample_dt_s=1.0, rtol=1e-11, atol_m=1e-4)
    return traj.t_s, traj.r_ecef_m[0], traj.v_ecef_mps[0]


def test_rk4_dynamics_match_the_propagator(ballistic_truth):
    """The filter's dynamics model (RK4, 1 s steps) against bmdcoop.physics.propagate (DP5 at rtol 1e-11):
    same physics, so over 300 s they must agree to 0.05 m (integration error of either)."""
    t, r, v = ballistic_truth
    rr, vv = r[0], v[0]
    for _ in range(300):
        rr, vv = T.rk4_step(rr, vv, 1.0)
    assert np.linalg.norm(rr - r[300]) < 0.05
    assert np.linalg.norm(vv - v[300]) < 1e-4


def test_transition_matrix_against_finite_differences(ballistic_truth):
    """Phi(10 s) from the Taylor series vs central differences of the RK4 flow (1 m, 1 mm/s steps).
    Agreement to 1e-5 absolute (the J2 gradient left out of the covariance is ~1e-3 of the
    point-mass gradient, i.e. ~1e-7 in Phi after 10 s)."""
    _, r, v = ballistic_truth
    x0 = np.concatenate([r[50], v[50]])
    phi = T.transition(r[50], 10.0)
    num = np.zeros((6, 6))
    for j, h in enumerate([1.0] * 3 + [1e-3] * 3):
        dx = np.zeros(6)
        dx[j] = h
        rp, vp = T.rk4_step((x0 + dx)[:3], (x0 + dx)[3:], 10.0, 10)
        rm, vm = T.rk4_step((x0 - dx)[:3], (x0 - dx)[3:], 10.0, 10)
        num[:, j] = (np.concatenate([rp, vp]) - np.concatenate([rm, vm])) / (2 * h)
    assert np.abs(phi - num).max() < 1e-5


def test_radar_jacobian_against_finite_differences(ballistic_truth):
    _, r, _ = ballistic_truth
    site = earth.geodetic_to_ecef(RADAR_LAT, RADAR_LON, RADAR_ALT)
    enu = earth.enu_basis(RADAR_LAT, RADAR_LON)
    h = T.radar_jacobian(r[100], site, enu)
    num = np.zeros((3, 3))
    for j in range(3):
        d = np.zeros(3)
        d[j] = 1.0
        num[:, j] = (T.radar_measurement(r[100] + d, site, enu) - T.radar_measurement(r[100] - d, site, enu)) / 2
    assert np.allclose(h[:, :3], num, rtol=1e-6, atol=1e-12)
    assert np.all(h[:, 3:] == 0)


def test_filter_consistency_nees_nis_over_500_monte_carlo_runs(ballistic_truth):
    """500 runs of the EKF on the same ballistic truth with independent radar noise (range 10 m,
    angles 1 mrad, 1 s revisit, Kurecik site) and an initial error drawn from P0.

    Bar-Shalom, Li & Kirubarajan, Estimation with Applications to Tracking and Navigation (2001),
    sec. 5.4: for a consistent filter the run-averaged NEES at each step is chi2(6 N)/N and the
    averaged NIS chi2(3 N)/N. Two-sided 95 % bounds for N = 500: NEES in [5.70, 6.31], NIS in
    [2.79, 3.22]. Expect ~95 % of the 250 steps inside; we require 90 % (steps are correlated),
    and the averages over all steps inside the same bounds."""
    t, r, v = ballistic_truth
    rng = np.random.default_rng(20261124)
    n_runs, steps = 500, 250
    site = earth.geodetic_to_ecef(RADAR_LAT, RADAR_LON, RADAR_ALT)
    enu = earth.enu_basis(RADAR_LAT, RADAR_LON)
    sig_r, sig_a = 10.0, 1e-3
    q = 1e-9                      # the truth has no process noise; a tiny Q for numerical health
    p0 = np.diag([2000.0**2] * 3 + [50.0**2] * 3)
    x_true = np.concatenate([r[:steps + 1], v[:steps + 1]], axis=-1)
    x = x_true[0] + rng.standard_normal((n_runs, 6)) @ np.linalg.cholesky(p0).T
    p = np.broadcast_to(p0, (n_runs, 6, 6)).copy()
    nees, nis = np.zeros(steps), np.zeros(steps)
    for k in range(1, steps + 1):
        x, p = T.ekf_predict(x, p, 1.0, q)
        z_true = T.radar_measurement(x_true[k, :3], site, enu)
        rmeas = T.measurement_noise(sig_r, sig_a, z_true[2])
        z = z_true + rng.standard_normal((n_runs, 3)) @ np.linalg.cholesky(rmeas).T
        x, p, nu, s = T.ekf_update(x, p, z, rmeas, site, enu)
        e = x - x_true[k]
        nees[k - 1] = np.einsum("ni,ni->n", e, np.linalg.solve(p, e[..., None])[..., 0]).mean()
        nis[k - 1] = np.einsum("ni,ni->n", nu, np.linalg.solve(s, nu[..., None])[..., 0]).mean()
    lo6, hi6 = stats.chi2.ppf([0.025, 0.975], 6 * n_runs) / n_runs
    lo3, hi3 = stats.chi2.ppf([0.025, 0.975], 3 * n_runs) / n_runs
    assert 5.69 < lo6 < 5.71 and 6.30 < hi6 < 6.32
    assert np.mean((nees > lo6) & (nees < hi6)) >= 0.90, nees
    assert np.mean((nis > lo3) & (nis < hi3)) >= 0.90, nis
    # the steps share each run's error history, so their grand mean is not much tighter than one
    # step: it must lie inside the single-step bounds (and NIS likewise)
    assert lo6 < nees.mean() < hi6, nees.mean()
    assert lo3 < nis.mean() < hi3, nis.mean()


def test_covariance_model_equals_the_ekf_linearised_at_the_truth(ballistic_truth):
    """covariance_history is the filter's own recursion evaluated along the truth: same P to 1e-9."""
    t, r, v = ballistic_truth
    site = earth.geodetic_to_ecef(RADAR_LAT, RADAR_LON, RADAR_ALT)
    enu = earth.enu_basis(RADAR_LAT, RADAR_LON)
    m = 40
    update = np.zeros((1, m), dtype=bool)
    update[0, 5::2] = True                               # looks every 2 s from t = 5 s
    s = T.TrackSettings(q_coast_m2s3=1e-2)
    hist = T.covariance_history(t[:m], r[None, :m], update, np.full((1, m), 10.0), np.full((1, m), 1e-3),
                                site[None], enu[None], np.full((1, m), 1e-2), s)
    assert np.isnan(hist[0, :5]).all() and np.isfinite(hist[0, 5:]).all()
    p = np.diag([s.init_pos_sigma_m**2] * 3 + [s.init_vel_sigma_mps**2] * 3)
    x = np.concatenate([r[5], v[5]])
    for k in range(5, m):
        if k > 5:
            f = T.transition(r[k - 1], 1.0)
            p = f @ p @ f.T + T.process_noise(1.0, 1e-2)
        if update[0, k]:
            x = np.concatenate([r[k], v[k]])
            z = T.radar_measurement(r[k], site, enu)
            _, p, _, _ = T.ekf_update(x, p, z, T.measurement_noise(10.0, 1e-3, z[2]), site, enu)
        scale = np.sqrt(np.outer(np.diag(p), np.diag(p)))
        assert np.allclose(hist[0, k] / scale, p / scale, atol=1e-9)


def test_more_looks_never_make_the_track_worse(ballistic_truth):
    """Information only adds: with every look instead of every 5th, the worst-axis position sigma
    is never larger (after both tracks start at the same sample)."""
    t, r, _ = ballistic_truth
    site = earth.geodetic_to_ecef(RADAR_LAT, RADAR_LON, RADAR_ALT)
    enu = earth.enu_basis(RADAR_LAT, RADAR_LON)
    m = 120
    update = np.zeros((2, m), dtype=bool)
    update[0, 10:] = True
    update[1, 10::5] = True
    ones = np.ones((2, m))
    hist = T.covariance_history(t[:m], np.broadcast_to(r[:m], (2, m, 3)), update, 10 * ones, 1e-3 * ones,
                                np.broadcast_to(site, (2, 3)), np.broadcast_to(enu, (2, 3, 3)), 1e-2 * ones)
    sig = T.position_sigma_m(hist)
    assert np.all(sig[0, 10:] <= sig[1, 10:] * (1 + 1e-9))
    assert sig[0, -1] < 0.7 * sig[1, -1]          # ~1/sqrt(5) for five times the looks


def test_information_fusion_of_equal_and_missing_tracks():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((6, 6))
    p = a @ a.T + 6 * np.eye(6)
    both = T.fuse(np.stack([p, p]))
    assert np.allclose(both, p / 2, rtol=1e-10)                         # two equal tracks: half
    one = T.fuse(np.stack([p, np.full((6, 6), np.nan)]))
    assert np.allclose(one, p, rtol=1e-10)                              # a missing track adds nothing
    ci = T.fuse(np.stack([p, p]), method="ci")
    assert np.allclose(ci, p, rtol=1e-10)                               # CI never claims the gain
    assert np.isnan(T.fuse(np.full((2, 6, 6), np.nan))).all()


def test_settings_refuse_nonsense():
    from bmdcoop.errors import InputError
    with pytest.raises(InputError, match="fire_control_sigma_m"):
        T.TrackSettings(fire_control_sigma_m=-1.0)

"""Track filter: dynamics against the propagator, Jacobians against finite differences, the
two-point track start, and filter consistency (NEES/NIS inside chi-square bounds) from track start
over 10 seeds x 500 Monte Carlo runs on a ballistic target."""
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


SEEDS = (12345, 20261124, 1, 2, 3, 7, 42, 99, 2024, 31337)


def _nees_runs(truth, seed, n_runs=500, steps=250, sig_r=10.0, sig_a=1e-3, iterations=3):
    """n_runs tracks of the same ballistic truth with independent radar noise (Kurecik site, 1 s
    looks), each started from its own first two measurements (two-point differencing) and then
    updated by the iterated EKF. Returns run-averaged NEES from track start (the second look) and
    NIS from the first update on."""
    _, r, v = truth
    rng = np.random.default_rng(seed)
    site = earth.geodetic_to_ecef(RADAR_LAT, RADAR_LON, RADAR_ALT)
    enu = earth.enu_basis(RADAR_LAT, RADAR_LON)
    x_true = np.concatenate([r[:steps + 1], v[:steps + 1]], axis=-1)

    def look(k):
        z_true = T.radar_measurement(x_true[k, :3], site, enu)
        rmeas = T.measurement_noise(sig_r, sig_a, z_true[2])
        return z_true + rng.standard_normal((n_runs, 3)) @ np.linalg.cholesky(rmeas).T, rmeas

    def nees_at(x, p, k):
        e = x - x_true[k]
        return np.einsum("ni,ni->n", e, np.linalg.solve(p, e[..., None])[..., 0]).mean()

    (z0, r0), (z1, r1) = look(0), look(1)
    x, p = T.two_point_init(z0, z1, 1.0, r0, r1, site, enu, 0.0)
    nees, nis = [nees_at(x, p, 1)], []
    for k in range(2, steps + 1):
        x, p = T.ekf_predict(x, p, 1.0, 1e-9)        # the truth has no process noise; tiny Q for health
        z, rmeas = look(k)
        x, p, nu, s = T.ekf_update(x, p, z, rmeas, site, enu, iterations=iterations)
        nees.append(nees_at(x, p, k))
        nis.append(np.einsum("ni,ni->n", nu, np.linalg.solve(s, nu[..., None])[..., 0]).mean())
    return np.array(nees), np.array(nis)


def test_filter_is_consistent_from_track_start_over_many_seeds(ballistic_truth):
    """Issue 11: a track started from its first two measurements (no prior) is consistent from its
    first step. 10 seeds x 500 runs of the filter on one ballistic truth (range 10 m, angles 1 mrad,
    1 s looks from Kurecik).

    Bar-Shalom, Li & Kirubarajan, Estimation with Applications to Tracking and Navigation (2001),
    sec. 5.4: for a consistent filter the run-averaged NEES at each step is chi2(6 N)/N, NIS
    chi2(3 N)/N. Pooled over the 5,000 runs the two-sided 95 % band is [5.904, 6.096]: we require
    90 % of the 250 steps inside it (measured 93 %), and the NIS likewise. The steps of one seed
    share its 500 error histories, so one seed's fraction of steps in its own 500-run band
    [5.70, 6.31] is a noisy figure (measured 89-100 %; seed 12345, 81 % with the former 50 km /
    3 km/s prior, is now 92 %): each seed's average over its steps must lie inside that band.
    Measured with a single-linearisation EKF instead: pooled 6.3, 0-74 % of steps in band - the
    iterated update is what makes the range-precise radar consistent."""
    runs = [_nees_runs(ballistic_truth, seed) for seed in SEEDS]
    nees, nis = np.array([r[0] for r in runs]), np.array([r[1] for r in runs])
    n = 500 * len(SEEDS)
    lo6, hi6 = stats.chi2.ppf([0.025, 0.975], 6 * n) / n
    lo3, hi3 = stats.chi2.ppf([0.025, 0.975], 3 * n) / n
    assert 5.90 < lo6 < 5.91 and 6.09 < hi6 < 6.10
    pooled, pooled_nis = nees.mean(axis=0), nis.mean(axis=0)
    assert np.mean((pooled > lo6) & (pooled < hi6)) >= 0.90, pooled
    assert np.mean((pooled_nis > lo3) & (pooled_nis < hi3)) >= 0.90, pooled_nis
    assert lo6 < pooled.mean() < hi6 and lo3 < pooled_nis.mean() < hi3
    lo1, hi1 = stats.chi2.ppf([0.025, 0.975], 6 * 500) / 500
    assert np.all((nees.mean(axis=1) > lo1) & (nees.mean(axis=1) < hi1)), nees.mean(axis=1)
    assert np.all(np.abs(nees[:, 0] - 6.0) < 0.6)      # the two-point start itself: within 4 sd of 6


def test_single_linearisation_is_overconfident_after_a_two_point_start(ballistic_truth):
    """Why the update is iterated: with one linearisation the same runs average NEES > 6.1 (seed 31337)."""
    nees, _ = _nees_runs(ballistic_truth, 31337, iterations=1)
    assert nees.mean() > 6.31


def test_two_point_start_matches_the_linear_formula(ballistic_truth):
    """Bar-Shalom et al. (2001) sec. 5.5.3: P = [[R2, R2/T], [R2/T, (R1 + R2)/T^2 + q T/3]] with
    R_i the Cartesian position covariance of look i; a coasting target's velocity is unbiased."""
    _, r, v = ballistic_truth
    site = earth.geodetic_to_ecef(RADAR_LAT, RADAR_LON, RADAR_ALT)
    enu = earth.enu_basis(RADAR_LAT, RADAR_LON)
    z1, z2 = T.radar_measurement(r[10], site, enu), T.radar_measurement(r[15], site, enu)
    rm1, rm2 = T.measurement_noise(10.0, 1e-3, z1[2]), T.measurement_noise(10.0, 1e-3, z2[2])
    x, p = T.two_point_init(z1, z2, 5.0, rm1, rm2, site, enu, q_m2s3=2.0)
    assert np.linalg.norm(x[:3] - r[15]) < 1e-6
    assert np.linalg.norm(x[3:] - v[15]) < 0.5           # O(da/dt T^2): 5 s of ballistic flight
    hp = lambda rr: T.radar_jacobian(rr, site, enu)[:, :3]   # noqa: E731
    c1 = np.linalg.inv(hp(r[10])) @ rm1 @ np.linalg.inv(hp(r[10])).T
    c2 = np.linalg.inv(hp(r[15])) @ rm2 @ np.linalg.inv(hp(r[15])).T
    expect = np.block([[c2, c2 / 5.0], [c2 / 5.0, (c1 + c2) / 25.0 + 2.0 * 5.0 / 3.0 * np.eye(3)]])
    assert np.allclose(p, expect, rtol=1e-9, atol=1e-9)


def test_covariance_model_equals_the_ekf_linearised_at_the_truth(ballistic_truth):
    """covariance_history is the filter's own recursion evaluated along the truth: no covariance
    before the second look, the two-point start there, then predict/update - the same P to 1e-9."""
    t, r, v = ballistic_truth
    site = earth.geodetic_to_ecef(RADAR_LAT, RADAR_LON, RADAR_ALT)
    enu = earth.enu_basis(RADAR_LAT, RADAR_LON)
    m = 40
    update = np.zeros((1, m), dtype=bool)
    update[0, 5::2] = True                               # looks every 2 s from t = 5 s
    hist = T.covariance_history(t[:m], r[None, :m], update, np.full((1, m), 10.0), np.full((1, m), 1e-3),
                                site[None], enu[None], np.full((1, m), 1e-2))
    assert np.isnan(hist[0, :7]).all() and np.isfinite(hist[0, 7:]).all()
    z = T.radar_measurement(r[:m], site, enu)
    rm = T.measurement_noise(10.0, 1e-3, z[:, 2])
    _, p = T.two_point_init(z[5], z[7], 2.0, rm[5], rm[7], site, enu, 1e-2)
    for k in range(7, m):
        if k > 7:
            p = T.predict_covariance(p, r[k - 1], 1.0, 1e-2)
        if update[0, k] and k > 7:                     # the looks at 5 and 7 started the track
            x = np.concatenate([r[k], v[k]])
            _, p, _, _ = T.ekf_update(x, p, z[k], rm[k], site, enu, iterations=1)
        scale = np.sqrt(np.outer(np.diag(p), np.diag(p)))
        assert np.allclose(hist[0, k] / scale, p / scale, atol=1e-9)


def test_more_looks_never_make_the_track_worse(ballistic_truth):
    """Information only adds: with every look instead of every 5th, the worst-axis position sigma
    is never larger once both tracks exist (the sparse one from its second look, t = 15 s)."""
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
    assert np.isnan(sig[1, :15]).all() and np.isfinite(sig[0, 11:]).all()
    assert np.all(sig[0, 15:] <= sig[1, 15:] * (1 + 1e-9))
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
    with pytest.raises(InputError, match="confirm_looks"):
        T.TrackSettings(confirm_looks=1)

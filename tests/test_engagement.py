"""Engagement windows, shoot-look-shoot and debris (issue 6).

Property tests over random geometries: textbook minimum-energy threats (`bmdcoop.engagement.footprint.
ideal_threats`, the footprint tests' threat model) aimed at points near a few fixed batteries
from random directions and distances, with random boost and fire-control track times. The fans
are built once (they are cached per interceptor and site); threats and track times vary.

What must hold (issue 6 "must show" and `bmdcoop.engagement.windows` module doc), each checked against
quantities computed here, not read back from the engagement:

- the window never opens before track + reaction + launch delay (catalog values) plus a flight
  time that is at least the straight distance over the interceptor's top speed;
- it never extends past the time the threat falls below the interceptor's minimum intercept
  altitude (altitudes from `bmdcoop.physics.earth.ecef_to_geodetic`), nor holds a point outside the band
  or beyond the catalog range;
- intercept points lie on the threat trajectory at the intercept time (the threats recomputed
  independently on a 1 s grid);
- shoot-look-shoot: shots are spaced by at least look + launch delay, so their count is at most
  1 + (window length) / (look + launch delay); the greedy sequence cannot be extended;
- earlier cueing never loses an engagement, delays a first intercept or costs a shot;
- debris: the ground point is the foot of the ellipsoid normal through the intercept, and its
  territory is what `bmdcoop.catalog.regions` says for that point.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bmdcoop.physics import earth
from bmdcoop.catalog import regions
from types import SimpleNamespace

from bmdcoop import Battery, catalog
from bmdcoop.engagement.windows import NeverFiresWarning, debris_points, engage
from bmdcoop.errors import InputError
from bmdcoop.engagement.threats import ideal_threats
from bmdcoop.engagement.interceptors import fly_out_fan

MU = earth.MU_M3S2
DT = 2.0           # threat sample step (s)
LOOK_S = 30.0
MAX_SHOTS = 4
SEMNAN = (35.24, 53.92)
WARSAW = (52.23, 21.01)

# (site, interceptor): an exo upper tier, an endo/exo terminal tier, a low tier, a long-range exo
BATTERIES = [("deveselu", "sm-3-ib"), ("deveselu", "thaad"), ("warsaw", "pac-3-mse"), ("redzikowo", "sm-3-iia")]


def _place(site):
    if site == "warsaw":
        return SimpleNamespace(name="warsaw", lat_deg=WARSAW[0], lon_deg=WARSAW[1], alt_m=0.0)
    e = catalog.get("sites", site)
    return SimpleNamespace(name=site, lat_deg=e["lat_deg"], lon_deg=e["lon_deg"], alt_m=e.get("alt_m", 0.0) or 0.0)


@pytest.fixture(scope="module")
def fans():
    out = []
    for site, name in BATTERIES:
        p = _place(site)
        out.append(fly_out_fan(name, p.lat_deg, p.lon_deg, p.alt_m))
    return out


def _speed_cap(fan, P):
    """Upper bound (m/s) on the interceptor's Earth-relative speed on its way to P (..., 3): the
    fastest member's burnout speed, plus what a coast can gain by falling from the highest possible
    burnout radius |L| + v t_b to |P| (energy), plus 5e5 m^2/s^2 for centrifugal potential and J2."""
    v_bo = float(np.nanmax(fan.burnout_speed_mps))
    r_bo = np.linalg.norm(fan.site_ecef_m) + v_bo * fan.spec.burn_time_s
    with np.errstate(invalid="ignore"):
        gain = np.maximum(2 * MU * (1 / np.linalg.norm(P, axis=-1) - 1 / r_bo), 0.0)
    return np.sqrt(v_bo**2 + gain + 5e5)


def _threats(launch_lat, launch_lon, aim_lat, aim_lon, boost_s, dt=DT):
    ts = ideal_threats(launch_lat, launch_lon, aim_lat, aim_lon, boost_s=boost_s, sample_dt_s=dt)
    v = np.gradient(ts.r_ecef_m, ts.t_s, axis=1)   # only enters closing speed / angle
    return ts, (ts.t_s, ts.r_ecef_m, v)


def _at(ts, t_s):
    """Threat positions at times t_s (...,) from a ThreatSet on its own grid (NaN where t is NaN)."""
    t = np.asarray(t_s, float)
    k = np.where(np.isfinite(t), np.round(np.nan_to_num(t) / (ts.t_s[1] - ts.t_s[0])), 0).astype(int)
    assert np.allclose(ts.t_s[k][np.isfinite(t)], t[np.isfinite(t)])   # intercept times are sample times
    return k


def check_engagement(fans, ts, v_threat, eng, track, ts_fine):
    """Every invariant of the module doc for one engage() result; returns the number engaged."""
    t = ts.t_s
    r = ts.r_ecef_m
    n_t, n_b = eng.engageable.shape
    lat_thr, lon_thr, alt_thr = earth.ecef_to_geodetic(r)          # independent altitudes (T, m)
    for b, fan in enumerate(fans):
        spec = fan.spec
        ready = track[:, b] + spec.reaction_s + spec.launch_delay_s
        np.testing.assert_allclose(eng.ready_t_s[:, b], ready)
        for i in range(n_t):
            e = eng.engageable[i, b]
            assert e == (eng.shots[i, b] > 0)
            if not e:
                assert np.isnan(eng.first_intercept_t_s[i, b]) and np.isnan(eng.intercept_lat_deg[i, b])
                assert not eng.feasible[i, b].any()
                continue
            assert np.isfinite(track[i, b])
            feas = eng.feasible[i, b]
            k = np.flatnonzero(feas)
            # the window: only points inside the band and range, after track + delays + a physical flight
            assert np.all((alt_thr[i, k] >= spec.min_alt_m - 1.0) & (alt_thr[i, k] <= spec.max_alt_m + 1.0))
            rng_k = earth.geodesic_inverse(fan.lat_deg, fan.lon_deg, lat_thr[i, k], lon_thr[i, k])[0]
            assert np.all(rng_k <= 1.005 * spec.max_range_m)     # range proxy vs geodesic: < 0.5 %
            chord = np.linalg.norm(r[i, k] - fan.site_ecef_m, axis=-1)
            assert np.all(t[k] >= ready[i] + chord / _speed_cap(fan, r[i, k]))
            first, last = eng.first_intercept_t_s[i, b], eng.last_intercept_t_s[i, b]
            assert (first, last) == (t[k[0]], t[k[-1]])
            above = np.flatnonzero(alt_thr[i] >= spec.min_alt_m)
            assert last <= t[above[-1]]                 # never after the threat drops below the band
            assert first >= t[above[0]]
            assert eng.launch_t_s[i, b] >= ready[i] - 1e-9 and eng.earliest_launch_t_s[i, b] >= ready[i] - 1e-9
            assert eng.earliest_launch_t_s[i, b] <= eng.launch_t_s[i, b] <= eng.latest_launch_t_s[i, b]
            assert eng.flight_time_s[i, b] == pytest.approx(first - eng.launch_t_s[i, b], abs=1e-6)
            assert eng.intercept_alt_m[i, b] == pytest.approx(alt_thr[i, k[0]], abs=1.0)
            assert eng.intercept_range_m[i, b] == pytest.approx(rng_k[0], rel=0.005, abs=500.0)
            # closing geometry is defined (also at the edge of the fan, where the earliest intercepts lie)
            # and bounded by the two speeds: | |v_T| - |v_I| | <= closing <= |v_T| + |v_I|, |v_I| <= cap
            v_thr = float(np.linalg.norm(v_threat[i, k[0]]))
            cap = float(_speed_cap(fan, r[i, k[0]]))
            assert np.isfinite(eng.closing_speed_mps[i, b]) and 0.0 <= eng.closing_angle_deg[i, b] <= 180.0
            assert v_thr - cap - 1.0 <= eng.closing_speed_mps[i, b] <= v_thr + cap + 1.0
            # shoot-look-shoot
            n = int(eng.shots[i, b])
            st_ = eng.sls_intercept_t_s[i, b, :n]
            sl_ = eng.sls_launch_t_s[i, b, :n]
            gap = LOOK_S + spec.launch_delay_s
            assert 1 <= n <= min(MAX_SHOTS, 1 + math.floor((last - first) / gap + 1e-9))
            assert np.isnan(eng.sls_intercept_t_s[i, b, n:]).all()
            assert st_[0] == first and sl_[0] >= ready[i] - 1e-9
            assert np.all(np.diff(st_) >= gap) and np.all(sl_[1:] >= st_[:-1] + gap - 1e-9)
            assert np.all(np.isin(st_, t[k]))
            ks = _at(ts, st_)
            chord_s = np.linalg.norm(r[i, ks] - fan.site_ecef_m, axis=-1)
            assert np.all(st_ - sl_ >= chord_s / _speed_cap(fan, r[i, ks]))
            if n < MAX_SHOTS:   # greedy sequence is maximal: nothing feasible can still be launched in time
                latest = t[k] - fan.reach(r[i, k]).t_min_s
                assert not np.any(latest >= st_[-1] + gap)
            # intercepts lie on the trajectory: the threat recomputed on a 1 s grid, at the intercept times
            p_fine = ts_fine.r_ecef_m[i, np.round(st_ / (ts_fine.t_s[1] - ts_fine.t_s[0])).astype(int)]
            assert np.all(np.linalg.norm(p_fine - r[i, ks], axis=-1) < 50.0)
            # the reported ground points and altitude belong to the independently computed positions
            la, lo = eng.sls_lat_deg[i, b, :n], eng.sls_lon_deg[i, b, :n]
            h_ind = earth.ecef_to_geodetic(p_fine)[2]
            assert np.all(np.linalg.norm(earth.geodetic_to_ecef(la, lo, h_ind) - p_fine, axis=-1) < 50.0)
            assert eng.intercept_alt_m[i, b] == pytest.approx(h_ind[0], abs=50.0)
            # debris: ground point = foot of the ellipsoid normal through the intercept; territory from regions
            foot = earth.geodetic_to_ecef(la, lo, 0.0)
            normal = earth.enu_basis(la, lo)[..., 2, :]
            d = r[i, ks] - foot
            along = np.sum(d * normal, axis=-1)
            assert np.all(np.linalg.norm(d - along[:, None] * normal, axis=-1) < 1.0)   # metres off the normal
            np.testing.assert_allclose(along, alt_thr[i, ks], atol=1.0)
            assert list(eng.sls_country[i, b, :n]) == list(regions.country_at(la, lo))
    return int(eng.engageable.sum())


# ----------------------------------------------------------------------------- random geometries

@st.composite
def geometries(draw):
    b = draw(st.integers(0, len(BATTERIES) - 1))
    n = draw(st.integers(1, 3))
    f = lambda lo, hi: draw(st.lists(st.floats(lo, hi), min_size=n, max_size=n))  # noqa: E731
    return dict(battery=b, aim_km=f(0.0, 400.0), aim_brg=f(0.0, 360.0), range_km=f(700.0, 4500.0),
                launch_brg=f(0.0, 360.0), boost_s=draw(st.lists(st.sampled_from([0.0, 60.0, 120.0, 180.0]),
                                                                   min_size=n, max_size=n)),
                track_u=draw(st.lists(st.one_of(st.floats(0.0, 0.9), st.just(float("nan"))),
                                      min_size=n * len(BATTERIES), max_size=n * len(BATTERIES))),
                earlier_s=draw(st.floats(0.0, 300.0)))


def _geometry_threats(g):
    p = _place(BATTERIES[g["battery"]][0])
    aim_lat, aim_lon = earth.geodesic_direct(p.lat_deg, p.lon_deg, g["aim_brg"], np.array(g["aim_km"]) * 1e3)
    la, lo = earth.geodesic_direct(aim_lat, aim_lon, g["launch_brg"], np.array(g["range_km"]) * 1e3)
    return (la, lo, aim_lat, aim_lon), np.array(g["boost_s"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(geometries())
def test_engagement_window_properties(fans, g):
    pts, boost = _geometry_threats(g)
    ts, threat = _threats(*pts, boost)
    ts_fine = ideal_threats(*pts, boost_s=boost, sample_dt_s=1.0)
    n = ts.n
    u = np.array(g["track_u"]).reshape(n, len(fans))
    track = ts.burnout_t_s[:, None] + u * (ts.impact_t_s - ts.burnout_t_s)[:, None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NeverFiresWarning)
        eng = engage(threat, fans, track, look_s=LOOK_S, max_shots=MAX_SHOTS, keep_feasible=True)
        early = engage(threat, fans, track - g["earlier_s"], look_s=LOOK_S, max_shots=MAX_SHOTS)
    engaged = check_engagement(fans, ts, threat[2], eng, track, ts_fine)
    event(f"pairs engaged: {min(engaged, 3)}{'+' if engaged >= 3 else ''}")
    # earlier cueing never loses an engagement, never delays the first intercept, never costs a shot
    assert np.all(early.engageable >= eng.engageable)
    both = eng.engageable
    assert np.all(early.first_intercept_t_s[both] <= eng.first_intercept_t_s[both])
    assert np.all(early.shots >= eng.shots)
    # vectorised over threats x batteries = one pair at a time
    i, b = n - 1, g["battery"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NeverFiresWarning)
        one = engage((threat[0], threat[1][i:i + 1], threat[2][i:i + 1]), [fans[b]], track[i:i + 1, b:b + 1],
                     look_s=LOOK_S, max_shots=MAX_SHOTS)
    assert one.engageable[0, 0] == eng.engageable[i, b] and one.shots[0, 0] == eng.shots[i, b]
    np.testing.assert_array_equal(one.sls_intercept_t_s[0, 0], eng.sls_intercept_t_s[i, b])


@pytest.mark.parametrize("b, aim_brg, aim_km, launch_brg, range_km, boost", [
    (0, 0.0, 0.0, 120.0, 2000.0, 120.0),        # SM-3 IB, threat aimed at Deveselu from the south-east
    (1, 90.0, 50.0, 110.0, 1500.0, 60.0),       # THAAD near its own site
    (2, 0.0, 20.0, 130.0, 2800.0, 120.0),       # PAC-3 MSE, threat on Warsaw from the Iran direction
    (3, 200.0, 300.0, 80.0, 2500.0, 180.0),     # SM-3 IIA Redzikowo, threat overflying toward Germany
])
def test_known_geometries_engage_and_obey_the_invariants(fans, b, aim_brg, aim_km, launch_brg, range_km, boost):
    """Deterministic cases where an engagement must exist, so the invariants above are exercised
    on real windows, not only on empty ones. Track at burnout + 30 s (space-IR-like cueing)."""
    g = dict(battery=b, aim_km=[aim_km], aim_brg=[aim_brg], range_km=[range_km], launch_brg=[launch_brg],
             boost_s=[boost])
    pts, boost_a = _geometry_threats(g)
    ts, threat = _threats(*pts, boost_a)
    ts_fine = ideal_threats(*pts, boost_s=boost_a, sample_dt_s=1.0)
    track = np.full((1, len(fans)), ts.burnout_t_s[0] + 30.0)
    eng = engage(threat, fans, track, look_s=LOOK_S, max_shots=MAX_SHOTS, keep_feasible=True)
    check_engagement(fans, ts, threat[2], eng, track, ts_fine)
    assert eng.engageable[0, b]
    assert eng.shots[0, b] >= 1 and eng.closing_speed_mps[0, b] > 1000.0


# ----------------------------------------------------------------------------- debris territory

def test_intercept_over_poland_is_over_nato_territory(fans):
    # a threat from Semnan aimed at Warsaw, engaged by the PAC-3 MSE battery in Warsaw (60 km reach):
    # every intercept of that battery is over Poland, a NATO member (regions.yaml: nato)
    ts, threat = _threats(SEMNAN[0], SEMNAN[1], WARSAW[0], WARSAW[1], 120.0)
    track = np.array([[np.nan, np.nan, ts.burnout_t_s[0] + 60.0, np.nan]])
    with pytest.warns(NeverFiresWarning):
        eng = engage(threat, fans, track, look_s=LOOK_S, max_shots=MAX_SHOTS)
    assert eng.engageable[0, 2] and eng.shots[0, 2] >= 1
    rows = [d for d in debris_points(eng) if d["battery"] == eng.battery_ids[2]]
    assert len(rows) == eng.shots[0, 2]
    for d in rows:
        assert d["country"] == "POL"
        assert earth.geodesic_inverse(WARSAW[0], WARSAW[1], d["lat_deg"], d["lon_deg"])[0] < 60e3
        assert "nato" in regions.parties_at(d["lat_deg"], d["lon_deg"])[0]
        assert regions.in_party(d["lat_deg"], d["lon_deg"], "nato")
    assert eng.debris_country[0, 2] == "POL"
    row = eng.row(0, 2)
    assert row["debris"][0]["country"] == "POL" and row["intercept_alt_m"] <= 36e3


def test_debris_over_the_black_sea_and_romania(fans):
    # SM-3 IB at Deveselu against a threat from Semnan aimed at Deveselu: the first shot meets it
    # near the 700 km catalog range, toward the east-south-east, i.e. over the western Black Sea (open
    # water between 42.3 and 44.2 N, 30.5 and 37.5 E: south of Crimea, north of the Turkish coast);
    # a second shot, if it fits, is closer in, over Romania.
    site = _place("deveselu")
    ts, threat = _threats(SEMNAN[0], SEMNAN[1], site.lat_deg + 0.2, site.lon_deg + 0.2, 120.0)
    track = np.array([[ts.burnout_t_s[0] + 30.0, np.nan, np.nan, np.nan]])
    with pytest.warns(NeverFiresWarning):
        eng = engage(threat, fans, track, look_s=LOOK_S, max_shots=MAX_SHOTS)
    assert eng.engageable[0, 0]
    lat, lon = eng.sls_lat_deg[0, 0, 0], eng.sls_lon_deg[0, 0, 0]
    rng, az = earth.geodesic_inverse(site.lat_deg, site.lon_deg, lat, lon)
    assert 300e3 < rng <= 700e3 and 90.0 < az < 130.0
    assert 42.3 < lat < 44.2 and 30.5 < lon < 37.5
    assert eng.debris_country[0, 0] == ""
    assert regions.parties_at(lat, lon) == [[]]
    n = int(eng.shots[0, 0])
    for s in range(1, n):
        la, lo = eng.sls_lat_deg[0, 0, s], eng.sls_lon_deg[0, 0, s]
        if earth.geodesic_inverse(site.lat_deg, site.lon_deg, la, lo)[0] < 100e3:   # well inside Romania
            assert eng.sls_country[0, 0, s] == "ROU" and regions.in_party(la, lo, "nato")
    assert np.isnan(eng.sls_lat_deg[0, 0, n:]).all() and set(eng.sls_country[0, 0, n:]) <= {""}


# ----------------------------------------------------------------------------- bad input and warnings

def test_battery_without_a_track_never_fires_and_is_warned(fans):
    ts, threat = _threats(SEMNAN[0], SEMNAN[1], 44.3, 24.6, 120.0)
    track = np.array([[ts.burnout_t_s[0] + 30.0, np.nan, np.nan, np.nan]])
    with pytest.warns(NeverFiresWarning, match="can never fire"):
        eng = engage(threat, fans, track)
    assert list(eng.never_fires) == [False, True, True, True]
    assert not eng.engageable[:, 1:].any() and (eng.shots[:, 1:] == 0).all()
    assert any("can never fire" in w for w in eng.warnings)
    assert eng.engageable[0, 0]   # the cued battery still engages (threat aimed near Deveselu)


def test_engage_bad_input(fans):
    ts, threat = _threats(SEMNAN[0], SEMNAN[1], 44.3, 24.6, 120.0)
    with pytest.raises(InputError, match="did you mean 'sm-3-ib'"):
        engage(threat, [Battery.model_construct(id="x", party="p", lat_deg=44.08, lon_deg=24.40, alt_m=0.0,
                                                interceptor="sm-3-ibb", rounds=1)], 200.0)
    with pytest.raises(InputError, match="track_t_s"):
        engage(threat, fans, np.zeros((3, 2)))
    with pytest.raises(InputError, match="reaction_s"):
        engage(threat, fans, 200.0, reaction_s=-5.0)
    with pytest.raises(InputError, match="no batteries"):
        engage(threat, [], 200.0)
    with pytest.raises(InputError, match="threats"):
        engage((ts.t_s, ts.r_ecef_m[:, :10], ts.r_ecef_m), fans, 200.0)

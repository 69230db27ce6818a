"""The numba kernels of `firecontrol`: radar streams, infrared reports, fusion, first fire control.

A stream is one radar looking at one threat, sample by sample (`_stream_step`: search or cued look,
detection, the track filter's step); `_ir_report` is an infrared sensor's report of a boost;
`_fused_at` is a consumer's fused covariance at a sample (its sources, with latency);
`_first_fc_kernel` runs the streams of each threat only as far as its consumers need (early exit
at fire control); `_run_streams` and `_consumer_series` run them over every sample for the full
picture. See `firecontrol` for the model and the numpy API.
"""
from __future__ import annotations

import math

import numba
import numpy as np

from bmdcoop.physics.kernels import altitude_latitude as _altitude_latitude
from bmdcoop.sensing import filter_kernels as _fk
from bmdcoop.sensing.detection import SNR_REF, look_snr, sigma_angle_rad, sigma_range_m
from bmdcoop.sensing.visibility import _sight

_TOL = 1e-9
# stream state columns
_NEXT, _COUNT, _K1, _KFIRST, _KTRACK, _KP = range(6)
# sensor_params columns after the 8 geometry arrays of SensorArray.geometry_arrays()
_IS_IR, _RANGE_REF, _REF_RCS, _GAIN4, _STEP_SEARCH, _STEP_TRACK, _RES, _BW, _CLOUD, _DELAY, _A, _E2 = range(8, 20)


@numba.njit(cache=True)
def _threat_row(t, r_n, boost, a_m, e2, q_boost, q_coast, q_reentry, reentry_alt, q_out):
    """Process-noise density q (M,) of one threat - boost while t <= boost end, re-entry from the
    descending crossing of `reentry_alt` on, coast between - and its last finite sample (-1: none).
    Altitude is evaluated only around the crossing (apogee: the farthest sample from the centre)."""
    last, apo, r2max = -1, -1, -1.0
    for k in range(t.size):
        x = r_n[k, 0]
        if x == x:
            last = k
            r2 = x * x + r_n[k, 1] ** 2 + r_n[k, 2] ** 2
            if r2 > r2max:
                r2max, apo = r2, k
    k_re = last + 1
    while k_re - 1 > apo:
        h, _ = _altitude_latitude(r_n[k_re - 1, 0], r_n[k_re - 1, 1], r_n[k_re - 1, 2], a_m, e2)
        if h >= reentry_alt:
            break
        k_re -= 1
    for k in range(t.size):
        q_out[k] = q_boost if t[k] <= boost else (q_reentry if k >= k_re else q_coast)
    return last


@numba.njit(parallel=True, cache=True)
def _threat_rows(t, r, boost, a_m, e2, q_boost, q_coast, q_reentry, reentry_alt, q, last):
    for n in numba.prange(r.shape[0]):
        last[n] = _threat_row(t, r[n], boost[n], a_m, e2, q_boost, q_coast, q_reentry, reentry_alt, q[n])


@numba.njit(cache=True)
def _ir_report(s, sp, r_n, boost, t):
    """Time (s) of infrared sensor s's report on one threat: the first scan that sees the plume
    (line of sight, thrusting, above the cloud tops) plus the processing delay; inf if never."""
    step = sp[_STEP_SEARCH][s]
    for k in range(0, t.size, step):
        if t[k] > boost:
            break
        x = r_n[k, 0]
        if not (x == x) or _altitude_latitude(x, r_n[k, 1], r_n[k, 2], sp[_A], sp[_E2])[0] < sp[_CLOUD][s]:
            continue
        vis, _ = _sight(sp[0][s], sp[1][s], sp[2], sp[3][s], sp[4][s], sp[5][s], sp[6][s], sp[7][s],
                                 x, r_n[k, 1], r_n[k, 2])
        if vis:
            return t[k] + sp[_DELAY][s]
    return np.inf


@numba.njit(cache=True)
def _workspace(m_n):
    """Per-threat caches shared by its streams and consumers - the one-sample transition at each
    sample and the top rows of the fire-control-horizon transition (with 'computed' flags) - and
    scratch for the filter kernels: (5, 3, 3) for transitions, (9, 6, 6) (slot 0 propagation,
    1-5 Joseph update, 0-3 latency prediction, 5-8 fusion, 0 fire-control sigma), then the
    measurement's H (3, 6), z (3,), R (3, 3), gain (6, 3), S (3, 3), geometry (3, 3)."""
    return (np.empty((m_n, 6, 6)), np.zeros(m_n, dtype=np.bool_), np.empty((m_n, 3, 6)),
            np.zeros(m_n, dtype=np.bool_), np.empty((5, 3, 3)), np.empty((9, 6, 6)), np.empty((3, 6)),
            np.empty(3), np.empty((3, 3)), np.empty((6, 3)), np.empty((3, 3)), np.empty((3, 3)))


@numba.njit(cache=True)
def _cached_transition(cache, done, k, r_n, dt, wk):
    """The transition over dt at sample k of one threat (all rows, or the top three for a (M, 3, 6)
    cache), computed once."""
    if not done[k]:
        _fk._transition(r_n[k, 0], r_n[k, 1], r_n[k, 2], dt, cache[k], wk)
        done[k] = True
    return cache[k]


@numba.njit(cache=True)
def _phi_at(ws, k, r_n, dt):
    return _cached_transition(ws[0], ws[1], k, r_n, dt, ws[4])


@numba.njit(cache=True)
def _top_at(ws, m, r_n, horizon):
    return _cached_transition(ws[2], ws[3], m, r_n, horizon, ws[4])


@numba.njit(cache=True)
def _stream_step(k, s, hist, state, rc1, cue_t, sp, r_n, rcs_n, q_n, t, confirm, ws):
    """Advance one radar stream (sensor s, one threat) to sample k (state[_NEXT] == k)."""
    count = state[_COUNT]
    if count >= 2 and k > 0:
        if r_n[k - 1, 0] == r_n[k - 1, 0]:
            dt = t[k] - t[k - 1]
            _fk._propagate(hist[k - 1], _phi_at(ws, k - 1, r_n, dt), dt, q_n[k - 1], hist[k], ws[5][0])
        else:
            hist[k] = hist[k - 1]
    state[_NEXT] = k + 1
    cued = t[k] >= cue_t - _TOL
    high = cued or (state[_KTRACK] >= 0 and k > state[_KTRACK])
    step = sp[_STEP_TRACK][s] if high else sp[_STEP_SEARCH][s]
    x = r_n[k, 0]
    if k % step != 0 or not (x == x):
        return
    y, z = r_n[k, 1], r_n[k, 2]
    vis, rng = _sight(sp[0][s], sp[1][s], sp[2], sp[3][s], sp[4][s], sp[5][s], sp[6][s], sp[7][s], x, y, z)
    if not vis:
        return
    snr = look_snr(sp[_RANGE_REF][s], sp[_REF_RCS][s], rcs_n[k], rng)
    if high:
        snr *= sp[_GAIN4][s]              # a track dwell: range x cued_range_gain
    if snr < SNR_REF * (1.0 - 1e-12):
        return
    h, zm, rm = ws[6], ws[7], ws[8]
    _fk._radar_geometry(x, y, z, sp[0][s], sp[1][s], h, zm, ws[11])
    _fk._measurement_noise(sigma_range_m(sp[_RES][s], snr), sigma_angle_rad(sp[_BW][s], snr), zm[2], rm)
    if count == 0:
        state[_KFIRST] = k
    count, state[_K1] = _fk.track_step(hist[k], rc1, count, state[_K1], k, t, h, rm, q_n, ws[9], ws[10], ws[5][1:6])
    state[_COUNT] = count
    if count == 2:
        state[_KP] = k
    need = 2 if cued else confirm
    if state[_KTRACK] < 0 and count >= need:
        state[_KTRACK] = k


@numba.njit(cache=True)
def _advance(k_to, s, hist, state, rc1, cue_t, sp, r_n, rcs_n, q_n, t, confirm, ws):
    while state[_NEXT] <= k_to:
        _stream_step(state[_NEXT], s, hist, state, rc1, cue_t, sp, r_n, rcs_n, q_n, t, confirm, ws)


@numba.njit(cache=True)
def _k_src(t, m, lat, dt):
    """Sample whose covariance the consumer holds at t[m] for a source with latency lat."""
    return int(math.floor((t[m] - t[0] - lat) / dt + _TOL))


@numba.njit(cache=True)
def _fused_at(m, c, plan, hists, states, t, dt, r_n, q_n, buf, out, ws):
    """The consumer c's fused covariance at sample m into out; False when it holds no track.
    hists (T, M, 6, 6) and states (T, 6) must cover every k_src this needs."""
    cons_ptr, item_stream, item_lat, item_kind = plan[4], plan[5], plan[6], plan[7]
    n = 0
    for j in range(cons_ptr[c], cons_ptr[c + 1]):
        st, lat = item_stream[j], item_lat[j]
        ks = _k_src(t, m, lat, dt)
        if ks < 0:
            continue
        k_av = states[st, _KFIRST] if item_kind[j] == 2 else states[st, _KTRACK]
        if k_av < 0 or t[m] < t[k_av] + lat - _TOL:
            continue
        kp = states[st, _KP]
        if kp < 0 or ks < kp:
            continue
        if lat > 0.0:
            if not (r_n[ks, 0] == r_n[ks, 0]):
                continue
            _fk._predict(hists[st, ks], r_n[ks, 0], r_n[ks, 1], r_n[ks, 2], t[m] - t[ks], q_n[ks], buf[n], ws[5][0:4])
        else:
            buf[n] = hists[st, ks]
        n += 1
    if n == 0:
        return False
    return _fk._fuse_into(buf, n, False, out, ws[5][5:9])


@numba.njit(cache=True)
def _cue_times(plan, ir_t):
    """Per stream: when its first cue reaches the radar's operator (inf: never cued)."""
    stream_sensor, cue_ptr, cue_ir, cue_lat = plan[0], plan[1], plan[2], plan[3]
    out = np.full(stream_sensor.size, np.inf)
    for st in range(stream_sensor.size):
        for j in range(cue_ptr[st], cue_ptr[st + 1]):
            out[st] = min(out[st], ir_t[cue_ir[j]] + cue_lat[j])
    return out


@numba.njit(cache=True)
def _ir_times(plan, sp, r_n, boost, t, every):
    """Infrared report times (S,) on one threat: of the cue sensors of the plan, or of every
    infrared sensor (`every`); inf where none."""
    ir_t = np.full(sp[_IS_IR].size, np.inf)
    if every:
        for s in range(ir_t.size):
            if sp[_IS_IR][s]:
                ir_t[s] = _ir_report(s, sp, r_n, boost, t)
        return ir_t
    for j in range(plan[2].size):
        s = plan[2][j]
        if ir_t[s] == np.inf:
            ir_t[s] = _ir_report(s, sp, r_n, boost, t)
    return ir_t


@numba.njit(parallel=True, cache=True)
def _first_fc_kernel(plan, sp, t, dt, r, q, boost, rcs, last, confirm, horizon, sigma_fc, q_coast, out):
    n_streams = plan[0].size
    n_cons = plan[4].size - 1
    m_n = t.size
    for n in numba.prange(r.shape[0]):
        r_n, q_n = r[n], q[n]
        cue_t = _cue_times(plan, _ir_times(plan, sp, r_n, boost[n], t, False))
        hists = np.empty((n_streams, m_n, 6, 6))
        states = np.full((n_streams, 6), -1, dtype=np.int64)
        states[:, _NEXT] = 0
        states[:, _COUNT] = 0
        rc1 = np.empty((n_streams, 3, 3))
        buf = np.empty((max(1, plan[5].size), 6, 6))
        fused = np.empty((6, 6))
        done = np.zeros(n_cons, dtype=np.bool_)
        ws = _workspace(m_n)
        left = n_cons
        for c in range(n_cons):
            out[c, n] = np.nan
        for m in range(m_n):
            if left == 0 or m > last[n]:
                break
            if t[m] <= boost[n] or not (r_n[m, 0] == r_n[m, 0]):
                continue
            for c in range(n_cons):
                if done[c]:
                    continue
                for j in range(plan[4][c], plan[4][c + 1]):
                    ks = _k_src(t, m, plan[6][j], dt)
                    if ks >= 0:
                        st = plan[5][j]
                        _advance(ks, plan[0][st], hists[st], states[st], rc1[st], cue_t[st], sp, r_n, rcs[n], q_n,
                                 t, confirm, ws)
                if _fused_at(m, c, plan, hists, states, t, dt, r_n, q_n, buf, fused, ws):
                    sig = _fk._predicted_sigma_top(fused, _top_at(ws, m, r_n, horizon), horizon, q_coast, ws[5][0])
                    if sig <= sigma_fc:
                        out[c, n] = t[m]
                        done[c] = True
                        left -= 1


@numba.njit(parallel=True, cache=True)
def _run_streams(plan, sp, t, r, q, boost, rcs, confirm, hists, states, ir_t):
    """Every stream over every sample (the full picture): hists (T, N, M, 6, 6), states (T, N, 6),
    ir_t (S, N) infrared report times."""
    n_streams = plan[0].size
    for n in numba.prange(r.shape[0]):
        times = _ir_times(plan, sp, r[n], boost[n], t, True)
        for s in range(times.size):
            ir_t[s, n] = times[s]
        cue_t = _cue_times(plan, times)
        rc1 = np.empty((3, 3))
        ws = _workspace(t.size)
        for st in range(n_streams):
            states[st, n, :] = -1
            states[st, n, _NEXT] = 0
            states[st, n, _COUNT] = 0
            _advance(t.size - 1, plan[0][st], hists[st, n], states[st, n], rc1, cue_t[st], sp, r[n], rcs[n], q[n], t,
                     confirm, ws)


@numba.njit(parallel=True, cache=True)
def _consumer_series(plan, c, t, dt, r, q, boost, hists, states, horizon, sigma_fc, q_coast, fused, now, pred, fc):
    """Consumer c over every sample of every threat: fused covariance (N, M, 6, 6), worst-axis
    sigma now and predicted (N, M), first fire-control time (N,)."""
    for n in numba.prange(r.shape[0]):
        buf = np.empty((max(1, plan[5].size), 6, 6))
        ws = _workspace(t.size)
        fc[n] = np.nan
        for m in range(t.size):
            now[n, m] = np.nan
            pred[n, m] = np.nan
            if not _fused_at(m, c, plan, hists[:, n], states[:, n], t, dt, r[n], q[n], buf, fused[n, m], ws):
                fused[n, m] = np.nan
                continue
            if not (r[n, m, 0] == r[n, m, 0]):
                continue
            now[n, m] = _fk._worst_sigma(fused[n, m])
            pred[n, m] = _fk._predicted_sigma_top(fused[n, m], _top_at(ws, m, r[n], horizon), horizon, q_coast, ws[5][0])
            if fc[n] != fc[n] and t[m] > boost[n] and pred[n, m] <= sigma_fc:
                fc[n] = t[m]

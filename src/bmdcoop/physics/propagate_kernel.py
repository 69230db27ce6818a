"""The numba kernel under `propagate`: equations of motion, Dormand-Prince steps, events.

Plain float arrays in SI units, inertial frame aligned with ECEF at t = 0 (see `propagate` for
the model and the public, validating shell). The state of one trajectory is
y = (x, y, z, vx, vy, vz, mass). The kernel is one loop per trajectory (`prange`) over flight
segments - pieces of flight with one steering mode and one stage, between discontinuities - and,
inside each, over adaptive steps; each step calls the helpers below in order: the step and its
error, the apogee inside the step, the impact inside the step, the samples inside the step.
The parameters of the forces travel as three tuples: `earth` (omega, mu, j2, a, e2), `air`
(drag on?, area, Mach points, Cd row) and `push` (thrust, mass flow, mode, sin/cos azimuth,
sin/cos kick).
"""
from __future__ import annotations

import math

import numba
import numpy as np

from bmdcoop.physics.atmosphere import density_sos
from bmdcoop.physics.kernels import altitude_latitude, gravity_j2

MODE_VERTICAL, MODE_KICK, MODE_TURN, MODE_COAST = 0, 1, 2, 3

# Dormand & Prince (1980) RK5(4)7M: stage matrix A (its last row is the 5th-order weights, so
# the 7th stage is f at the new point: first same as last) and E, the 5th minus the 4th-order
# weights. The right-hand side does not depend on t inside a segment, so the nodes c are unused.
DOPRI_A = np.zeros((7, 7))
DOPRI_A[1, :1] = [1 / 5]
DOPRI_A[2, :2] = [3 / 40, 9 / 40]
DOPRI_A[3, :3] = [44 / 45, -56 / 15, 32 / 9]
DOPRI_A[4, :4] = [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729]
DOPRI_A[5, :5] = [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656]
DOPRI_A[6, :6] = [35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]
DOPRI_E = DOPRI_A[6] - np.array([5179 / 57600, 0.0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40])

# Dense output of Dormand-Prince 5(4), 4th order (Hairer, Norsett & Wanner, "Solving ODEs I",
# 2nd ed., 1993, the continuous extension used by their code DOPRI5)
DOPRI_D = np.array([-12715105075 / 11282082432, 0.0, 87487479700 / 32700410799, -10690763975 / 1880347072,
               701980252875 / 199316789632, -1453857185 / 822651844, 69997945 / 29380423])


# ----------------------------------------------------------------------------- equations of motion

@numba.njit(cache=True)
def _cd_at(mach, mach_pts, cd_row):
    k = mach_pts.size
    if mach <= mach_pts[0]:
        return cd_row[0]
    if mach >= mach_pts[k - 1]:
        return cd_row[k - 1]
    i = np.searchsorted(mach_pts, mach) - 1
    w = (mach - mach_pts[i]) / (mach_pts[i + 1] - mach_pts[i])
    return cd_row[i] * (1.0 - w) + cd_row[i + 1] * w


@numba.njit(cache=True, inline="always")
def _thrust_direction(x, y, lat, vrx, vry, vrz, vr, push):
    """Unit thrust vector: up (vertical rise), tilted by the kick toward the azimuth, or along the
    Earth-relative velocity (gravity turn)."""
    _, _, mode, sin_az, cos_az, sin_k, cos_k = push
    if mode == MODE_TURN and vr > 1.0:
        return vrx / vr, vry / vr, vrz / vr
    lon = math.atan2(y, x)
    cl, sl, co, so = math.cos(lat), math.sin(lat), math.cos(lon), math.sin(lon)
    upx, upy, upz = cl * co, cl * so, sl
    if mode != MODE_KICK:
        return upx, upy, upz
    # horizontal direction toward the azimuth: sin(az) east + cos(az) north
    hx = sin_az * (-so) + cos_az * (-sl * co)
    hy = sin_az * co + cos_az * (-sl * so)
    hz = cos_az * cl
    return cos_k * upx + sin_k * hx, cos_k * upy + sin_k * hy, cos_k * upz + sin_k * hz


@numba.njit(cache=True)
def _rhs(y, dy, earth, air, push):
    """dy = dy/dt: gravity (point mass + J2), drag in the co-rotating air, thrust."""
    omega, mu, j2, a, e2 = earth
    drag, area, mach_pts, cd_row = air
    thrust, mdot = push[0], push[1]
    x, yy, z = y[0], y[1], y[2]
    ax, ay, az_ = gravity_j2(x, yy, z, mu, j2, a)
    # Earth-relative (air-relative) velocity in inertial axes
    vrx = y[3] + omega * yy
    vry = y[4] - omega * x
    vrz = y[5]
    vr = math.sqrt(vrx * vrx + vry * vry + vrz * vrz)
    m = y[6]
    if drag or thrust > 0.0:
        h, lat = altitude_latitude(x, yy, z, a, e2)
        if drag and h < 1.0e6 and vr > 0.0:
            rho, sos = density_sos(h)
            cd = _cd_at(vr / sos, mach_pts, cd_row)
            f = -0.5 * rho * vr * cd * area / m
            ax += f * vrx
            ay += f * vry
            az_ += f * vrz
        if thrust > 0.0:
            ux, uy, uz = _thrust_direction(x, yy, lat, vrx, vry, vrz, vr, push)
            f = thrust / m
            ax += f * ux
            ay += f * uy
            az_ += f * uz
    dy[0] = y[3]
    dy[1] = y[4]
    dy[2] = y[5]
    dy[3] = ax
    dy[4] = ay
    dy[5] = az_
    dy[6] = -mdot if thrust > 0.0 else 0.0


# ----------------------------------------------------------------------------- one step

@numba.njit(cache=True)
def _rk_step(y, f0, h, k, ytmp, y5, err, earth, air, push, A, E):
    """One Dormand-Prince step: fills y5 (5th order), err (embedded error), k[6] = f(y5) (FSAL)."""
    n = y.size
    for j in range(n):
        k[0, j] = f0[j]
    for s in range(1, 7):
        for j in range(n):
            acc = y[j]
            for q in range(s):
                acc += h * A[s, q] * k[q, j]
            ytmp[j] = acc
        _rhs(ytmp, k[s], earth, air, push)
    for j in range(n):
        y5[j] = ytmp[j]  # stage 7 is evaluated at the 5th-order solution (FSAL)
        e = 0.0
        for q in range(7):
            e += E[q] * k[q, j]
        err[j] = h * e


@numba.njit(cache=True, inline="always")
def _error_norm(y, y5, err, rtol, atol_m):
    """RMS of the embedded error over position and velocity (mass follows exactly); <= 1 accepts."""
    en = 0.0
    for q in range(6):
        sc = (atol_m if q < 3 else atol_m * 1e-3) + rtol * max(abs(y[q]), abs(y5[q]))
        v = err[q] / sc
        en += v * v
    return math.sqrt(en / 6.0)


@numba.njit(cache=True, inline="always")
def _dense(y0, y1, k, h, theta, j, D):
    """Component j of the solution at fraction theta of the step (y0 -> y1, stages k, length h)."""
    r2 = y1[j] - y0[j]
    r3 = h * k[0, j] - r2
    r4 = r2 - h * k[6, j] - r3
    acc = 0.0
    for q in range(7):
        acc += D[q] * k[q, j]
    r5 = h * acc
    return y0[j] + theta * (r2 + (1.0 - theta) * (r3 + theta * (r4 + (1.0 - theta) * r5)))


@numba.njit(cache=True, inline="always")
def _dense_altitude(y0, y1, k, h, theta, D, a, e2):
    """Geodetic height (m) at fraction theta of the step, from the dense output."""
    x, y, z = _dense(y0, y1, k, h, theta, 0, D), _dense(y0, y1, k, h, theta, 1, D), _dense(y0, y1, k, h, theta, 2, D)
    return altitude_latitude(x, y, z, a, e2)[0]


@numba.njit(cache=True, inline="always")
def _r_dot_v(y):
    """r . v: its sign is the sign of the radial velocity."""
    return y[0] * y[3] + y[1] * y[4] + y[2] * y[5]


@numba.njit(cache=True, inline="always")
def _to_ecef(t, rx, ry, rz, vx, vy, vz, omega, out_r, out_v):
    """Inertial position and velocity at time t -> ECEF position and Earth-relative velocity."""
    c, s = math.cos(omega * t), math.sin(omega * t)
    ex = c * rx + s * ry
    ey = -s * rx + c * ry
    out_r[0], out_r[1], out_r[2] = ex, ey, rz
    wx = c * vx + s * vy
    wy = -s * vx + c * vy
    out_v[0], out_v[1], out_v[2] = wx + omega * ey, wy - omega * ex, vz


# ----------------------------------------------------------------------------- events inside a step

@numba.njit(cache=True, inline="always")
def _apogee(y, y5, k, h, t, h1, apo_h, apo_t, a, e2, D):
    """Highest point so far (height m, time s), including a maximum inside the step y -> y5: where
    the radial velocity changes sign, located by bisection on the dense output."""
    if _r_dot_v(y) > 0.0 and _r_dot_v(y5) <= 0.0:
        lo, hi = 0.0, 1.0
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            rv = 0.0
            for q in range(3):
                rv += _dense(y, y5, k, h, mid, q, D) * _dense(y, y5, k, h, mid, q + 3, D)
            if rv > 0.0:
                lo = mid
            else:
                hi = mid
        hm = _dense_altitude(y, y5, k, h, lo, D, a, e2)
        if hm > apo_h:
            apo_h, apo_t = hm, t + lo * h
    if h1 > apo_h:
        apo_h, apo_t = h1, t + h
    return apo_h, apo_t


@numba.njit(cache=True)
def _impact(y, f0, h, k, ytmp, y5, err, earth, air, push, A, E, D):
    """Length of the sub-step from y to the ground, inside a step of length h that ends below it.

    Bisection on the dense output's altitude, then secant iterations with exact Runge-Kutta
    sub-steps from the step start, so the impact comes from the integration itself. Leaves y5
    and k at the end of the last sub-step (the impact state, k[6] = f there).
    """
    a, e2 = earth[3], earth[4]
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if _dense_altitude(y, y5, k, h, mid, D, a, e2) > 0.0:
            lo = mid
        else:
            hi = mid
    ta, tb = lo * h, hi * h
    _rk_step(y, f0, ta, k, ytmp, y5, err, earth, air, push, A, E)
    ha = altitude_latitude(y5[0], y5[1], y5[2], a, e2)[0]
    _rk_step(y, f0, tb, k, ytmp, y5, err, earth, air, push, A, E)
    hb = altitude_latitude(y5[0], y5[1], y5[2], a, e2)[0]
    for _ in range(6):
        if hb == ha:
            break
        tc = tb - hb * (tb - ta) / (hb - ha)
        _rk_step(y, f0, tc, k, ytmp, y5, err, earth, air, push, A, E)
        hc = altitude_latitude(y5[0], y5[1], y5[2], a, e2)[0]
        ta, ha, tb, hb = tb, hb, tc, hc
        if abs(hc) < 1e-3:
            break
    return tb


@numba.njit(cache=True, inline="always")
def _samples(i, y, y5, k, t, h, D, omega, sample_dt, n_samples, next_sample, tmp_r, tmp_v, out_sr, out_sv):
    """Write the samples of the grid inside (t, t + h] from the dense output; returns the next one due."""
    while next_sample < n_samples and next_sample * sample_dt <= t + h + 1e-9:
        ts = next_sample * sample_dt
        if ts < t - 1e-9:
            next_sample += 1
            continue
        th_ = (ts - t) / h if h > 0.0 else 1.0
        th_ = min(max(th_, 0.0), 1.0)
        _to_ecef(ts, _dense(y, y5, k, h, th_, 0, D), _dense(y, y5, k, h, th_, 1, D), _dense(y, y5, k, h, th_, 2, D),
                 _dense(y, y5, k, h, th_, 3, D), _dense(y, y5, k, h, th_, 4, D), _dense(y, y5, k, h, th_, 5, D),
                 omega, tmp_r, tmp_v)
        for q in range(3):
            out_sr[i, next_sample, q] = tmp_r[q]
            out_sv[i, next_sample, q] = tmp_v[q]
        next_sample += 1
    return next_sample


# ----------------------------------------------------------------------------- segments

@numba.njit(cache=True, inline="always")
def _next_stage(burn_row, stage, stage_end):
    """The first stage after `stage` that burns (burn time > 0) and its end time; past the last: k."""
    stage += 1
    while stage < burn_row.size and burn_row[stage] <= 0.0:
        stage += 1
    if stage < burn_row.size:
        stage_end += burn_row[stage]
    return stage, stage_end


@numba.njit(cache=True, inline="always")
def _powered_segment(t, t_vert, kick_s, stage_end, t_end_thrust, t_max):
    """Steering mode at time t of powered flight and the end of the segment it starts."""
    if t < t_vert:
        mode, seg_end = MODE_VERTICAL, t_vert
    elif t < t_vert + kick_s:
        mode, seg_end = MODE_KICK, t_vert + kick_s
    else:
        mode, seg_end = MODE_TURN, t_max
    return mode, min(min(seg_end, stage_end, t_end_thrust), t_max)


@numba.njit(cache=True, inline="always")
def _write_state(i, t, y, omega, tmp_r, tmp_v, out_r, out_v):
    _to_ecef(t, y[0], y[1], y[2], y[3], y[4], y[5], omega, tmp_r, tmp_v)
    for q in range(3):
        out_r[i, q] = tmp_r[q]
        out_v[i, q] = tmp_v[q]


# ----------------------------------------------------------------------------- the kernel

@numba.njit(cache=True, parallel=True)
def propagate_kernel(r0, v0, mass0, area0, rv_mass, rv_area, burn, thrust, mdot, drop, az_rad, t_vert, kick_rad,
                     kick_s, cutoff, mach_pts, cd_tab, omega, mu, j2, a, e2, drag, t_max, rtol, atol_m,
                     sample_dt, n_samples, A, E, D,
                     out_imp_t, out_imp_r, out_imp_v, out_apo_h, out_apo_t, out_bo_t, out_bo_r, out_bo_v,
                     out_steps, out_sr, out_sv):
    """Fly trajectory i = 0..n-1 to impact or t_max; fills the out_* arrays (see `propagate`)."""
    earth = (omega, mu, j2, a, e2)
    for i in numba.prange(r0.shape[0]):
        y, f0, y5, ytmp, err = np.empty(7), np.empty(7), np.empty(7), np.empty(7), np.empty(7)
        kk = np.empty((7, 7))
        tmp_r, tmp_v = np.empty(3), np.empty(3)
        # inertial state at t = 0: add the Earth's rotation to the Earth-relative velocity
        y[0], y[1], y[2] = r0[i, 0], r0[i, 1], r0[i, 2]
        y[3] = v0[i, 0] - omega * r0[i, 1]
        y[4] = v0[i, 1] + omega * r0[i, 0]
        y[5] = v0[i, 2]
        y[6] = mass0[i]
        cd_row = cd_tab[i] if cd_tab.shape[0] > 1 else cd_tab[0]
        sa, ca = math.sin(az_rad[i]), math.cos(az_rad[i])
        sk, ck = math.sin(kick_rad[i]), math.cos(kick_rad[i])
        t_end_thrust = min(burn[i].sum(), cutoff[i])
        separated = not t_end_thrust > 0.0
        out_bo_t[i] = 0.0 if separated else t_end_thrust
        if separated:
            out_bo_r[i], out_bo_v[i] = r0[i], v0[i]
            y[6] = rv_mass[i]
        air = (drag, rv_area[i] if separated else area0[i], mach_pts, cd_row)
        stage, stage_end = _next_stage(burn[i], -1, 0.0)
        apo_h = h_prev = altitude_latitude(y[0], y[1], y[2], a, e2)[0]
        apo_t = 0.0
        t, hstep, steps, next_sample, impacted = 0.0, 1.0, 0, 0, False
        while t < t_max and not impacted:
            if separated:
                push, seg_end = (0.0, 0.0, MODE_COAST, sa, ca, sk, ck), t_max
            else:
                mode, seg_end = _powered_segment(t, t_vert[i], kick_s[i], stage_end, t_end_thrust, t_max)
                push = (thrust[i, stage], mdot[i, stage], mode, sa, ca, sk, ck)
            _rhs(y, f0, earth, air, push)
            while t < seg_end - 1e-12 and not impacted:
                h = min(hstep, seg_end - t)
                _rk_step(y, f0, h, kk, ytmp, y5, err, earth, air, push, A, E)
                en = _error_norm(y, y5, err, rtol, atol_m)
                if en > 1.0:
                    hstep = h * max(0.2, 0.9 * en ** -0.2)
                    continue
                steps += 1
                h1 = altitude_latitude(y5[0], y5[1], y5[2], a, e2)[0]
                apo_h, apo_t = _apogee(y, y5, kk, h, t, h1, apo_h, apo_t, a, e2, D)
                if h1 <= 0.0 and h_prev > 0.0 and _r_dot_v(y5) < 0.0:   # going down through the ground
                    h = _impact(y, f0, h, kk, ytmp, y5, err, earth, air, push, A, E, D)
                    impacted = True
                next_sample = _samples(i, y, y5, kk, t, h, D, omega, sample_dt, n_samples, next_sample,
                                       tmp_r, tmp_v, out_sr, out_sv)
                t += h
                for q in range(7):
                    y[q] = y5[q]
                    f0[q] = kk[6, q]
                h_prev = h1
                hstep = h * min(5.0, 0.9 * max(en, 1e-10) ** -0.2)
            if impacted or separated:
                continue
            # end of a powered segment: stage separation, thrust termination
            if t >= stage_end - 1e-9 and stage < burn.shape[1]:
                y[6] -= drop[i, stage]
                stage, stage_end = _next_stage(burn[i], stage, stage_end)
            if t >= t_end_thrust - 1e-9:
                separated = True
                y[6] = rv_mass[i]
                air = (drag, rv_area[i], mach_pts, cd_row)
                _write_state(i, t, y, omega, tmp_r, tmp_v, out_bo_r, out_bo_v)
        out_steps[i] = steps
        out_apo_h[i] = apo_h
        out_apo_t[i] = apo_t
        if impacted:
            out_imp_t[i] = t
            _write_state(i, t, y, omega, tmp_r, tmp_v, out_imp_r, out_imp_v)
        else:
            out_imp_t[i] = np.nan
            out_imp_r[i], out_imp_v[i] = np.nan, np.nan

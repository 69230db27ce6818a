"""Who can see a missile, where and when: radar and space-based infrared sensor geometry.

A sensor sees a target sample when
- the straight line between them does not pass through the Earth (WGS-84 ellipsoid, exact: the
  ellipsoid is mapped to the unit sphere by scaling the axes, which keeps lines straight);
- the target lies inside the field of view: azimuth within `az_coverage_deg / 2` of the
  boresight (unless 360), elevation between `min_elevation_deg` and `max_elevation_deg` above
  the sensor's local horizontal (geodetic normal);
- radar: the signal-to-noise ratio reaches the detection threshold. SNR follows the radar
  equation, SNR = SNR_REF * (RCS / ref_rcs) * (range_ref / R)^4, so the detection range against a
  target of cross section RCS is exactly range_ref * (RCS / ref_rcs)^(1/4);
- infrared: the missile is still thrusting and above the cloud tops; the detection is reported
  `processing_delay_s` later (see `bmdcoop.sensing.timeline`).

The catalog's `range_km` is read as the range of a 0.9 single-look detection probability of a
*search* look (Swerling I, false-alarm probability 1e-6: SNR_REF = 21.1 dB). A cued or tracking
look carries a track dwell's energy: its range is `cued_range_gain` times that, SNR x gain^4
(`bmdcoop.sensing.radar_equation` derives both from the radar's parameters; the streams of
`bmdcoop.sensing.firecontrol` use them). `looks(...)` gives the search looks, with the per-look
Swerling I probability Pd = Pfa^(1 / (1 + SNR)) for the Monte Carlo layer. The per-sample
geometry `_sight` and the look SNR and sigmas (`look_snr`, `sigma_range_m`, `sigma_angle_rad`)
are the one implementation the kernels of the sensing layer share.

Shapes: sensors (S,), trajectories (N, M, 3) ECEF metres on a shared time grid (M,), results
(S, N, M). The geometry kernel is numba, parallel over sensors x trajectories.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numba
import numpy as np
import pydantic

from bmdcoop import catalog as _catalog
from bmdcoop.catalog.entries import SensorEntry
from bmdcoop.catalog.located import entry_error
from bmdcoop.physics import earth as _earth
from bmdcoop.errors import InputError

PFA = 1e-6
PD_REF = 0.9
SNR_REF = math.log(PFA) / math.log(PD_REF) - 1.0   # 130.1 = 21.1 dB: Pd 0.9 for Swerling I
MONOPULSE_KM = 1.6        # Barton 2005: sigma_angle = beamwidth / (1.6 sqrt(2 SNR))
ACCURACY_FLOOR = 1.0 / 50.0  # bias floor: never better than 1/50 of beamwidth or resolution

KINDS = ("radar", "infrared")


@dataclass(frozen=True)
class SensorType:
    """Parameters of one sensor type (SI units). Build with `sensor_type(name, **overrides)`."""

    name: str
    kind: str
    band: str
    az_coverage_deg: float
    min_elevation_deg: float
    max_elevation_deg: float
    revisit_s: float
    range_m: float = math.inf              # radar: Pd 0.9 search-look range against ref_rcs_m2
    ref_rcs_m2: float = 1.0
    cued_range_gain: float = 1.0           # radar: range factor of a cued or tracking look
    track_revisit_s: float = 0.0           # radar: look interval when cued or tracking (0: revisit_s)
    beamwidth_rad: float = 0.0
    range_resolution_m: float = 0.0
    platform_alt_m: float = 0.0            # default height above the site (GEO for satellites)
    cloud_top_m: float = 0.0               # infrared only
    processing_delay_s: float = 0.0        # infrared only
    sigma_los_rad: float = 0.0             # infrared only

    def __post_init__(self):
        """A type (catalog or with overrides) obeys the catalog's entry model
        (`bmdcoop.catalog.entries.SensorEntry`), read back in catalog units."""
        data = {}
        for cat_field, (attr, factor) in _FIELD_MAP.items():
            v = getattr(self, attr)
            if any(cat_field in only for only in _KIND_ONLY.values()) and cat_field not in _KIND_ONLY.get(self.kind, ()):
                continue
            data[cat_field] = v / factor if factor and isinstance(v, (int, float)) and not isinstance(v, bool) else v
        try:
            SensorEntry.model_validate(data)
        except pydantic.ValidationError as exc:
            raise entry_error(exc, f"sensor type '{self.name}'") from None

    @property
    def track_look_s(self) -> float:
        """Look interval when cued or tracking."""
        return self.track_revisit_s or self.revisit_s

    def detection_range_m(self, rcs_m2) -> np.ndarray:
        """Radar range at which a search look detects RCS `rcs_m2` with Pd 0.9: R_ref (RCS/ref)^(1/4)
        (a cued or tracking look: `cued_range_gain` times that)."""
        rcs = np.asarray(rcs_m2, dtype=float)
        if np.any(~(rcs > 0)):
            raise InputError(f"rcs_m2 must be > 0, got {rcs_m2!r}")
        return self.range_m * (rcs / self.ref_rcs_m2) ** 0.25


_FIELD_MAP = {  # catalog field -> (SensorType field, factor to SI)
    "kind": ("kind", None), "band": ("band", None),
    "az_coverage_deg": ("az_coverage_deg", 1.0), "min_elevation_deg": ("min_elevation_deg", 1.0),
    "max_elevation_deg": ("max_elevation_deg", 1.0), "revisit_s": ("revisit_s", 1.0),
    "range_km": ("range_m", 1e3), "ref_rcs_m2": ("ref_rcs_m2", 1.0),
    "cued_range_gain": ("cued_range_gain", 1.0), "track_revisit_s": ("track_revisit_s", 1.0),
    "beamwidth_mrad": ("beamwidth_rad", 1e-3), "range_resolution_m": ("range_resolution_m", 1.0),
    "platform_alt_km": ("platform_alt_m", 1e3), "cloud_top_km": ("cloud_top_m", 1e3),
    "processing_delay_s": ("processing_delay_s", 1.0), "sigma_los_mrad": ("sigma_los_rad", 1e-3),
}


# fields that only one kind of sensor has (the other kind leaves them out)
_KIND_ONLY = {"radar": ("range_km", "beamwidth_mrad", "range_resolution_m"),
              "infrared": ("cloud_top_km", "processing_delay_s", "sigma_los_mrad")}


def sensor_type(name: str, catalog: _catalog.Catalog | None = None, **overrides: Any) -> SensorType:
    """A catalog sensor type, optionally with fields overridden (catalog names and units,
    e.g. `range_km=1500`, `az_coverage_deg=360`). `catalog` resolves the name (user layers over the
    package; default: the package). Unknown names raise `InputError`."""
    entry = (catalog or _catalog.PACKAGE).get("sensors", name)
    for key in overrides:
        if key not in _FIELD_MAP:
            raise InputError(f"sensor type '{name}': cannot override '{key}' "
                             f"(allowed: {', '.join(sorted(_FIELD_MAP))})")
    entry.update(overrides)
    kwargs: dict[str, Any] = {"name": name}
    for key, (attr, factor) in _FIELD_MAP.items():
        if key in entry:
            value = entry[key]
            if factor is not None:
                try:
                    value = float(value) * factor
                except (TypeError, ValueError):
                    raise InputError(f"sensor type '{name}': {key} must be a number, got {value!r}") from None
            kwargs[attr] = value
    missing = [k for k in ("kind", "band", "az_coverage_deg", "min_elevation_deg", "max_elevation_deg",
                           "revisit_s") if _FIELD_MAP[k][0] not in kwargs]
    if missing:
        raise InputError(f"sensor type '{name}' lacks {', '.join(missing)} in catalog/sensors.yaml")
    return SensorType(**kwargs)


@dataclass
class SensorArray:
    """S placed sensors as flat arrays (what the kernels consume). Build with `place_sensors`."""

    ids: list[str]
    parties: list[str]
    types: list[SensorType]
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    boresight_az_deg: np.ndarray
    earth: str = "wgs84"
    r_ecef_m: np.ndarray = field(init=False)
    enu: np.ndarray = field(init=False)              # (S, 3, 3) rows east, north, up

    def __post_init__(self):
        self.r_ecef_m = _earth.geodetic_to_ecef(self.lat_deg, self.lon_deg, self.alt_m, self.earth).reshape(-1, 3)
        self.enu = _earth.enu_basis(self.lat_deg, self.lon_deg).reshape(-1, 3, 3)

    def __len__(self) -> int:
        return len(self.ids)

    def _col(self, attr: str) -> np.ndarray:
        return np.array([getattr(t, attr) for t in self.types], dtype=float)

    @property
    def is_infrared(self) -> np.ndarray:
        return np.array([t.kind == "infrared" for t in self.types], dtype=bool)

    @property
    def revisit_s(self) -> np.ndarray:
        return self._col("revisit_s")

    def index(self, sensor_id: str) -> int:
        return self.ids.index(sensor_id)

    def geometry_arrays(self) -> tuple:
        """What `_sight` needs per sensor, as arrays: (site (S, 3), enu (S, 3, 3), inv_ax (3,) of the
        ellipsoid, boresight (S,) rad, half width (S,) rad, all round (S,), sin of the elevation
        limits (S,), (S,))."""
        a, e2 = _earth.shape_params(self.earth)
        b = a * math.sqrt(1.0 - e2)
        cov = self._col("az_coverage_deg")
        return (np.ascontiguousarray(self.r_ecef_m), np.ascontiguousarray(self.enu), np.array([1.0 / a, 1.0 / a, 1.0 / b]),
                np.radians(self.boresight_az_deg), np.radians(cov / 2.0), cov >= 360.0,
                np.sin(np.radians(self._col("min_elevation_deg"))), np.sin(np.radians(self._col("max_elevation_deg"))))


def place_sensors(specs: Iterable[Mapping[str, Any]], earth: str = "wgs84",
                  catalog: _catalog.Catalog | None = None) -> SensorArray:
    """Place sensors from specs `{id, type, party, site | lat_deg + lon_deg, alt_m?,
    boresight_az_deg?, overrides?: {catalog field: value}}`.

    A sensor whose azimuth coverage is under 360 deg needs `boresight_az_deg` in [0, 360).
    `alt_m` defaults to the site's altitude plus the type's platform altitude (GEO for sbirs-geo).
    """
    cat = catalog or _catalog.PACKAGE
    ids, parties, types, lat, lon, alt, bore = [], [], [], [], [], [], []
    for i, spec in enumerate(specs):
        sid = str(spec.get("id", f"sensor-{i}"))
        where = f"sensor '{sid}'"
        if "type" not in spec:
            raise InputError(f"{where}: no 'type' (known: {', '.join(cat.names('sensors'))})")
        try:
            stype = sensor_type(spec["type"], cat, **dict(spec.get("overrides") or {}))
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
        site_alt = 0.0
        if spec.get("site") is not None:
            site = cat.get("sites", spec["site"])
            la, lo, site_alt = site["lat_deg"], site["lon_deg"], float(site.get("alt_m", 0.0) or 0.0)
        elif spec.get("lat_deg") is not None and spec.get("lon_deg") is not None:
            la, lo = spec["lat_deg"], spec["lon_deg"]
        else:
            raise InputError(f"{where}: give a 'site' or both 'lat_deg' and 'lon_deg'")
        la, lo = float(la), float(lo)
        if not (-90.0 <= la <= 90.0) or not (-180.0 <= lo <= 360.0):
            raise InputError(f"{where}: position ({la}, {lo}) outside lat [-90, 90], lon [-180, 360]")
        h = spec.get("alt_m")
        h = site_alt + stype.platform_alt_m if h is None else float(h)
        if not (math.isfinite(h) and h >= -500.0):
            raise InputError(f"{where}: alt_m = {h} is not allowed (must be >= -500 m)")
        b = spec.get("boresight_az_deg")
        if b is None:
            if stype.az_coverage_deg < 360.0:
                raise InputError(f"{where}: type '{stype.name}' covers {stype.az_coverage_deg:g} deg of "
                                 f"azimuth, so it needs boresight_az_deg in [0, 360)")
            b = 0.0
        b = float(b)
        if not (math.isfinite(b) and 0.0 <= b < 360.0):
            raise InputError(f"{where}: boresight_az_deg = {b} is outside [0, 360)")
        ids.append(sid)
        parties.append(str(spec.get("party", "")))
        types.append(stype)
        lat.append(la)
        lon.append(lo)
        alt.append(h)
        bore.append(b)
    if len(set(ids)) != len(ids):
        dup = sorted({s for s in ids if ids.count(s) > 1})
        raise InputError(f"sensor ids must be unique; repeated: {', '.join(dup)}")
    return SensorArray(ids, parties, types, np.array(lat), np.array(lon), np.array(alt), np.array(bore), earth)


# ----------------------------------------------------------------------------- geometry kernel

@numba.njit(cache=True)
def _sight(sr, enu, inv_ax, bore_rad, half_w_rad, all_round, sin_el_min, sin_el_max, tx, ty, tz):
    """One sensor (site sr (3,), frame enu (3, 3)) and one target point: (in line of sight and
    field of view, slant range). The per-sample geometry of every kernel in the sensing layer."""
    sx, sy, sz = sr[0], sr[1], sr[2]
    dx, dy, dz = tx - sx, ty - sy, tz - sz
    rng = math.sqrt(dx * dx + dy * dy + dz * dz)
    if rng == 0.0:
        return False, rng
    e = enu[0, 0] * dx + enu[0, 1] * dy + enu[0, 2] * dz
    nn = enu[1, 0] * dx + enu[1, 1] * dy + enu[1, 2] * dz
    u = enu[2, 0] * dx + enu[2, 1] * dy + enu[2, 2] * dz
    sin_el = max(-1.0, min(1.0, u / rng))   # rounding straight up/down must not leave [-1, 1]
    if sin_el < sin_el_min or sin_el > sin_el_max:
        return False, rng
    if not all_round:
        daz = math.atan2(e, nn) - bore_rad
        daz = (daz + math.pi) % (2.0 * math.pi) - math.pi
        if abs(daz) > half_w_rad:
            return False, rng
    # Earth blockage: closest approach of the segment to the centre of the unit sphere (the
    # ellipsoid scaled to it)
    px, py, pz = sx * inv_ax[0], sy * inv_ax[1], sz * inv_ax[2]
    qx, qy, qz = dx * inv_ax[0], dy * inv_ax[1], dz * inv_ax[2]
    qq = qx * qx + qy * qy + qz * qz
    w = -(px * qx + py * qy + pz * qz) / qq
    if w < 0.0:
        w = 0.0
    elif w > 1.0:
        w = 1.0
    cx, cy, cz = px + w * qx, py + w * qy, pz + w * qz
    return cx * cx + cy * cy + cz * cz >= 1.0 - 1e-9, rng   # ~3 mm tolerance


@numba.njit(parallel=True, cache=True)
def _visibility_kernel(sr, enu, inv_ax, bore_rad, half_w_rad, all_round, sin_el_min, sin_el_max, r,
                       out_vis, out_range):
    n_s, n_t, n_m = out_vis.shape
    for job in numba.prange(n_s * n_t):
        s = job // n_t
        j = job % n_t
        for m in range(n_m):
            tx, ty, tz = r[j, m, 0], r[j, m, 1], r[j, m, 2]
            if not (tx == tx):   # NaN: before the first known state or after impact
                out_vis[s, j, m] = False
                out_range[s, j, m] = np.nan
                continue
            out_vis[s, j, m], out_range[s, j, m] = _sight(sr[s], enu[s], inv_ax, bore_rad[s], half_w_rad[s],
                                                          all_round[s], sin_el_min[s], sin_el_max[s], tx, ty, tz)
    return out_vis


def visibility(sensors: SensorArray, r_ecef_m) -> tuple[np.ndarray, np.ndarray]:
    """Geometric visibility (line of sight over the ellipsoid + field of view) and slant range.

    r_ecef_m: (N, M, 3) (or (M, 3) for one trajectory); NaN samples are never visible.
    Returns (visible (S, N, M) bool, range_m (S, N, M)).
    """
    r = np.asarray(r_ecef_m, dtype=float)
    if r.ndim == 2:
        r = r[None]
    if r.ndim != 3 or r.shape[-1] != 3:
        raise InputError(f"r_ecef_m must be (N, M, 3) or (M, 3), got {np.shape(r_ecef_m)}")
    s_n = len(sensors)
    out_vis = np.empty((s_n, r.shape[0], r.shape[1]), dtype=np.bool_)
    out_rng = np.empty((s_n, r.shape[0], r.shape[1]))
    if out_vis.size == 0:
        return out_vis, out_rng
    _visibility_kernel(*sensors.geometry_arrays(), np.ascontiguousarray(r), out_vis, out_rng)
    return out_vis, out_rng


def visibility_reference(sensor_r, enu, bore_deg, cov_deg, el_min_deg, el_max_deg, target_r, earth="wgs84") -> bool:
    """One sensor, one target point, plain Python: the naive baseline and a test oracle."""
    a, e2 = _earth.shape_params(earth)
    b = a * math.sqrt(1.0 - e2)
    d = [target_r[k] - sensor_r[k] for k in range(3)]
    rng = math.sqrt(sum(x * x for x in d))
    if not rng > 0:
        return False
    e, n, u = (sum(enu[i][k] * d[k] for k in range(3)) for i in range(3))
    el = math.degrees(math.asin(max(-1.0, min(1.0, u / rng))))
    if el < el_min_deg or el > el_max_deg:
        return False
    if cov_deg < 360.0:
        daz = (math.degrees(math.atan2(e, n)) - bore_deg + 180.0) % 360.0 - 180.0
        if abs(daz) > cov_deg / 2.0:
            return False
    p = [sensor_r[0] / a, sensor_r[1] / a, sensor_r[2] / b]
    q = [d[0] / a, d[1] / a, d[2] / b]
    w = min(1.0, max(0.0, -sum(p[k] * q[k] for k in range(3)) / sum(x * x for x in q)))
    c = [p[k] + w * q[k] for k in range(3)]
    return sum(x * x for x in c) >= 1.0 - 1e-9


# ----------------------------------------------------------------------------- detection

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

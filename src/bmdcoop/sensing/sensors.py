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
geometry `_sight` (module `visibility`) and the look SNR and sigmas (`look_snr`, `sigma_range_m`,
`sigma_angle_rad`; module `detection`) are the one implementation the kernels of the sensing layer
share. This module holds the sensor types and their placement; the names of those two are
importable from here as well.

Shapes: sensors (S,), trajectories (N, M, 3) ECEF metres on a shared time grid (M,), results
(S, N, M). The geometry kernel is numba, parallel over sensors x trajectories.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np
import pydantic

from bmdcoop import catalog as _catalog
from bmdcoop.catalog.entries import SensorEntry
from bmdcoop.catalog.located import entry_error
from bmdcoop.errors import InputError
from bmdcoop.scenario.models import SENSOR_MIN_ALT_M
from bmdcoop.physics import earth as _earth
# re-exported: the geometry (`visibility`) and the detection model (`detection`) live beside this module
from bmdcoop.sensing.detection import (ACCURACY_FLOOR, MONOPULSE_KM, PD_REF, PFA, SNR_REF, Looks,  # noqa: F401
                                       look_snr, looks, radar_sigmas, radar_snr, sigma_angle_rad, sigma_range_m,
                                       swerling1_pd)
from bmdcoop.sensing.visibility import _sight, visibility, visibility_reference  # noqa: F401

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
        if not (math.isfinite(h) and h >= SENSOR_MIN_ALT_M):
            raise InputError(f"{where}: alt_m = {h} is not allowed (must be >= {SENSOR_MIN_ALT_M:g} m)")
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

"""Pydantic models of a scenario file - one class per section, declared once.

These classes validate scenario files, fill defaults, resolve catalog sites to coordinates and
generate the JSON Schema (`bmdcoop schema`). Read them as the reference of the file format:

```yaml
name: iran-raid-on-europe
seed: 7
architecture: coordinated          # independent | coordinated | joint-sectoral | single-command
parties:
  - {id: nato, name: NATO, doctrine: shoot-look-shoot, engages: [threat-origin:iran]}
  - {id: russia, doctrine: shoot-shoot, veto_over: [own-airspace]}
assets:
  - {id: warsaw, party: nato, site: warsaw, value: 10}
sensors:
  - {id: tpy2-kurecik, type: an-tpy-2, party: nato, site: kurecik, boresight_az_deg: 95}
batteries:
  - {id: deveselu, party: nato, site: deveselu, interceptor: sm-3-ib, rounds: 24, cued_by: [tpy2-kurecik]}
threats:
  - {id: salvo-1, missile: shahab-3, launch: {site: iran-tabriz}, target: warsaw, count: 4,
     launch_window_s: [0, 120], trajectory: min-energy}
agreements:
  - {parties: [nato, russia], share: tracks, sensors: [armavir], latency_s: 8}
sectors: []
```

Positions: every asset, sensor, battery, launch point and target point gives either `site:` (a
name in `catalog/sites.yaml`) or `lat_deg`/`lon_deg` (`lat`/`lon` are accepted as aliases). After
loading, `lat_deg`, `lon_deg` and `alt_m` are always filled in; `site` is kept for reference.
Cross-references between sections (party ids, sensor ids, asset ids) are checked by
`bmdcoop.scenario.load_scenario`, which reports every mistake at once with its file line.
"""
from __future__ import annotations

import math

import shapely
from typing import Annotated, Any, Literal, Union

from pydantic import (AliasChoices, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, PrivateAttr, Tag,
                      ValidationInfo, field_validator, model_validator)

from bmdcoop import catalog as _cat
from bmdcoop.scenario import names as known

ARCHITECTURES = ("independent", "coordinated", "joint-sectoral", "single-command")
DOCTRINES = ("shoot-look-shoot", "shoot-shoot", "salvo", "single-shot")
TRAJECTORIES = ("min-energy", "lofted", "depressed")
VETO_SCOPES = ("own-airspace", "all-intercepts")
SHARE_KINDS = ("tracks", "detections", "none")

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$",
                          description="identifier: letters, digits, '-', '_', '.', ':' (max 64)")]
Label = Annotated[str, Field(max_length=200)]
LatDeg = Annotated[float, Field(ge=-90.0, le=90.0, description="geodetic latitude, degrees")]
LonDeg = Annotated[float, Field(ge=-180.0, le=360.0, description="longitude, degrees east")]
SENSOR_MIN_ALT_M = -500.0   # sensors stand on or above the ground (`sensing.sensors.place_sensors` too)
AltM = Annotated[float, Field(ge=-1.0e4, le=1.0e8, description="altitude above the WGS-84 ellipsoid, m")]


def _catalog_of(info: ValidationInfo) -> _cat.Catalog | None:
    """The catalog that names resolve in: the loader's (package + `--catalog` + the scenario's
    `catalog:` section) when it passed one, else the package's."""
    return (info.context or {}).get("catalog") if info is not None else None


class Model(BaseModel):
    """Base of every section: unknown keys are errors, numbers must be finite."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=True,
                              validate_default=False, str_strip_whitespace=False)


class Placed(Model):
    """A position: a catalog `site`, or `lat_deg`/`lon_deg` (and `alt_m`)."""

    site: str | None = Field(None, description="name in catalog/sites.yaml (fills lat/lon/alt)")
    lat_deg: LatDeg | None = Field(None, validation_alias=AliasChoices("lat_deg", "lat"))
    lon_deg: LonDeg | None = Field(None, validation_alias=AliasChoices("lon_deg", "lon"))
    alt_m: AltM | None = Field(None, description="altitude, m (default: the site's, else 0)")

    @field_validator("site")
    @classmethod
    def _known_site(cls, site: str | None, info: ValidationInfo) -> str | None:
        if site is not None:
            known.check("sites", site, _catalog_of(info))
        return site

    @model_validator(mode="after")
    def _resolve_position(self, info: ValidationInfo):
        if self.site is not None:
            entry = known.site(self.site, _catalog_of(info))
            lat, lon = float(entry["lat_deg"]), float(entry["lon_deg"])
            for field, given, want in (("lat_deg", self.lat_deg, lat), ("lon_deg", self.lon_deg, lon)):
                if given is not None and not math.isclose(given, want, abs_tol=1e-6):
                    raise ValueError(
                        f"site '{self.site}' is at {field} {want}, but {field} {given} is given; "
                        "give either site or lat_deg/lon_deg, not both")
            self.lat_deg, self.lon_deg = lat, lon
            if self.alt_m is None:
                self.alt_m = float(entry.get("alt_m", 0.0) or 0.0)
        elif self.lat_deg is None or self.lon_deg is None:
            raise ValueError("position missing: give site (a catalog name) or both lat_deg and lon_deg")
        if self.alt_m is None:
            self.alt_m = 0.0
        return self


class Party(Model):
    """A side: NATO, Russia, the United States, ... Its rules of engagement and veto rights."""

    id: Id
    name: Label | None = Field(None, description="display name (default: the id)")
    doctrine: Literal[DOCTRINES] = Field("shoot-look-shoot", description="firing doctrine")
    engages: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=lambda: ["own-assets"],
        description="which threats it fires at: own-assets | all-assets | threat-origin:<party "
                    "group or ISO alpha-3> | threat:<threat id>")
    veto_over: list[Literal[VETO_SCOPES]] = Field(
        default_factory=list,
        description="own-airspace: may forbid intercepts over its territory; all-intercepts: "
                    "may forbid any intercept (a joint command with a say over firing)")
    territory: list[Annotated[str, Field(max_length=40)]] | None = Field(
        None, description="party groups (nato, russia, ...) or ISO alpha-3 codes; default: the "
                          "group named like the party id, if there is one")
    salvo_size: int | None = Field(None, ge=1, le=64, description="interceptors per engagement (default: 1 for "
                                   "shoot-look-shoot and single-shot, 2 for shoot-shoot, 4 for salvo)")
    max_engagements: int | None = Field(None, ge=1, le=64, description="engagements of one missile by this "
                                        "party (default: 2 for shoot-look-shoot, else 1)")
    decision_delay_s: float = Field(5.0, ge=0.0, le=3600.0,
                                    description="fire-control track -> fire decision, s (each engagement)")
    consents_to: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=lambda: ["all-assets"],
        description="with veto_over [all-intercepts]: the engagements it consents to, as `engages` rules "
                    "('own-assets' = this party's assets)")
    consent_delay_s: float = Field(0.0, ge=0.0, le=3600.0,
                                   description="with veto_over [all-intercepts]: delay of its consent, s")

    @field_validator("engages", "consents_to")
    @classmethod
    def _engage_rules(cls, rules: list[str]) -> list[str]:
        for rule in rules:
            if rule in ("own-assets", "all-assets"):
                continue
            kind, _, arg = rule.partition(":")
            if kind == "threat-origin" and arg:
                known.check_territory(arg)
            elif kind == "threat" and arg:
                pass  # checked against threat ids by the cross-reference pass
            else:
                raise ValueError(f"unknown engagement rule '{rule}' (allowed: own-assets, all-assets, "
                                 "threat-origin:<party group or ISO alpha-3>, threat:<threat id>)")
        return rules

    @property
    def shots_per_engagement(self) -> int:
        return self.salvo_size or {"shoot-shoot": 2, "salvo": 4}.get(self.doctrine, 1)

    @property
    def engagements_per_missile(self) -> int:
        return self.max_engagements or (2 if self.doctrine == "shoot-look-shoot" else 1)

    @field_validator("territory")
    @classmethod
    def _territory(cls, items: list[str] | None) -> list[str] | None:
        for item in items or ():
            known.check_territory(item)
        return items

    @model_validator(mode="after")
    def _defaults(self):
        if self.name is None:
            self.name = self.id
        if self.territory is None:
            self.territory = [self.id] if self.id in known.party_groups() else []
        if "own-airspace" in self.veto_over and not self.territory:
            raise ValueError(f"party '{self.id}' has veto_over [own-airspace] but no territory: give "
                             "territory: [party groups or ISO alpha-3 codes]")
        return self


class Asset(Placed):
    """Something a party defends (a city, a base), with its value for the metrics."""

    id: Id
    party: Id
    label: Label | None = None
    value: float = Field(1.0, gt=0.0, le=1.0e9, description="relative value (weights the metrics)")


class Sensor(Placed):
    """A radar or satellite of one party, of a catalog sensor `type`."""

    id: Id
    type: str = Field(description="catalog sensor type, e.g. an-tpy-2, voronezh-dm, sbirs-geo")
    party: Id
    boresight_az_deg: float | None = Field(None, ge=0.0, lt=360.0,
                                           description="face azimuth, degrees from north (default: catalog)")

    @field_validator("type")
    @classmethod
    def _known_type(cls, name: str, info: ValidationInfo) -> str:
        known.check("sensors", name, _catalog_of(info))
        return name

    @model_validator(mode="after")
    def _placeable(self, info: ValidationInfo):
        """What the sensing layer needs to place it (`sensing.sensors.place_sensors`): on or above
        the ground, and a face azimuth for a type that does not look all round."""
        if self.alt_m is not None and self.alt_m < SENSOR_MIN_ALT_M:
            raise ValueError(f"sensor '{self.id}': alt_m = {self.alt_m:g} m is below {SENSOR_MIN_ALT_M:g} m: a sensor stands on "
                             "or above the ground (the lowest shore, the Dead Sea, is at -430 m)")
        if self.boresight_az_deg is None:
            cat = _catalog_of(info) or _cat.PACKAGE
            try:
                coverage = float(cat.get("sensors", self.type).get("az_coverage_deg", 360.0))
            except (LookupError, ValueError, TypeError):
                return self            # an unknown or broken type is reported where it is named
            if coverage < 360.0:
                raise ValueError(f"sensor '{self.id}' of type '{self.type}' covers {coverage:g} deg of azimuth, so "
                                 "it needs boresight_az_deg (the face azimuth, degrees from north, in [0, 360))")
        return self


class Battery(Placed):
    """Interceptors of one party at one place, cued by named sensors."""

    id: Id
    party: Id
    interceptor: str = Field(description="catalog interceptor, e.g. sm-3-ib, gbi-3stage")
    rounds: int = Field(ge=0, le=100_000, description="interceptors available")
    cued_by: list[Id] = Field(default_factory=list, description="sensor ids that cue this battery (default: "
                              "every sensor of its party and what agreements share with it)")
    pk: float | None = Field(None, gt=0.0, le=1.0,
                             description="single-shot kill probability (default: the catalog's)")
    launch_interval_s: float = Field(5.0, ge=0.0, le=3600.0, description="time between two launches, s")
    look_s: float = Field(30.0, ge=0.0, le=3600.0,
                          description="kill assessment after an intercept before a re-engagement, s")

    @field_validator("interceptor")
    @classmethod
    def _known_interceptor(cls, name: str, info: ValidationInfo) -> str:
        known.check("interceptors", name, _catalog_of(info))
        return name


class Point(Placed):
    """A place given by `site` or `lat_deg`/`lon_deg` (threat launch points and aim points)."""


def _target_kind(value: Any) -> str:
    return "asset" if isinstance(value, str) else "point"


Target = Annotated[Union[Annotated[Id, Tag("asset")], Annotated[Point, Tag("point")]],
                   Discriminator(_target_kind)]


class Threat(Model):
    """A raid element: `count` missiles of one type from one launch point at one target."""

    id: Id
    missile: str = Field(description="catalog missile, e.g. shahab-3, hwasong-15, yars")
    launch: Point
    target: Target = Field(description="an asset id, or a point {site | lat_deg, lon_deg}")
    origin: Annotated[str, Field(max_length=40)] | None = Field(
        None, description="who launches (party group or ISO alpha-3); default: country at launch")
    count: int = Field(1, ge=1, le=100_000)
    launch_window_s: tuple[float, float] = Field((0.0, 0.0), description="[first, last] launch time, s")
    trajectory: Literal[TRAJECTORIES] = "min-energy"
    apogee_km: float | None = Field(None, gt=0.0, le=50_000.0,
                                    description="apogee for lofted/depressed trajectories, km")
    payload_kg: float | None = Field(None, ge=10.0, le=100_000.0,   # lighter than any RV; near 0 a missile escapes
                                     description="payload (RV, warhead and bus), kg (default: the catalog's)")

    @field_validator("missile")
    @classmethod
    def _known_missile(cls, name: str, info: ValidationInfo) -> str:
        known.check("missiles", name, _catalog_of(info))
        return name

    @field_validator("origin")
    @classmethod
    def _known_origin(cls, origin: str | None) -> str | None:
        if origin is not None:
            known.check_territory(origin)
        return origin

    @field_validator("launch_window_s")
    @classmethod
    def _window(cls, window: tuple[float, float]) -> tuple[float, float]:
        t0, t1 = window
        if t0 < 0.0 or t1 < t0 or t1 > 1.0e7:
            raise ValueError(f"launch_window_s [{t0}, {t1}] must satisfy 0 <= first <= last <= 1e7 s")
        return window

    @model_validator(mode="after")
    def _apogee_only_when_chosen(self):
        if self.apogee_km is not None and self.trajectory == "min-energy":
            raise ValueError("apogee_km is fixed by a min-energy trajectory; set trajectory: lofted "
                             "or depressed to choose the apogee")
        if self.apogee_km is None and self.trajectory != "min-energy":
            raise ValueError(f"a {self.trajectory} trajectory needs its apogee: give apogee_km (above the "
                             "min-energy apogee for lofted, below it for depressed)")
        return self


class Agreement(Model):
    """Terms between parties: which sensors' data is shared, and with what latency."""

    id: Id | None = None
    parties: list[Id] = Field(min_length=2, description="the parties bound by it")
    share: Literal[SHARE_KINDS] = Field("tracks", description="what flows: tracks | detections | none")
    sensors: list[Id] = Field(default_factory=list,
                              description="sensor ids whose data is shared (each owned by a party of the agreement)")
    latency_s: float = Field(0.0, ge=0.0, le=3600.0, description="delay before shared data arrives, s")


class Sector(Model):
    """joint-sectoral: the area (a closed lat/lon polygon) where `party` takes responsibility:
    for every missile aimed inside it (`aimpoint`), or every missile it can intercept over it
    (`overflight`, wherever the missile is headed)."""

    id: Id | None = None
    party: Id
    responsibility: Literal["aimpoint", "overflight"] = "aimpoint"
    polygon: list[tuple[LatDeg, LonDeg]] = Field(
        min_length=4, max_length=10_000,
        description="[[lat_deg, lon_deg], ...], closed: the last vertex repeats the first")

    @field_validator("polygon")
    @classmethod
    def _closed(cls, polygon: list[tuple[float, float]]) -> list[tuple[float, float]]:
        if tuple(polygon[0]) != tuple(polygon[-1]):
            raise ValueError(f"sector polygon does not close: first vertex {list(polygon[0])} != last "
                             f"vertex {list(polygon[-1])} (repeat the first vertex at the end)")
        poly = shapely.Polygon([(lon, lat) for lat, lon in polygon])
        if not poly.is_valid:
            raise ValueError(f"sector polygon is not a simple polygon ({shapely.is_valid_reason(poly)}); "
                             "edges must not cross")
        return polygon


class Command(Model):
    """single-command: the party whose battle manager assigns every party's interceptors, and the
    missiles it engages (as a party's `engages` rules; default all-assets)."""

    party: Id
    engages: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=lambda: ["all-assets"])

    _rules = field_validator("engages")(Party._engage_rules.__func__)


def _command(value: Any) -> Any:
    return {"party": value} if isinstance(value, str) else value


class Scenario(Model):
    """A whole scenario: the parties, what they defend, their sensors, interceptors and agreements,
    the raid, and the architecture under which they cooperate."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=20_000)] = ""
    seed: int = Field(0, ge=0, le=2**63 - 1, description="seed of the numpy Generator streams")
    architecture: Literal[ARCHITECTURES] = "independent"
    parties: list[Party] = Field(min_length=1, max_length=1000)
    assets: list[Asset] = Field(default_factory=list, max_length=100_000)
    sensors: list[Sensor] = Field(default_factory=list, max_length=100_000)
    batteries: list[Battery] = Field(default_factory=list, max_length=100_000)
    threats: list[Threat] = Field(default_factory=list, max_length=100_000)
    agreements: list[Agreement] = Field(default_factory=list, max_length=100_000)
    sectors: list[Sector] = Field(default_factory=list, max_length=100_000)
    command: Annotated[Command, BeforeValidator(_command)] | None = Field(
        None, description="single-command: PARTY (defends every asset) or {party, engages}; default: the "
                          "first party, all assets")
    variants: dict[Id, dict[str, Any]] = Field(
        default_factory=dict, max_length=1000,
        description="named field overrides that `compare` runs side by side, e.g. {russian-veto: "
                    "{parties.russia.veto_over: [all-intercepts]}} (paths as in `bmdcoop sweep`)")
    catalog: dict[str, Any] | None = Field(
        None, description="user catalog entries (missiles, interceptors, sensors, sites, references) in the format of "
                          "catalog files (`bmdcoop schema catalog`); they add to or override the package's and "
                          "`--catalog FILE`'s")
    _catalog: _cat.Catalog | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _fill_origins(self):
        """A threat without `origin` is launched by the country at its launch point (one
        vectorised look-up for all threats; None at sea, e.g. an SSBN patrol area)."""
        todo = [t for t in self.threats if t.origin is None]
        if todo:
            codes = known.country_codes([t.launch.lat_deg for t in todo], [t.launch.lon_deg for t in todo])
            for threat, code in zip(todo, codes):
                threat.origin = str(code) or None
        return self

    @model_validator(mode="after")
    def _default_command(self):
        if self.architecture == "single-command" and self.command is None and self.parties:
            self.command = Command(party=self.parties[0].id)
        return self

    @model_validator(mode="after")
    def _cross_references(self, info: ValidationInfo):
        """A scenario built in Python is checked like a loaded file (the loader runs the same
        checks itself, with file lines, and asks this one to stand aside)."""
        if info.context and info.context.get("cross_referenced_by_loader"):
            return self
        from bmdcoop.scenario.checks import cross_reference

        problems = [f"{'.'.join(str(k) for k in path) or 'scenario'}: {msg}"
                    for path, msg in cross_reference(self.model_dump(mode="json", exclude_none=True))]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # --- conveniences for the layers above (never part of the file) ---------------------------
    def catalog_view(self) -> _cat.Catalog:
        """The catalog the scenario's names resolve in: the package with its user entries on top."""
        if self._catalog is None:
            self._catalog = _cat.PACKAGE if not self.catalog else \
                _cat.Catalog([_cat.load_layer(self.catalog, filename=f"scenario '{self.name}' catalog")])
        return self._catalog

    def user_entries(self) -> dict[str, list[str]]:
        """The user catalog names of the resolved `catalog:` section (those the scenario or one of
        its variants uses), per kind: the `user_entries` of JSON outputs."""
        return {kind: sorted(names) for kind, names in (self.catalog or {}).items() if kind != "references"}

    def party(self, party_id: str) -> Party:
        return _by_id(self.parties, party_id, "party")

    def asset(self, asset_id: str) -> Asset:
        return _by_id(self.assets, asset_id, "asset")

    def sensor(self, sensor_id: str) -> Sensor:
        return _by_id(self.sensors, sensor_id, "sensor")

    def battery(self, battery_id: str) -> Battery:
        return _by_id(self.batteries, battery_id, "battery")

    def threat(self, threat_id: str) -> Threat:
        return _by_id(self.threats, threat_id, "threat")

    def owned_by(self, party_id: str) -> dict[str, list[str]]:
        """Ids of the assets, sensors and batteries of one party."""
        return {section: [x.id for x in getattr(self, section) if x.party == party_id]
                for section in ("assets", "sensors", "batteries")}

    def target_point(self, threat: Threat) -> tuple[float, float, float]:
        """(lat_deg, lon_deg, alt_m) of a threat's aim point (its asset's, or its own point)."""
        tgt = self.asset(threat.target) if isinstance(threat.target, str) else threat.target
        return tgt.lat_deg, tgt.lon_deg, tgt.alt_m

    def shared_with(self, party_id: str) -> list[tuple[str, float]]:
        """(sensor id, latency_s) of other parties' sensors whose tracks reach `party_id`."""
        own = set(self.owned_by(party_id)["sensors"])
        out: dict[str, float] = {}
        for ag in self.agreements:
            if ag.share == "none" or party_id not in ag.parties:
                continue
            for sid in ag.sensors:
                if sid not in own:
                    out[sid] = min(out.get(sid, math.inf), ag.latency_s)
        return sorted(out.items())


def _by_id(items, item_id: str, kind: str):
    for item in items:
        if item.id == item_id:
            return item
    from bmdcoop.errors import unknown_name
    raise unknown_name(kind, item_id, [i.id for i in items])

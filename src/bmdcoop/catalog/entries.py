"""Catalog entries declared once: missiles, interceptors, sensors and sites as pydantic models.

The same models validate the package's catalog files, a user's `--catalog FILE` and a scenario's
`catalog:` section (with file:line errors, `bmdcoop.catalog.located`), generate the JSON Schema of
catalog files (`catalog_schema()`, `bmdcoop schema catalog`), and are what the physics, sensing and
engagement layers build their array objects from (`bmdcoop.physics.boost.missile`,
`bmdcoop.engagement.interceptors.interceptor_spec`, `bmdcoop.sensing.sensors.sensor_type`).

Every value field may be written plain (`burn_s: 75`) or sourced (`{value: 75, ref: forden2007,
note: ..., range: [60, 80]}`, `bmdcoop.catalog.sourced`); an entry's `ref` is the source of its plain
values. A validation context `{"references": keys}` makes every `ref` a checked key.

A catalog file (`CatalogFile`):

```yaml
references:
  forden2007: {cite: "G. Forden, GUI_Missile_Flyout, Science & Global Security 15 (2007)", year: 2007}
missiles:
  scud-b-forden:
    ref: forden2007
    class: SRBM
    propellant: liquid
    payload_kg: 1000
    rv_separates: false
    stages: [{propellant_kg: 3699, dry_kg: 1198, isp_s: 230, burn_s: 75, diameter_m: 0.84}]
    cd_mach: {mach: [0.0, 0.85, 1.0, 1.2, 2.0, 4.5], cd: [0.2, 0.2, 0.27, 0.27, 0.2, 0.2]}
interceptors: {}
sensors: {}
sites: {}
```
"""
from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from bmdcoop.catalog.sourced import Sourced, check_ref

KINDS = ("missiles", "interceptors", "sensors", "sites")
MISSILE_CLASSES = ("SRBM", "MRBM", "IRBM", "ICBM", "SLBM")
# airframe and propulsion technology: each has a band of structural fractions (docs/physics.md)
TECHNOLOGIES = ("scud-liquid", "storable-liquid", "solid")
SITE_KINDS = ("radar", "interceptor", "launch-area", "ssbn-patrol", "city", "ship-station")
G0_MPS2 = 9.80665              # standard gravity: Isp (s) -> exhaust speed
ESCAPE_SPEED_MPS = 11_186.0    # from the Earth's surface; a ballistic missile stays far below it

Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
                            description="entry name: letters, digits, '-', '_', '.' (max 64)")]
Text = Annotated[str, Field(max_length=2000)]


class Entry(BaseModel):
    """Base of every entry: unknown keys are errors, numbers finite; `label` and the default `ref`."""

    # strict: `rv_separates: "no"` or `payload_kg: true` is a mistake to report, not a value to coerce
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=True, strict=True)

    label: Text | None = Field(None, description="display name")
    ref: str | None = Field(None, description="reference key: the source of every plain value of the entry")
    note: Text | None = Field(None, description="free text")

    @field_validator("ref")
    @classmethod
    def _known_ref(cls, ref: str | None, info: ValidationInfo) -> str | None:
        if ref is not None:
            check_ref(ref, info)
        return ref


class Part(BaseModel):
    """A mapping inside an entry (a stage, a drag table): unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


# ----------------------------------------------------------------------------- missiles

class Stage(Part):
    propellant_kg: float = Field(gt=0.0, le=1.0e6, description="propellant burned, kg")
    dry_kg: float = Field(gt=0.0, le=1.0e6, description="mass dropped at burnout (structure, engine), kg")
    isp_s: float = Field(gt=0.0, le=500.0, description="flight-average specific impulse, s")
    burn_s: float = Field(gt=0.0, le=1000.0, description="burn time, s")
    diameter_m: float = Field(gt=0.0, le=20.0, description="body diameter, m")


class DragTable(Part):
    mach: list[float] = Field(min_length=1, description="Mach numbers, >= 0, strictly increasing")
    cd: list[float] = Field(min_length=1, description="drag coefficient at each Mach number, >= 0")

    @model_validator(mode="after")
    def _table(self):
        if len(self.mach) != len(self.cd):
            raise ValueError(f"mach and cd must be lists of the same length ({len(self.mach)} vs {len(self.cd)})")
        if any(m < 0 for m in self.mach) or any(b <= a for a, b in zip(self.mach, self.mach[1:])):
            raise ValueError("mach: Mach numbers must be >= 0 and increase strictly")
        if any(c <= 0 for c in self.cd):
            raise ValueError("cd: drag coefficients must be > 0 (a body in air always has drag; "
                             "to fly without an atmosphere use --no-drag / Forces(drag=False))")
        return self


class Pitch(Part):
    """The pitch program: vertical rise, a kick from the vertical held for kick_s, then a gravity turn."""

    vertical_s: float = Field(5.0, ge=0.0, le=600.0)
    kick_s: float = Field(10.0, gt=0.0, le=600.0)
    kick_deg: float = Field(5.0, gt=0.0, lt=90.0)


class TestFlight(Part):
    """An observed flight a missile's structure was solved to (`tools/derive_from_lofted_test.py`)."""

    date: str
    launch: tuple[float, float] = Field(strict=False, description="[lat_deg, lon_deg]")
    azimuth_deg: float = Field(ge=0.0, lt=360.0)
    range_km: float = Field(gt=0.0)
    apogee_km: float = Field(gt=0.0)
    flight_time_s: float | None = Field(None, gt=0.0)
    payload_kg: float | None = Field(None, gt=0.0, description="payload the flight implies, kg")
    solved: Literal["structure", "payload"] = Field(
        "structure", description="what the flight was used to solve: the structure at the catalog payload, "
                                 "or the payload at the catalog structure")
    ref: str
    note: Text | None = None

    @field_validator("ref")
    @classmethod
    def _known_ref(cls, ref: str, info: ValidationInfo) -> str:
        check_ref(ref, info)
        return ref


class MissileEntry(Entry):
    """A ballistic missile: stages, payload, drag and pitch program (`bmdcoop.physics.boost`)."""

    class_: Sourced(Literal[MISSILE_CLASSES]) | None = Field(None, alias="class")
    propellant: Sourced(Literal["liquid", "solid"]) | None = None
    technology: Sourced(Literal[TECHNOLOGIES]) | None = Field(
        None, description="airframe technology; sets the band of structural fractions (docs/physics.md)")
    published_range_km: Sourced(float) | None = Field(None, gt=0.0, le=25_000.0)
    published_range_payload_kg: Sourced(float) | None = Field(
        None, gt=0.0, description="payload at which the published range is claimed, kg")
    payload_kg: Sourced(float) = Field(gt=0.0, le=1.0e5, description="RV / warhead (and bus) after the last burn, kg")
    warheads: Sourced(int) | None = Field(None, ge=1, le=40, description="re-entry vehicles carried")
    launch_mass_kg: Sourced(float) | None = Field(None, gt=0.0, le=1.0e6)
    rv_separates: Sourced(bool) = True
    rv_diameter_m: Sourced(float) | None = Field(None, gt=0.0, le=20.0)
    rv_area_m2: Sourced(float) | None = Field(None, gt=0.0, le=300.0)
    rcs_m2: Sourced(float) | None = Field(None, gt=0.0, description="radar cross-section of the RV, m^2")
    stages: list[Stage] = Field(min_length=1, max_length=6)
    derivation: Text | None = Field(None, description="where the stage data come from")
    derived_from_test: TestFlight | None = None
    cd_mach: Sourced(DragTable)
    rv_cd_mach: Sourced(DragTable) | None = None
    pitch: Sourced(Pitch) = Pitch()

    @model_validator(mode="after")
    def _rv(self):
        problems = flight_problems([s.propellant_kg for s in self.stages], [s.dry_kg for s in self.stages],
                                   [s.isp_s for s in self.stages], [s.burn_s for s in self.stages], self.payload_kg)
        if problems:
            raise ValueError("; ".join(problems))
        if self.rv_separates:
            if self.rv_diameter_m is None and self.rv_area_m2 is None:
                raise ValueError("a separating RV (rv_separates: true) needs rv_diameter_m or rv_area_m2")
            if self.rv_cd_mach is None:
                raise ValueError("a separating RV (rv_separates: true) needs its drag table rv_cd_mach")
        return self


def flight_problems(propellant_kg, dry_kg, isp_s, burn_s, payload_kg: float) -> list[str]:
    """Why a missile with these stages (lists, first stage first) and payload cannot fly a ballistic
    missile's flight, as sentences naming the fields ([] if it can): it must lift off (first-stage
    thrust above the weight at lift-off) and stay below escape speed (rocket-equation velocity gain,
    an upper bound on the burnout speed, under 11.2 km/s)."""
    launch_kg = sum(propellant_kg) + sum(dry_kg) + payload_kg
    problems = []
    thrust_to_weight = isp_s[0] * propellant_kg[0] / burn_s[0] / launch_kg   # (Isp g0 mdot) / (m g0)
    if not thrust_to_weight > 1.0:
        problems.append(f"first-stage thrust is {thrust_to_weight:.3g} of the weight at lift-off ({launch_kg:.6g} kg "
                        "with the payload): the missile cannot lift off (allowed: thrust-to-weight > 1, i.e. "
                        "isp_s * propellant_kg / burn_s of stage 1 above the launch mass; give more propellant "
                        "per second, a higher isp_s or less mass)")
    mass, dv = launch_kg, 0.0
    for p, d, isp in zip(propellant_kg, dry_kg, isp_s):
        dv += isp * G0_MPS2 * math.log(mass / (mass - p))
        mass -= p + d
    if not dv < ESCAPE_SPEED_MPS:
        problems.append(f"the rocket equation gives a velocity gain of {dv:,.0f} m/s, above Earth's escape speed "
                        f"({ESCAPE_SPEED_MPS:,.0f} m/s): not a ballistic missile (check propellant_kg, dry_kg, "
                        "isp_s and payload_kg; ICBMs gain about 7,000-8,000 m/s)")
    return problems


# ----------------------------------------------------------------------------- interceptors

class InterceptorEntry(Entry):
    """An interceptor: burnout speed, burn, engagement limits and delays
    (`bmdcoop.engagement.interceptors.InterceptorSpec`)."""

    burnout_speed_kms: Sourced(float) = Field(gt=0.0, le=12.0, description="Earth-relative speed at burnout")
    burn_time_s: Sourced(float) = Field(gt=0.0, le=1000.0)
    stages: Sourced(int) = Field(ge=1, le=4)
    min_intercept_alt_km: Sourced(float) = Field(ge=0.0)
    max_intercept_alt_km: Sourced(float) = Field(gt=0.0, le=1.0e5)
    max_range_km: Sourced(float) = Field(gt=0.0, le=25_000.0)
    max_flight_s: Sourced(float) = Field(gt=0.0, le=1.0e4)
    reaction_s: Sourced(float) = Field(ge=0.0, le=1.0e4, description="fire-control track -> fire command")
    launch_delay_s: Sourced(float) = Field(ge=0.0, le=1.0e4, description="fire command -> lift-off")
    pk_single_shot: Sourced(float) = Field(ge=0.0, le=1.0, description="single-shot kill probability (assumption)")
    exo: Sourced(bool) = Field(description="true: a kill vehicle separates at burnout")
    launch_mass_kg: Sourced(float) = Field(gt=0.0, le=1.0e6)
    diameter_m: Sourced(float) = Field(gt=0.0, le=20.0)
    kv_mass_kg: Sourced(float) = Field(gt=0.0, le=1.0e5)

    @model_validator(mode="after")
    def _consistent(self):
        if self.max_intercept_alt_km <= self.min_intercept_alt_km:
            raise ValueError(f"max_intercept_alt_km {self.max_intercept_alt_km:g} must be above "
                             f"min_intercept_alt_km {self.min_intercept_alt_km:g} (allowed: 0 <= min < max)")
        if self.kv_mass_kg >= self.launch_mass_kg:
            raise ValueError(f"kv_mass_kg {self.kv_mass_kg:g} must be below launch_mass_kg {self.launch_mass_kg:g}")
        return self


# ----------------------------------------------------------------------------- sensors

_RADAR_ONLY = ("range_km", "beamwidth_mrad", "range_resolution_m")
_INFRARED_ONLY = ("cloud_top_km", "processing_delay_s", "sigma_los_mrad")


class SensorEntry(Entry):
    """A sensor type: radar (range from the radar equation) or space-based infrared
    (`bmdcoop.sensing.sensors.SensorType`)."""

    kind: Sourced(Literal["radar", "infrared"])
    band: Sourced(Annotated[str, Field(max_length=40)])
    az_coverage_deg: Sourced(float) = Field(gt=0.0, le=360.0, description="field of view in azimuth")
    min_elevation_deg: Sourced(float) = Field(ge=-90.0, le=90.0)
    max_elevation_deg: Sourced(float) = Field(ge=-90.0, le=90.0)
    revisit_s: Sourced(float) = Field(gt=0.0, le=1.0e4, description="search frame")
    track_revisit_s: Sourced(float) = Field(0.0, ge=0.0, le=1.0e4, description="look interval when cued (0: revisit_s)")
    platform_alt_km: Sourced(float) = Field(0.0, ge=0.0, le=1.0e6)
    range_km: Sourced(float) | None = Field(None, gt=0.0, le=1.0e5, description="radar: Pd 0.9 search-look range")
    ref_rcs_m2: Sourced(float) = Field(1.0, gt=0.0, le=1.0e4)
    cued_range_gain: Sourced(float) = Field(1.0, ge=1.0, le=100.0)
    beamwidth_mrad: Sourced(float) | None = Field(None, gt=0.0, le=3000.0)
    range_resolution_m: Sourced(float) | None = Field(None, gt=0.0, le=1.0e5)
    cloud_top_km: Sourced(float) | None = Field(None, ge=0.0, le=100.0)
    processing_delay_s: Sourced(float) | None = Field(None, ge=0.0, le=3600.0)
    sigma_los_mrad: Sourced(float) | None = Field(None, gt=0.0, le=1000.0)
    derivation: dict[str, Any] | None = Field(None, description="radar-equation inputs, each sourced "
                                                                "(bmdcoop.sensing.radar_equation)")

    @model_validator(mode="after")
    def _consistent(self):
        if self.max_elevation_deg <= self.min_elevation_deg:
            raise ValueError(f"max_elevation_deg {self.max_elevation_deg:g} must be above min_elevation_deg "
                             f"{self.min_elevation_deg:g}")
        need, other = (_RADAR_ONLY, _INFRARED_ONLY) if self.kind == "radar" else (_INFRARED_ONLY, _RADAR_ONLY)
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.kind} sensor needs {', '.join(missing)}")
        stray = [f for f in other if getattr(self, f) is not None]
        if stray:
            raise ValueError(f"{', '.join(stray)} belong to the other kind of sensor, not a {self.kind}")
        look = self.track_revisit_s or self.revisit_s
        ratio = self.revisit_s / look
        if abs(ratio - round(ratio)) > 1e-9 or round(ratio) < 1:
            # cued looks must include the search looks, so that a cue can never cost a look
            raise ValueError(f"track_revisit_s = {self.track_revisit_s:g} must be revisit_s ({self.revisit_s:g}) "
                             "divided by a whole number")
        return self


# ----------------------------------------------------------------------------- sites and files

class SiteEntry(Entry):
    """A place: radar, interceptor base, launch area, patrol area, ship station or city."""

    lat_deg: Sourced(float) = Field(ge=-90.0, le=90.0)
    lon_deg: Sourced(float) = Field(ge=-180.0, le=360.0)
    alt_m: Sourced(float) = Field(0.0, ge=-1.0e4, le=1.0e8, description="above the WGS-84 ellipsoid")
    country: Annotated[str, Field(pattern=r"^([A-Z]{3})?$", description="ISO 3166 alpha-3, '' at sea")] = ""
    kind: Literal[SITE_KINDS] | None = None


class Reference(Part):
    cite: Annotated[str, Field(min_length=1, max_length=2000)]
    year: int = Field(ge=1900, le=2100)


ENTRY_MODELS: dict[str, type[Entry]] = {"missiles": MissileEntry, "interceptors": InterceptorEntry,
                                        "sensors": SensorEntry, "sites": SiteEntry}


class CatalogFile(Part):
    """User entries (`--catalog FILE`, a scenario's `catalog:`): names mapped to entries written as the
    package's own (`bmdcoop catalog KIND NAME` shows them), plus the references they cite (the
    package's reference keys may be cited too). A name already in the package overrides it."""

    references: dict[str, Reference] = Field(default_factory=dict)
    missiles: dict[Name, MissileEntry] = Field(default_factory=dict)
    interceptors: dict[Name, InterceptorEntry] = Field(default_factory=dict)
    sensors: dict[Name, SensorEntry] = Field(default_factory=dict)
    sites: dict[Name, SiteEntry] = Field(default_factory=dict)


def catalog_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of catalog files, generated from the entry models."""
    schema = CatalogFile.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "bmdcoop catalog"
    return schema


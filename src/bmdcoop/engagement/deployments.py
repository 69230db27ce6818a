"""Defence deployments and threat presets, read from `catalog/deployments.yaml`.

A deployment is one party's sensors and batteries, loaded through the scenario models: to the
engagement layer it is a `Scenario` without threats. Threat presets are launch areas x targets,
flown as the preset's catalog missile (`threats.catalog_threats`) or as ideal minimum-energy arcs
after a boost phase (`threats.ideal_threats`).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from bmdcoop.errors import unknown_name
from bmdcoop.scenario import Scenario, load_scenario


@functools.cache
def _data() -> dict[str, Any]:
    text = resources.files("bmdcoop.catalog").joinpath("deployments.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _spliced(items: list) -> list:
    """A list whose items may be lists themselves (YAML aliases of other lists), flattened once."""
    out: list = []
    for item in items or []:
        out.extend(item if isinstance(item, list) else [item])
    return out


def _value(v):
    return v["value"] if isinstance(v, dict) and "value" in v else v


@dataclass(frozen=True)
class ThreatPreset:
    name: str
    label: str
    launches: tuple[str, ...]
    targets: tuple[str, ...]
    boost_s: float
    missile_class: str
    default_deployments: tuple[str, ...]
    missile: str | None = None          # a catalog missile of the class, flown when threat_model is 'catalog'
    payload_kg: float | None = None     # the payload it flies with (None: the catalog's)


def deployment_names() -> list[str]:
    return list(_data()["deployments"])


def deployment(name: str) -> Scenario:
    """The deployment `name` as a scenario: one party, its sensors and batteries, no threats."""
    entries = _data()["deployments"]
    if name not in entries:
        raise unknown_name("deployment", name, list(entries))
    e = entries[name]
    party = e["party"]
    doc = {"name": name, "description": e.get("label", ""), "parties": [{"id": party}],
           "sensors": [{**s, "party": party} for s in _spliced(e.get("sensors"))],
           "batteries": [{**b, "party": party} for b in _spliced(e.get("batteries"))]}
    return load_scenario(doc)


def organic_radar(interceptor: str) -> str | None:
    """The radar type that sits with a battery of this interceptor's family (None: none)."""
    for family, radar in _data()["organic_radars"].items():
        if interceptor.startswith(str(family)):
            return radar
    return None


def threat_presets() -> dict[str, ThreatPreset]:
    out = {}
    for name, e in _data()["threat_presets"].items():
        out[name] = ThreatPreset(name, e["label"], tuple(e["launches"]), tuple(e["targets"]), float(_value(e["boost_s"])),
                                 e["missile_class"], tuple(e["default_deployments"]), e.get("missile"),
                                 None if e.get("payload_kg") is None else float(_value(e["payload_kg"])))
    return out


def threat_preset(name: str) -> ThreatPreset:
    presets = threat_presets()
    if name not in presets:
        raise unknown_name("reach preset", name, list(presets))
    return presets[name]

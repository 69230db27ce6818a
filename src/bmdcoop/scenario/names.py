"""Names a scenario may use: catalog entries, party groups, ISO country codes.

Missile, interceptor and sensor names are checked against the catalog plus the project-wide agreed
names below (the catalog is filled in by several engineers; the agreed names are the contract, so
scenario files can name an entry before its catalog data lands).
"""
from __future__ import annotations

import functools

from bmdcoop import catalog
from bmdcoop.catalog import regions
from bmdcoop.errors import unknown_name

# The names every engineer agreed to use (shared names list); a fallback only for an empty catalog.
AGREED = {
    "missiles": ("scud-b", "al-hussein", "no-dong", "taepodong-1", "shahab-3", "iran-2000km",
                 "iran-4000km", "hwasong-12", "hwasong-14", "hwasong-15", "hwasong-17", "topol-m",
                 "yars", "ss-18", "sarmat", "bulava"),
    "interceptors": ("sm-3-ia", "sm-3-ib", "sm-3-iia", "sm-3-iib", "gbi-2stage", "gbi-3stage",
                     "thaad", "pac-3-mse", "53t6", "a-235", "s-400-40n6", "s-500", "arrow-3"),
    "sensors": ("an-tpy-2", "aegis-spy-1", "uewr", "sbx", "voronezh-m", "voronezh-dm", "don-2n",
                "sbirs-geo"),
}
_SINGULAR = {"missiles": "missile", "interceptors": "interceptor", "sensors": "sensor type",
             "sites": "site"}


@functools.cache
def _package_known(kind: str) -> frozenset[str]:
    return frozenset(catalog.names(kind)) | frozenset(AGREED.get(kind, ()))


def known(kind: str, cat: catalog.Catalog | None = None) -> frozenset[str]:
    """Names a scenario may use: the package's (and the agreed ones), plus those of `cat`'s user layers."""
    if cat is None or not cat.layers:
        return _package_known(kind)
    return _package_known(kind) | frozenset(cat.names(kind))


def check(kind: str, name: str, cat: catalog.Catalog | None = None) -> None:
    """Raise (a ValueError subclass, so pydantic reports it in place) for an unknown name."""
    names = known(kind, cat)
    if len(name) > 100:
        raise ValueError(f"{_SINGULAR.get(kind, kind)} name of {len(name)} characters is not a "
                         f"catalog name (names are short, e.g. {min(names, default='')!r})")
    if name not in names:
        raise unknown_name(_SINGULAR.get(kind, kind), name, names)


@functools.cache
def _sites() -> dict:
    return catalog.load("sites")


def site(name: str, cat: catalog.Catalog | None = None) -> dict:
    """The catalog entry of a site (read-only: shared between calls)."""
    if cat is not None and cat.layers:
        return cat.get("sites", name)
    entries = _sites()
    if name not in entries:
        raise unknown_name("site", name, entries)
    return entries[name]


@functools.cache
def party_groups() -> frozenset[str]:
    return frozenset(regions.party_groups())


@functools.cache
def _territories() -> frozenset[str]:
    return frozenset(regions.party_groups()) | frozenset(regions.country_codes())


def check_territory(name: str) -> None:
    if name not in _territories():
        groups = sorted(party_groups())
        err = unknown_name("party group or country code", name, _territories())
        raise type(err)(str(err).split(" (known:")[0]
                        + f" (party groups: {', '.join(groups)}; or an ISO 3166 alpha-3 code such as POL)")


def country_codes(lat_deg, lon_deg):
    """Country at each launch point, snapping points within 50 km of a coast to the land."""
    return regions.country_at(lat_deg, lon_deg, within_km=50.0)

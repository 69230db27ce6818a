"""Cross-reference checks between sections of a scenario.

They run on the raw file data (before or despite field errors), so one pass reports every mistake:
duplicate ids; assets, sensors, batteries, sectors and agreements naming an unknown party; a battery
cued by an unknown sensor; an agreement sharing a sensor that none of its parties owns; a threat
aimed at an unknown asset; an engagement rule naming an unknown threat; joint-sectoral without
sectors.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

Path = tuple[Any, ...]
SECTIONS = ("parties", "assets", "sensors", "batteries", "threats", "agreements", "sectors")
_NOUN = {"parties": "party", "assets": "asset", "sensors": "sensor", "batteries": "battery",
         "threats": "threat", "agreements": "agreement", "sectors": "sector"}


def _items(data: dict, section: str) -> Iterator[tuple[int, dict]]:
    items = data.get(section)
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict):
                yield i, item


def _unknown(kind: str, name: str, known: dict[str, Any]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    listing = ", ".join(sorted(known)[:30]) or "none defined"
    return f"unknown {kind} '{name[:60]}'{hint} (defined: {listing})"


def _ids(data: dict, section: str, problems: list) -> dict[str, int]:
    """id -> index of its first definition, reporting duplicates."""
    seen: dict[str, int] = {}
    for i, item in _items(data, section):
        ident = item.get("id")
        if not isinstance(ident, str):
            continue
        if ident in seen:
            problems.append(((section, i, "id"), f"duplicate {_NOUN[section]} id '{ident[:60]}' "
                                                 f"(already used by {section}[{seen[ident]}])"))
        else:
            seen[ident] = i
    return seen


def cross_reference(data: Any) -> list[tuple[Path, str]]:
    """(field path, message) for every broken reference between sections."""
    if not isinstance(data, dict):
        return []
    problems: list[tuple[Path, str]] = []
    ids = {s: _ids(data, s, problems) for s in SECTIONS if s not in ("agreements", "sectors")}
    for s in ("agreements", "sectors"):
        _ids(data, s, problems)
    parties, sensors, assets, threats = ids["parties"], ids["sensors"], ids["assets"], ids["threats"]

    def party_ref(path: Path, value: Any) -> None:
        if isinstance(value, str) and parties and value not in parties:
            problems.append((path, _unknown("party", value, parties)))

    owner: dict[str, str] = {}
    for section in ("assets", "sensors", "batteries", "sectors"):
        for i, item in _items(data, section):
            party_ref((section, i, "party"), item.get("party"))
            if section == "sensors" and isinstance(item.get("id"), str) and isinstance(item.get("party"), str):
                owner.setdefault(item["id"], item["party"])

    for i, item in _items(data, "batteries"):
        cued = item.get("cued_by")
        if isinstance(cued, list):
            for j, sid in enumerate(cued):
                if isinstance(sid, str) and sid not in sensors:
                    problems.append((("batteries", i, "cued_by", j), _unknown("sensor", sid, sensors)))

    for i, item in _items(data, "threats"):
        target = item.get("target")
        if isinstance(target, str) and target not in assets:
            problems.append((("threats", i, "target"), _unknown("target asset", target, assets)
                             + "; or give a point {site: NAME} or {lat_deg, lon_deg}"))

    def threat_rules(path: Path, rules: Any) -> None:
        for j, rule in enumerate(rules if isinstance(rules, list) else []):
            if isinstance(rule, str) and rule.startswith("threat:"):
                tid = rule.removeprefix("threat:")
                if tid and tid not in threats:
                    problems.append(((*path, j), _unknown("threat", tid, threats)))

    for i, item in _items(data, "parties"):
        threat_rules(("parties", i, "engages"), item.get("engages"))
        threat_rules(("parties", i, "consents_to"), item.get("consents_to"))

    command = data.get("command")
    if isinstance(command, str):
        party_ref(("command",), command)
    elif isinstance(command, dict):
        party_ref(("command", "party"), command.get("party"))
        threat_rules(("command", "engages"), command.get("engages"))

    for i, item in _items(data, "agreements"):
        members = item.get("parties")
        members = [p for p in members if isinstance(p, str)] if isinstance(members, list) else []
        for j, pid in enumerate(item.get("parties") if isinstance(item.get("parties"), list) else []):
            party_ref(("agreements", i, "parties", j), pid)
        if len(set(members)) != len(members):
            problems.append((("agreements", i, "parties"), "a party is named twice in one agreement"))
        shared = item.get("sensors")
        if isinstance(shared, list):
            for j, sid in enumerate(shared):
                if not isinstance(sid, str):
                    continue
                if sid not in sensors:
                    problems.append((("agreements", i, "sensors", j), _unknown("sensor", sid, sensors)))
                elif owner.get(sid) is not None and members and owner[sid] not in members:
                    problems.append((("agreements", i, "sensors", j),
                                     f"sensor '{sid}' belongs to party '{owner[sid]}', which is not a party "
                                     f"to this agreement ({', '.join(members)}); a party can share only "
                                     "its own sensors"))

    if data.get("architecture") == "joint-sectoral" and not list(_items(data, "sectors")):
        problems.append((("architecture",), "architecture joint-sectoral needs sectors: give each "
                                            "party a polygon under 'sectors'"))
    return problems

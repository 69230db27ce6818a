"""Missile and catalog files as an attacker or a careless user writes them (issue 16): `bmdcoop flyout
FILE.yaml` and `--catalog FILE` go through the same bounded reader as scenario files, and the entry
models refuse what cannot fly.

Each case runs the real command line in a child (tests/hostile_cases.py): exit 2, one message that
names the problem (and the file), no traceback, within the 30 s hang guard; the file attacks also
stay under a memory ceiling measured in the child (a billion-laughs file once took 4.5 GB).

The physically impossible missiles are variants of Forden's Scud-B (Science & Global Security 15,
2007: 3,699 kg propellant, 1,198 kg dry, 1,000 kg warhead, Isp 230 s, 75 s burn): its thrust,
230 s x 9.81 m/s^2 x 49.3 kg/s = 111 kN, lifts 5,897 kg (58 kN) at 1.9 g.
"""
from __future__ import annotations

import os

import pytest

from hostile_cases import BOMB, FORDEN_SCUD, assert_refused, assert_sane, run_cli

FILE_RSS_MIB = 400      # the reader's limits keep a hostile file near the interpreter's own ~250 MiB


def _edit(old: str, new: str) -> str:
    assert old in FORDEN_SCUD
    return FORDEN_SCUD.replace(old, new)


# (id, file text or bytes, words the message must name)
FILE_ATTACKS = [
    ("billion laughs", BOMB + FORDEN_SCUD, ["alias"]),
    ("recursive alias", FORDEN_SCUD + "x: &x [*x]\n", ["nesting"]),
    ("deep flow nesting", FORDEN_SCUD + "nest: " + "[" * 5000 + "]" * 5000 + "\n", ["nesting"]),
    ("python tag", FORDEN_SCUD.replace("payload_kg: 1000", "payload_kg: !!python/object/apply:os.system ['true']"),
     ["tag"]),
    ("non-UTF-8 bytes", FORDEN_SCUD.encode() + b"label: \xff\xfe\n", ["UTF-8"]),
    ("two documents", FORDEN_SCUD + "---\n" + FORDEN_SCUD, ["document"]),
    ("malformed YAML", FORDEN_SCUD + "missiles: [\n", ["YAML"]),
    ("overflowing number", _edit("payload_kg: 1000", "payload_kg: 1e400"), ["payload_kg"]),
    ("a 2,000-digit number", _edit("payload_kg: 1000", "payload_kg: " + "9" * 2000), ["payload_kg"]),
]

PHYSICS = [
    ("zero Cd", _edit("cd: [0.20, 0.20, 0.27, 0.27, 0.20, 0.20]", "cd: [0, 0, 0, 0, 0, 0]"),
     ["cd_mach", "> 0"]),
    ("thrust below weight", _edit("isp_s: 230", "isp_s: 20"), ["scud-b-forden", "lift off"]),
    ("900 s burn at Isp 30 (would sink below ground)", _edit("isp_s: 230, burn_s: 75", "isp_s: 30, burn_s: 900"),
     ["scud-b-forden", "lift off"]),
    ("escape speed", _edit("propellant_kg: 3699, dry_kg: 1198, isp_s: 230",
                           "propellant_kg: 900000, dry_kg: 10, isp_s: 480").replace("payload_kg: 1000", "payload_kg: 1"),
     ["scud-b-forden", "escape speed"]),
    ("rv_separates: \"no\"", _edit("rv_separates: false", 'rv_separates: "no"'), ["rv_separates", "true or false"]),
    ("rv_separates: 0", _edit("rv_separates: false", "rv_separates: 0"), ["rv_separates", "true or false"]),
    ("payload_kg: true", _edit("payload_kg: 1000", "payload_kg: true"), ["payload_kg", "number"]),
    ("isp_s: 1e3 (text in YAML 1.1)", _edit("isp_s: 230", "isp_s: 2e2"), ["isp_s", "2.0e2"]),
    ("negative propellant", _edit("propellant_kg: 3699", "propellant_kg: -3699"), ["propellant_kg"]),
    ("Mach table out of order", _edit("mach: [0.0, 0.85,", "mach: [0.85, 0.0,"), ["mach"]),
    ("unknown field", _edit("payload_kg: 1000", "payload_kg: 1000\n    thrust_kn: 111"), ["thrust_kn"]),
]


def _write(tmp_path, text) -> str:
    path = tmp_path / "missile.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("text, words", [c[1:] for c in FILE_ATTACKS], ids=[c[0] for c in FILE_ATTACKS])
def test_a_hostile_missile_file_is_refused_located_and_cheaply(tmp_path, text, words):
    path = _write(tmp_path, text)
    ran = run_cli("flyout", path, "--max-range")
    assert_refused(ran, "missile.yaml:", *words, max_rss_mib=FILE_RSS_MIB)


@pytest.mark.parametrize("text, words", [c[1:] for c in PHYSICS], ids=[c[0] for c in PHYSICS])
def test_a_missile_that_cannot_fly_is_refused_at_load_naming_entry_and_field(tmp_path, text, words):
    path = _write(tmp_path, text)
    ran = run_cli("flyout", path, "--max-range")
    assert_refused(ran, "missile.yaml:", *words)


def test_a_119_mb_missile_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "missile.yaml"
    with open(path, "w", encoding="utf-8") as f:
        f.write(FORDEN_SCUD + "#")
        f.truncate(119_000_000)          # sparse: the size is real, the disk is not used
    ran = run_cli("flyout", str(path), "--max-range")
    assert_refused(ran, "missile.yaml", "limit", max_rss_mib=FILE_RSS_MIB)


def test_the_same_hostile_file_as_catalog_of_another_command_is_refused_the_same_way(tmp_path):
    path = _write(tmp_path, BOMB + FORDEN_SCUD)
    ran = run_cli("catalog", "missiles", "scud-b", "--catalog", path)
    assert_refused(ran, "missile.yaml:", "alias", max_rss_mib=FILE_RSS_MIB)


def test_a_fifo_as_missile_file_does_not_block(tmp_path):
    fifo = tmp_path / "missile.yaml"
    os.mkfifo(fifo)
    ran = run_cli("flyout", str(fifo), "--max-range")
    assert_refused(ran, "missile.yaml")
    ran = run_cli("flyout", "scud-b", "--max-range", "--catalog", str(fifo))
    assert_refused(ran, "missile.yaml", "not a regular file")


def test_forden_scud_from_the_file_flies_to_a_sane_maximum_range(tmp_path):
    """The file the attacks start from is good: 288 km in Forden 2007 (260-320 km with our pitch program)."""
    ran = run_cli("flyout", _write(tmp_path, FORDEN_SCUD), "--max-range", "--from", "35,45", "--azimuth-deg", "40",
                  "--json")
    assert_sane(ran)
    assert 260.0 < ran.json()["range_km"] < 320.0


def test_a_payload_override_too_heavy_to_lift_is_refused_naming_the_missile():
    ran = run_cli("flyout", "scud-b", "--max-range", "--payload-kg", "90000")
    assert_refused(ran, "scud-b", "payload_kg", "lift off")


def test_a_100_kb_missile_name_is_not_echoed_whole():
    ran = run_cli("flyout", "x" * 100_000, "--max-range")
    assert_refused(ran, "unknown missile", "scud-b")
    assert len(ran.stderr) < 2000


def test_a_missile_file_name_too_long_for_the_system_is_refused():
    ran = run_cli("flyout", "y" * 100_000 + ".yaml", "--max-range")
    assert_refused(ran, "missile file", "not found")

"""`validate` and `timeline`/`run` agree (issue 16): whatever `validate_scenario` accepts runs, and what
cannot run fails `validate_scenario` with a located error.

Two corpora: the mutated files of the scenario fuzz (`test_scenario_fuzz.fuzz_cases`; few of them stay
valid) and near-valid files made by hand - one field of an example set to an edge the schema allows
(no threats, a sensor 10 km underground, a lofted threat without apogee, a radar without boresight,
an aimpoint beyond the missile's reach, apogees of 1 m and 50,000 km, launch at a pole, zero
rounds, ...). Every accepted file runs `timeline` and a 2-trial `run` through the API: any exception
fails the test (an `InputError` too: validate should have caught it). The default suite takes the
smallest example; the slow pass every example and more fuzz cases.
"""
from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest
import yaml

import bmdcoop
from bmdcoop.errors import InputError
from bmdcoop.scenario import load_scenario_text, validate_scenario
from test_scenario_fuzz import fuzz_cases

HANG_GUARD_S = 30.0
EXAMPLES = {p.stem: p for p in sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))}


def _first(d, section):
    return d[section][0]


def _moved(item, **fields):
    """A position given by lat/lon instead of a site."""
    item.pop("site", None)
    item.update(fields)


# label -> edit of a scenario dict (each a value the schema allows)
EDITS = {
    "no-threats": lambda d: d.update(threats=[]),
    "no-sensors": lambda d: d.update(sensors=[]),
    "no-batteries": lambda d: d.update(batteries=[]),
    "no-agreements": lambda d: d.update(agreements=[]),
    "one-party": lambda d: d.update(parties=d["parties"][:1]),
    "rounds-0": lambda d: [b.update(rounds=0) for b in d["batteries"]],
    "sensor-10km-underground": lambda d: _moved(_first(d, "sensors"), lat_deg=38.3, lon_deg=37.8, alt_m=-10_000),
    "sensor-at-1e8-m": lambda d: _first(d, "sensors").update(alt_m=1e8),
    "sensor-at-south-pole": lambda d: _moved(_first(d, "sensors"), lat_deg=-90.0, lon_deg=0.0),
    "battery-10km-underground": lambda d: _first(d, "batteries").update(alt_m=-10_000),
    "battery-at-north-pole": lambda d: _moved(_first(d, "batteries"), lat_deg=90.0, lon_deg=0.0),
    "no-boresight": lambda d: [s.pop("boresight_az_deg", None) for s in d["sensors"]],
    "lofted-without-apogee": lambda d: (_first(d, "threats").update(trajectory="lofted"),
                                        _first(d, "threats").pop("apogee_km", None)),
    "depressed-without-apogee": lambda d: (_first(d, "threats").update(trajectory="depressed"),
                                           _first(d, "threats").pop("apogee_km", None)),
    "lofted-apogee-1m": lambda d: _first(d, "threats").update(trajectory="lofted", apogee_km=1e-3),
    "lofted-apogee-50000km": lambda d: _first(d, "threats").update(trajectory="lofted", apogee_km=5e4),
    "depressed-apogee-50000km": lambda d: _first(d, "threats").update(trajectory="depressed", apogee_km=5e4),
    "aimpoint-beyond-reach": lambda d: _first(d, "threats").update(target={"lat_deg": -60.0, "lon_deg": -60.0}),
    "aimpoint-at-launch": lambda d: _first(d, "threats").update(target=dict(_first(d, "threats")["launch"])),
    "launch-at-north-pole": lambda d: _first(d, "threats").update(launch={"lat_deg": 90.0, "lon_deg": 0.0}),
    "launch-lon-360": lambda d: _first(d, "threats").update(launch={"lat_deg": 38.1, "lon_deg": 360.0}),
    "launch-10km-up": lambda d: _first(d, "threats")["launch"].update(alt_m=10_000),
    "payload-1mg": lambda d: _first(d, "threats").update(payload_kg=1e-6),
    "payload-10kg": lambda d: _first(d, "threats").update(payload_kg=10.0),
    "payload-100t": lambda d: _first(d, "threats").update(payload_kg=1e5),
    "window-at-1e7-s": lambda d: _first(d, "threats").update(launch_window_s=[1e7, 1e7]),
    "pk-1e-9": lambda d: [b.update(pk=1e-9) for b in d["batteries"]],
    "intervals-3600-s": lambda d: [b.update(launch_interval_s=3600, look_s=3600) for b in d["batteries"]],
    "intervals-0-s": lambda d: [b.update(launch_interval_s=0, look_s=0) for b in d["batteries"]],
    "latency-3600-s": lambda d: [a.update(latency_s=3600) for a in d["agreements"]],
    "share-detections": lambda d: [a.update(share="detections") for a in d["agreements"]],
    "delays-3600-s-veto-all": lambda d: [p.update(decision_delay_s=3600, consent_delay_s=3600,
                                                  veto_over=["all-intercepts"]) for p in d["parties"]],
    "salvo-64": lambda d: [p.update(salvo_size=64, max_engagements=64) for p in d["parties"]],
    "engages-nothing": lambda d: [p.update(engages=[]) for p in d["parties"]],
    "values-1e-300": lambda d: [a.update(value=1e-300) for a in d["assets"]],
    "cued-by-nobody": lambda d: [b.update(cued_by=[]) for b in d["batteries"]],
    "single-command": lambda d: d.update(architecture="single-command"),
    "seed-2^63-1": lambda d: d.update(seed=2**63 - 1),
}


def near_valid_cases(example: str):
    base = yaml.safe_load(EXAMPLES[example].read_text(encoding="utf-8"))
    for label, edit in EDITS.items():
        data = copy.deepcopy(base)
        try:
            edit(data)
        except (IndexError, KeyError):
            continue                      # the example has no such section
        yield f"{example}:{label}", data


def check_agreement(label: str, source) -> bool:
    """Validate; if valid, `timeline` and a 2-trial `run` must succeed. Returns whether it was valid."""
    t0 = time.perf_counter()
    verdict = validate_scenario(source)
    if not verdict["valid"]:
        for e in verdict["errors"]:
            assert e["message"] and e["line"] >= 1, (label, e)
        return False
    for name, call in (("timeline", lambda: bmdcoop.timeline(source, keep_covariance=False)),
                       ("run", lambda: bmdcoop.run(source, trials=2, workers=1))):
        try:
            call()
        except Exception as exc:  # noqa: BLE001 - the disagreement this test exists to find
            raise AssertionError(f"{label}: validate accepts it, but {name} raises "
                                 f"{type(exc).__name__}: {str(exc)[:500]}") from exc
    assert time.perf_counter() - t0 < 10 * HANG_GUARD_S, f"{label}: hang guard"
    return True


def test_the_four_reported_cases_fail_validate_with_located_errors():
    """Issue 16's examples: each passed validate and failed in timeline; now validate names them."""
    cases = dict(near_valid_cases("iran-raid-shared-radar"))
    expect = {"no-threats": ("threats", "no threats"), "sensor-10km-underground": ("sensors[0]", "below -500 m"),
              "lofted-without-apogee": ("threats[0]", "apogee_km"),
              "no-boresight": ("sensors[0]", "boresight_az_deg"),
              "aimpoint-beyond-reach": ("threats[0]", "beyond the maximum range")}
    for label, (path, words) in expect.items():
        verdict = validate_scenario(cases[f"iran-raid-shared-radar:{label}"])
        assert not verdict["valid"], label
        assert any(e["path"] == path and words in e["message"] for e in verdict["errors"]), (label, verdict["errors"])
        with pytest.raises(InputError):
            bmdcoop.run(cases[f"iran-raid-shared-radar:{label}"], trials=2, workers=1)


def test_validate_names_the_file_line_of_a_threat_that_cannot_fly(tmp_path):
    text = EXAMPLES["iran-raid-epaa"].read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["threats"][0]["target"] = {"lat_deg": -60.0, "lon_deg": -60.0}
    path = tmp_path / "far.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    verdict = validate_scenario(path)
    assert not verdict["valid"]
    (e,) = verdict["errors"]
    assert e["path"] == "threats[0]" and e["line"] > 1 and e["file"].endswith("far.yaml"), e


def test_near_valid_edits_of_an_example_validate_iff_they_run():
    accepted = [check_agreement(label, data) for label, data in near_valid_cases("iran-raid-epaa")]
    # both outcomes occur: edges that run and edges validate refuses
    assert sum(accepted) >= 15 and len(accepted) - sum(accepted) >= 5, (sum(accepted), len(accepted))


def _fuzz_accepted(n: int, seed: int, folder: Path) -> int:
    accepted = 0
    for i, text in fuzz_cases(n, seed=seed):
        try:
            load_scenario_text(text)
        except InputError:
            continue
        path = folder / f"case-{i}.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        accepted += check_agreement(f"fuzz case {i} (seed {seed})", path)
    return accepted


def test_fuzzed_files_that_validate_also_run(tmp_path):
    accepted = _fuzz_accepted(120, 16, tmp_path)
    assert accepted >= 3, accepted


@pytest.mark.slow
@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_near_valid_edits_of_every_example_validate_iff_they_run(example):
    accepted = [check_agreement(label, data) for label, data in near_valid_cases(example)]
    assert sum(accepted) >= 10, accepted


@pytest.mark.slow
def test_1000_fuzzed_files_that_validate_also_run(tmp_path):
    accepted = _fuzz_accepted(1000, 17, tmp_path)
    assert accepted >= 20, accepted

"""The agreement space: the enumeration of the terms of a deal, the Pareto set, the screening rule,
and a small run on the duel scenario (two parties, one battery each)."""
from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from battle_cases import duel, single_battery
from bmdcoop.analysis.agreements import ALONE, OBJECTIVES, Terms, enumerate_terms, offer_options
from bmdcoop.analysis.pareto import confidently_dominated, pareto_mask
from bmdcoop.cli import run_app
from bmdcoop.scenario import load_scenario


def _dominates(u: np.ndarray, v: np.ndarray) -> bool:
    return bool((u >= v).all() and (u > v).any())


# small integers: ties, equal rows and dominated rows are all common
@settings(max_examples=200, deadline=None)
@given(hnp.arrays(np.int8, st.tuples(st.integers(1, 12), st.integers(1, 4)), elements=st.integers(0, 3)))
def test_pareto_set_is_exactly_the_non_dominated_rows(values):
    on = pareto_mask(values)
    for v in range(values.shape[0]):
        dominated = any(_dominates(values[u], values[v]) for u in range(values.shape[0]))
        assert on[v] == (not dominated)
    # and every row left out is dominated by a member (dominance is transitive on a finite set)
    for v in np.flatnonzero(~on):
        assert any(_dominates(values[u], values[v]) for u in np.flatnonzero(on))


def test_screening_drops_only_what_is_dominated_beyond_the_noise():
    rng = np.random.default_rng(5)
    noise = rng.normal(0.0, 1.0, (400, 1))
    same = np.hstack([noise, np.zeros((400, 1))])
    per_trial = np.stack([
        same,                                   # 0: a variant
        same,                                   # 1: the same outcome in every trial - kept with 0
        same - [0.0, 1.0],                      # 2: as 0 but cedes one more sensor in every trial - dropped
        same + rng.normal(0.0, 0.05, (400, 2)) - [0.001, 0.0],   # 3: within the noise of 0 - kept
        same - [0.5, 0.0],                      # 4: clearly worse on the outcome - dropped
    ])
    assert confidently_dominated(per_trial).tolist() == [False, False, True, False, True]


def test_going_alone_comes_first_and_the_count_is_the_product_of_the_terms():
    sc = load_scenario(duel())
    terms = enumerate_terms(sc)
    assert terms[0] == Terms("independent")
    over = terms[0].overrides(["nato", "russia"])
    assert over["agreements"] == [] and over["parties.nato.veto_over"] == over["parties.russia.veto_over"] == []
    assert terms.count(Terms("independent")) == 1 and len(set(terms)) == len(terms)
    # NATO: 3 sensor sites -> 2^3 = 8 offers; Russia: 1 site -> 2; 15 non-empty pairs x 2 latencies
    # (0, and the fusion agreement's 8 s) + nothing shared = 31; x 4 veto pairs (own-airspace each);
    # single-command by either party x 4 vetoes = 8; going alone 1: 1 + 124 + 8
    assert [len(offer_options(sc, p)) for p in ("nato", "russia")] == [8, 2]
    assert len(terms) == 133
    assert len(offer_options(sc, "nato", max_offers=4)) == 5        # none, each of 3 sites, all
    assert offer_options(sc, "nato", max_offers=4)[-1] == ("tpy2-kurecik", "spy1-ddg", "sbirs")


def test_sensors_at_one_site_are_offered_together():
    data = duel()
    data["sensors"].append({"id": "armavir-e", "type": "voronezh-dm", "party": "russia", "site": "armavir",
                            "boresight_az_deg": 60})
    assert offer_options(load_scenario(data), "russia") == [(), ("armavir-s", "armavir-e")]


def _refused(capsys, *args) -> str:
    assert run_app(list(args)) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return " ".join(err.split())


@pytest.fixture(scope="module")
def duel_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("agreements") / "duel.yaml"
    path.write_text(yaml.safe_dump(duel()), encoding="utf-8")
    return path


@pytest.mark.parametrize("args, needles", [
    (["--max-variants", "100"], ["133 variants", "limit of 100", "--max-variants 133"]),
    (["--architectures", "federal"], ["unknown architecture 'federal'", "single-command:<party>"]),
    (["--architectures", "single-command:china"], ["unknown commanding party 'china'"]),
    (["--architectures", "independent"], ["going alone"]),
    (["--vetoes", "sometimes"], ["unknown veto", "own-airspace, all-intercepts"]),
    (["--latencies-s", "0,soon"], ["--latencies-s must be a number", "'soon'"]),
    (["--screen-trials", "0"], ["--screen-trials"]),
])
def test_bad_options_exit_2(capsys, duel_file, args, needles):
    err = _refused(capsys, "agreements", str(duel_file), *args)
    for needle in needles:
        assert needle in err


def test_one_party_has_no_agreement_space(capsys, tmp_path):
    path = tmp_path / "alone.yaml"
    path.write_text(yaml.safe_dump(single_battery("shoot-shoot")), encoding="utf-8")
    assert "two or more parties" in _refused(capsys, "agreements", str(path))


@pytest.fixture(scope="module")
def duel_space(duel_file):
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = run_app(["agreements", str(duel_file), "--architectures", "coordinated,single-command:nato",
                      "--vetoes", "none", "--screen-trials", "40", "--trials", "120", "--workers", "1", "--json"])
    assert rc == 0
    return json.loads(out.getvalue())


def _means(row: dict, parties: list[str]) -> np.ndarray:
    sense = {o: 1.0 if o == "expected_surviving_value" else -1.0 for o in OBJECTIVES}
    return np.array([sense[o] * row["metrics"][p][o] for p in parties for o in OBJECTIVES])


def test_duel_space_end_to_end(duel_space):
    res = duel_space
    # 15 non-empty offer pairs x 2 latencies + nothing shared (coordinated) + NATO command + alone
    assert res["variants"] == 33 and res["trials"] == 120
    confirmed = {r["name"]: r for r in res["confirmed"]}
    assert list(confirmed)[0] == ALONE and confirmed[ALONE]["terms"]["architecture"] == "independent"
    parties = ["nato", "russia"]
    means = {n: _means(r, parties) for n, r in confirmed.items()}
    for name, row in confirmed.items():
        dominated = any(_dominates(means[u], means[name]) for u in means)
        assert row["pareto"] == (not dominated), name
        if name != ALONE:
            assert row["at_least_as_well_off"] == all(row["vs_alone"][p]["expected_surviving_value"][1] >= 0
                                                      for p in parties)
    # coordination without shared data changes nothing here: each party engages only the missiles
    # on its own assets, so shared engagement status never holds anyone back - the same outcome
    # in every trial as going alone
    nothing = next(r for r in res["screened"] if r["label"] == "coordinated; nothing shared")
    assert nothing["candidate"] and confirmed[nothing["name"]]["same_outcome_as"] == ALONE
    # a NATO command also defends Krasnodar with NATO's destroyer: Russia gains
    command = next(r for r in res["confirmed"] if r["terms"]["commander"] == "nato")
    assert command["verdicts"]["russia"] == "better"
    assert res["pareto"] == [r["name"] for r in res["confirmed"] if r["pareto"]]


def test_space_as_a_dataframe():
    from bmdcoop.analysis.agreements import agreement_space

    space = agreement_space(duel(), architectures=["single-command:nato"], vetoes=(), screen_trials=10, trials=20,
                            workers=1)
    df = space.to_dataframe()
    assert set(df["name"]) == {ALONE, *space.candidates} and set(df["party"]) == {"nato", "russia"}
    alone = df[df["name"] == ALONE]
    assert (alone["value_vs_alone"] == 0).all() and alone["at_least_as_well_off"].all()

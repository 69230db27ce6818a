"""Hostile input on the command line (issue 16): whatever a user types, `bmdcoop` exits 0 with sane
numbers or exits 2 with one short message that names the problem - no traceback, no "internal
error", no hang, and options refused before any work starts.

Each case runs the real command in a child (`hostile_cases.run_cli`: a 30 s hang guard, the child's
own peak memory). "Before any work" is shown without timing the machine: the commands that carry a
bad option are made heavy on purpose (a 5 km footprint grid over Europe, millions of trials, the
whole benchmark suite) - once its work starts each runs past the 30 s guard or far above
REFUSAL_RSS_MIB (measured 2026-12-03: the footprint ran over 100 s; `reach russia-to-us` peaks at
960 MiB; a refusal peaks at ~215 MiB) - so a refusal inside the guard and under REFUSAL_RSS_MIB
means the option was checked first.

Classes: output paths, input paths, list options, LAT,LON, choices, huge arguments, markup in
names read from files, a stdout closed early, and results already written left untouched.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hostile_cases import HANG_GUARD_S, assert_refused, assert_sane, run_cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCENARIO = str(EXAMPLES / "iran-raid-epaa.yaml")
AGREEMENTS = str(EXAMPLES / "iran-raid-agreements.yaml")
REFUSAL_RSS_MIB = 400          # a refusal is the interpreter and the package; the work is far more
HUGE = "x" * 100_000           # a 100 KB argument

# Commands that take minutes (and far more than REFUSAL_RSS_MIB) once their work starts.
FOOTPRINT = ["footprint", "--battery", "deveselu:sm-3-ib", "--threat", "shahab-3", "--launch", "34.5,51.5",
             "--grid-km", "5", "--region", "europe-wide"]
REACH = ["reach", "russia-to-us"]
RUN = ["run", SCENARIO, "--trials", "20000000", "--workers", "1"]
COMPARE = ["compare", SCENARIO, "--trials", "20000000", "--workers", "1"]
SWEEP = ["sweep", SCENARIO, "--set", "batteries.deveselu.rounds=8,24", "--trials", "20000000", "--workers", "1"]
AGREE = ["agreements", AGREEMENTS, "--trials", "20000000", "--workers", "1"]
FLYOUT = ["flyout", "scud-b", "--max-range"]


@pytest.fixture
def where(tmp_path):
    """Paths a user might point an option at: a regular file, a folder, and names under a file."""
    (tmp_path / "file.txt").write_text("not a folder\n")
    (tmp_path / "folder").mkdir()
    return tmp_path


def _args(template, where: Path) -> list[str]:
    """Fill {tmp} in a case's arguments with the test's folder."""
    return [a.replace("{tmp}", str(where)) for a in template]


# ----------------------------------------------------------------------------- output paths

OUTPUT_PATHS = [
    ("footprint-out-file", [*FOOTPRINT, "--out", "{tmp}/file.txt"], ["--out", "not a folder"]),
    ("footprint-out-under-file", [*FOOTPRINT, "--out", "{tmp}/file.txt/maps"], ["--out", "is a file"]),
    ("footprint-out-empty", [*FOOTPRINT, "--out", ""], ["--out", "empty"]),
    ("footprint-out-blank", [*FOOTPRINT, "--out", "   "], ["--out", "empty"]),
    ("footprint-out-name-too-long", [*FOOTPRINT, "--out", "{tmp}/" + "d" * 5000], ["--out", "too long"]),
    ("run-out-file", [*RUN, "--out", "{tmp}/file.txt"], ["--out", "not a folder"]),
    ("run-out-empty", [*RUN, "--out", ""], ["--out", "empty"]),
    ("run-out-under-file", [*RUN, "--out", "{tmp}/file.txt/results"], ["--out", "is a file"]),
    ("compare-out-under-file", [*COMPARE, "--out", "{tmp}/file.txt/results"], ["--out", "is a file"]),
    ("sweep-out-file", [*SWEEP, "--out", "{tmp}/file.txt"], ["--out", "not a folder"]),
    ("reach-plot-folder-slash", [*REACH, "--plot", "{tmp}/o/"], ["--plot", "folder", "file name"]),
    ("reach-plot-existing-folder", [*REACH, "--plot", "{tmp}/folder"], ["--plot", "folder"]),
    ("reach-plot-unknown-suffix", [*REACH, "--plot", "{tmp}/o.svgx"], ["--plot", ".svgx", ".png"]),
    ("reach-plot-no-suffix", [*REACH, "--plot", "{tmp}/plot"], ["--plot", "file type", ".png"]),
    ("reach-plot-under-file", [*REACH, "--plot", "{tmp}/file.txt/o.png"], ["--plot", "not a folder"]),
    ("reach-plot-name-too-long", [*REACH, "--plot", "{tmp}/" + "p" * 5000 + ".png"], ["--plot", "too long"]),
    ("reach-plot-empty", [*REACH, "--plot", ""], ["--plot", "empty"]),
    ("bench-out-folder", ["bench", "--out", "{tmp}/folder"], ["--out", "folder"]),
    ("bench-out-not-json", ["bench", "--out", "{tmp}/bench.txt"], ["--out", ".json"]),
    ("study-out-file", ["study", "deterrence", "--examples", str(EXAMPLES), "--out", "{tmp}/file.txt"],
     ["--out", "not a folder"]),
    ("report-figures-file", ["report", "{tmp}/folder", "--figures", "{tmp}/file.txt"], ["--figures", "not a folder"]),
]


@pytest.mark.parametrize("args,words", [c[1:] for c in OUTPUT_PATHS], ids=[c[0] for c in OUTPUT_PATHS])
def test_an_output_path_that_cannot_be_written_is_refused_before_any_work(where, args, words):
    assert_refused(run_cli(*_args(args, where)), *words, max_rss_mib=REFUSAL_RSS_MIB)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
@pytest.mark.parametrize("option_args", [[*FOOTPRINT, "--out", "{tmp}/ro/maps"], [*RUN, "--out", "{tmp}/ro"],
                                         [*REACH, "--plot", "{tmp}/ro/reach.png"]], ids=["footprint", "run", "reach"])
def test_a_read_only_folder_is_refused_before_any_work(where, option_args):
    (where / "ro").mkdir()
    (where / "ro").chmod(0o555)
    try:
        assert_refused(run_cli(*_args(option_args, where)), "not writable", max_rss_mib=REFUSAL_RSS_MIB)
    finally:
        (where / "ro").chmod(0o755)


def test_a_refused_output_creates_nothing(where):
    ran = run_cli(*FOOTPRINT, "--out", str(where / "new" / "maps"), "--trajectory", "sideways")
    assert_refused(ran, "--trajectory", max_rss_mib=REFUSAL_RSS_MIB)
    assert not (where / "new").exists()


# ----------------------------------------------------------------------------- input paths

INPUT_PATHS = [
    ("catalog-catalog-empty", ["catalog", "--catalog", ""], ["--catalog", "empty"]),
    ("flyout-catalog-empty", [*FLYOUT, "--catalog", ""], ["--catalog", "empty"]),
    ("footprint-catalog-empty", [*FOOTPRINT, "--out", "{tmp}/maps", "--catalog", ""], ["--catalog", "empty"]),
    ("run-catalog-empty", [*RUN, "--catalog", ""], ["--catalog", "empty"]),
    ("validate-catalog-empty", ["validate", SCENARIO, "--catalog", ""], ["--catalog", "empty"]),
    ("timeline-catalog-empty", ["timeline", SCENARIO, "--catalog", ""], ["--catalog", "empty"]),
    ("validate-scenario-empty", ["validate", ""], ["scenario", "empty"]),
    ("timeline-scenario-empty", ["timeline", ""], ["scenario", "empty"]),
    ("run-scenario-empty", ["run", "", *RUN[2:]], ["scenario", "empty"]),
    ("compare-scenario-blank", ["compare", " ", *COMPARE[2:]], ["scenario", "empty"]),
    ("sweep-scenario-empty", ["sweep", "", *SWEEP[2:]], ["scenario", "empty"]),
    ("agreements-scenario-empty", ["agreements", "", *AGREE[2:]], ["scenario", "empty"]),
    ("report-folder-empty", ["report", ""], ["folder", "empty"]),
    ("footprint-scenario-empty", ["footprint", "", *FOOTPRINT[1:], "--out", "{tmp}/maps"], ["scenario", "empty"]),
    ("wta-instance-empty", ["wta", ""], ["instance", "empty"]),
    ("flyout-missile-empty", ["flyout", "", "--max-range"], ["missile", "empty"]),
    ("reach-preset-empty", ["reach", ""], ["empty", "russia-to-us"]),
    ("study-examples-empty", ["study", "deterrence", "--examples", ""], ["--examples", "empty"]),
]


@pytest.mark.parametrize("args,words", [c[1:] for c in INPUT_PATHS], ids=[c[0] for c in INPUT_PATHS])
def test_an_empty_file_name_is_refused_not_read_as_the_current_folder(where, args, words):
    assert_refused(run_cli(*_args(args, where)), *words, max_rss_mib=REFUSAL_RSS_MIB)


# ----------------------------------------------------------------------------- list options

SPEEDS = "--interceptor-speeds-kms"
LISTS = [
    ("reach-deployment-commas", [*REACH, "--deployment", ","], ["--deployment", "empty"]),
    ("reach-deployment-empty", [*REACH, "--deployment", ""], ["--deployment", "empty"]),
    ("reach-speeds-empty", [*REACH, SPEEDS, ""], [SPEEDS, "empty"]),
    ("reach-speeds-not-a-number", [*REACH, SPEEDS, "3,fast"], [SPEEDS, "fast"]),
    ("reach-speeds-negative", [*REACH, SPEEDS, "3,-4"], [SPEEDS, "-4", "> 0"]),
    ("reach-speeds-nan", [*REACH, SPEEDS, "nan"], [SPEEDS, "nan", "finite"]),
    ("reach-speeds-inf", [*REACH, SPEEDS, "3,inf"], [SPEEDS, "inf", "finite"]),
    ("reach-speeds-too-many", [*REACH, SPEEDS, ",".join(f"{1 + k / 100:.2f}" for k in range(500))],
     [SPEEDS, "500", "at most 100"]),
    ("reach-cueing-commas", [*REACH, "--cueing", ",,"], ["--cueing", "empty"]),
    ("reach-cueing-unknown", [*REACH, "--cueing", "own,psychic"], ["--cueing", "psychic", "space-ir"]),
    ("compare-architectures-empty", [*COMPARE, "--architectures", ","], ["--architectures", "empty"]),
    ("compare-architectures-unknown", [*COMPARE, "--architectures", "coordinated,monarchy"],
     ["--architectures", "monarchy", "joint-sectoral"]),
    ("agreements-vetoes-empty", [*AGREE, "--vetoes", ","], ["--vetoes", "empty"]),
    ("agreements-vetoes-unknown", [*AGREE, "--vetoes", "nuclear"], ["veto", "nuclear", "own-airspace"]),
    ("agreements-latencies-empty", [*AGREE, "--latencies-s", ""], ["--latencies-s", "empty"]),
    ("agreements-latencies-word", [*AGREE, "--latencies-s", "0,soon"], ["--latencies-s", "soon"]),
    ("agreements-architectures-empty", [*AGREE, "--architectures", " , "], ["--architectures", "empty"]),
    ("flyout-payload-empty", [*FLYOUT, "--payload-kg", ""], ["--payload-kg", "empty"]),
    ("flyout-payload-word", [*FLYOUT, "--payload-kg", "500,heavy"], ["--payload-kg", "heavy"]),
    ("flyout-payload-zero", [*FLYOUT, "--payload-kg", "0"], ["--payload-kg", "> 0"]),
]


@pytest.mark.parametrize("args,words", [c[1:] for c in LISTS], ids=[c[0] for c in LISTS])
def test_an_empty_malformed_or_oversized_list_is_refused_before_any_work(args, words):
    assert_refused(run_cli(*args), *words, max_rss_mib=REFUSAL_RSS_MIB)


def test_two_thousand_repeats_of_one_value_are_one_value():
    """2,000 copies of one payload are one fly-out, not a 2,000-row curve computed for minutes."""
    once = run_cli(*FLYOUT, "--payload-kg", "985", "--json")
    repeated = run_cli(*FLYOUT, "--payload-kg", ",".join(["985"] * 2000), "--json")
    assert_sane(once)
    assert_sane(repeated)
    assert repeated.json() == once.json()


def test_list_parsing_drops_blanks_and_repeats_and_keeps_the_order():
    from bmdcoop.cli._app import parse_list, parse_numbers

    assert parse_list(" own, space-ir,,own ", "--cueing", example="own") == ["own", "space-ir"]
    assert parse_numbers("5.5,3,5.50,3.0,7", "--x", example="3") == [5.5, 3.0, 7.0]
    assert parse_numbers(",".join(["4.5"] * 2000), "--x", example="3") == [4.5]


# ----------------------------------------------------------------------------- LAT,LON

LATLON = [
    ("trajectory-from-empty", ["trajectory", "--range-km", "1000", "--min-energy", "--from", ""], ["--from", "empty"]),
    ("flyout-from-empty", [*FLYOUT, "--from", ""], ["--from", "empty"]),
    ("flyout-to-empty", ["flyout", "scud-b", "--to", ""], ["--to", "empty"]),
    ("flyout-from-one-number", [*FLYOUT, "--from", "35"], ["--from", "LAT,LON"]),
    ("flyout-from-three-numbers", [*FLYOUT, "--from", "35,51,0"], ["--from", "LAT,LON"]),
    ("flyout-from-latitude-91", [*FLYOUT, "--from", "91,0"], ["--from", "latitude", "[-90, 90]"]),
    ("flyout-from-nan", [*FLYOUT, "--from", "nan,0"], ["--from", "latitude"]),
    ("flyout-from-overflow", [*FLYOUT, "--from", "0,1e400"], ["--from", "longitude"]),
    ("flyout-to-words", ["flyout", "scud-b", "--to", "north,east"], ["--to", "LAT,LON"]),
    ("footprint-launch-empty", [*FOOTPRINT[:5], "--launch", "", "--out", "{tmp}/maps"], ["--launch", "empty"]),
    ("footprint-launch-latitude", [*FOOTPRINT[:5], "--launch", "95,10", "--out", "{tmp}/maps"],
     ["--launch", "latitude"]),
]


@pytest.mark.parametrize("args,words", [c[1:] for c in LATLON], ids=[c[0] for c in LATLON])
def test_an_empty_or_impossible_position_is_refused_not_read_as_0_0(where, args, words):
    assert_refused(run_cli(*_args(args, where)), *words, max_rss_mib=REFUSAL_RSS_MIB)


# ----------------------------------------------------------------------------- choices

CHOICES = [
    ("footprint-trajectory-lofted", [*FOOTPRINT, "--out", "{tmp}/maps", "--trajectory", "lofted"],
     ["--trajectory", "min-energy", "bmdcoop flyout"]),
    ("footprint-trajectory-unknown", [*FOOTPRINT, "--out", "{tmp}/maps", "--trajectory", "sideways"],
     ["--trajectory", "sideways", "min-energy"]),
    ("footprint-cueing-unknown", [*FOOTPRINT, "--out", "{tmp}/maps", "--cueing", "telepathy"],
     ["--cueing", "telepathy", "forward-radar"]),
    ("footprint-forward-radar-unknown", [*FOOTPRINT, "--out", "{tmp}/maps", "--forward-radar", "death-ray@kurecik"],
     ["death-ray", "an-tpy-2"]),
    ("footprint-forward-radar-no-site", [*FOOTPRINT, "--out", "{tmp}/maps", "--forward-radar", "an-tpy-2"],
     ["--forward-radar", "TYPE@SITE"]),
    ("reach-threat-model-unknown", [*REACH, "--threat-model", "fancy"], ["--threat-model", "fancy", "ideal"]),
    ("run-engine-unknown", [*RUN, "--engine", "warp"], ["--engine", "warp", "event"]),
    ("compare-engine-unknown", [*COMPARE, "--engine", "warp"], ["--engine", "warp", "fast"]),
    ("run-scheduler-empty", ["run", SCENARIO, "--trials", "20000000", "--scheduler", ""], ["--scheduler", "empty"]),
    ("trajectory-earth-unknown", ["trajectory", "--range-km", "1000", "--min-energy", "--earth", "flat"],
     ["--earth", "flat", "wgs84"]),
    ("flyout-earth-unknown", [*FLYOUT, "--earth", "flat"], ["--earth", "flat", "sphere"]),
    ("bench-only-unknown", ["bench", "--only", "nope"], ["nope", "propagate"]),
    ("wta-solver-unknown", ["wta", "{tmp}/file.txt", "--solver", "magic"], ["solver", "magic", "greedy"]),
    ("schema-unknown", ["schema", "banana"], ["banana", "catalog"]),
    ("catalog-kind-unknown", ["catalog", "rockets"], ["rockets", "missiles"]),
    ("study-unknown", ["study", "nope", "--examples", str(EXAMPLES)], ["nope", "deterrence"]),
]


@pytest.mark.parametrize("args,words", [c[1:] for c in CHOICES], ids=[c[0] for c in CHOICES])
def test_an_unknown_choice_is_refused_before_any_work_with_the_allowed_values(where, args, words):
    assert_refused(run_cli(*_args(args, where)), *words, max_rss_mib=REFUSAL_RSS_MIB)


def test_footprint_points_only_to_options_that_exist():
    """`footprint --trajectory lofted` once told the user to pass --loft-apogee-km, which footprint
    does not have; every option the message names must be one the command it names accepts."""
    ran = run_cli(*FOOTPRINT, "--out", "maps", "--trajectory", "lofted")
    assert_refused(ran, "--trajectory")
    footprint_help = run_cli("footprint", "--help").stdout
    flyout_help = run_cli("flyout", "--help").stdout
    message = ran.stderr.split("bmdcoop flyout")
    named_for_footprint = {w.strip("`.,;()'") for w in message[0].split() if w.startswith("--")}
    named_for_flyout = {w.strip("`.,;()'") for w in message[1].split() if w.startswith("--")} if len(message) > 1 \
        else set()
    assert named_for_footprint and all(o in footprint_help for o in named_for_footprint), ran.stderr
    assert all(o in flyout_help for o in named_for_flyout), ran.stderr


# ----------------------------------------------------------------------------- huge arguments

HUGE_CASES = [
    ("catalog-name", ["catalog", "missiles", HUGE]),
    ("flyout-missile", ["flyout", HUGE, "--max-range"]),
    ("flyout-from", [*FLYOUT, "--from", HUGE]),
    ("run-trials-not-an-integer", ["run", SCENARIO, "--trials", HUGE]),
    ("reach-cueing", [*REACH, "--cueing", HUGE]),
    ("reach-plot", [*REACH, "--plot", HUGE + ".png"]),
    ("unknown-option", ["flyout", "scud-b", "--" + HUGE]),
    ("unknown-command", [HUGE]),
    ("catalog-name-with-spaces", ["catalog", "sites", "ab " * 30_000]),
]


@pytest.mark.parametrize("args", [c[1] for c in HUGE_CASES], ids=[c[0] for c in HUGE_CASES])
def test_a_100_kb_argument_is_not_echoed_whole(args):
    ran = run_cli(*args)
    assert_refused(ran, max_rss_mib=REFUSAL_RSS_MIB)       # the message is under 4,000 characters
    assert "x" * 200 not in ran.stderr


def test_long_messages_are_clipped_per_run_and_per_line_count():
    from bmdcoop.cli._app import ECHO_CHARS, MESSAGE_LINES, clip, clip_message

    assert clip("a" * 500) == "a" * ECHO_CHARS + "..." and clip("short") == "short"
    text = clip_message("unknown missile '" + "y" * 10_000 + "' (known: scud-b, shahab-3)")
    assert "y" * (ECHO_CHARS + 1) not in text and text.endswith("(known: scud-b, shahab-3)")
    spaced = clip_message("unknown site '" + "ab " * 30_000 + "' (known: " + ", ".join(["site"] * 200) + ")")
    assert len(spaced) < 4 * ECHO_CHARS + 200 * 6 and spaced.endswith(", site)")   # the echo cut, the list whole
    many = clip_message("\n".join(f"line {k}" for k in range(500)))
    assert len(many.splitlines()) == MESSAGE_LINES and many.endswith("and 461 more lines")


# ----------------------------------------------------------------------------- markup in names

MARKUP = "evil [/bold] [link=https://example.invalid]NATO[/link] :warning: [red]x"

FORDEN_SCUD = {
    "references": {"forden2007": {"cite": "G. Forden, Science & Global Security 15 (2007) 133-146", "year": 2007}},
    "missiles": {"scud-b-forden": {
        "label": MARKUP, "ref": "forden2007", "payload_kg": 1000, "rv_separates": False,
        "stages": [{"propellant_kg": 3699, "dry_kg": 1198, "isp_s": 230, "burn_s": 75, "diameter_m": 0.84}],
        "cd_mach": {"mach": [0.0, 0.85, 1.0, 1.2, 2.0, 4.5], "cd": [0.20, 0.20, 0.27, 0.27, 0.20, 0.20]},
        "pitch": {"vertical_s": 5.0, "kick_s": 10.0, "kick_deg": 10.0}}},
}


def _markup_scenario(where: Path) -> Path:
    """The example scenario renamed with rich markup, its party named with it too."""
    data = yaml.safe_load(Path(SCENARIO).read_text())
    data["name"] = MARKUP
    data["parties"][0]["name"] = MARKUP
    data["threats"] = data["threats"][:1]
    path = where / "markup.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_markup_in_a_scenario_name_is_printed_as_written(where):
    path = _markup_scenario(where)
    ran = run_cli("reach", str(path), SPEEDS, "3", "--cueing", "own")
    assert_sane(ran)
    assert "[/bold]" in ran.stdout and "[link=" in ran.stdout and ":warning:" in ran.stdout
    assert_sane(checked := run_cli("validate", str(path)))
    assert MARKUP in checked.stdout


def test_markup_in_a_user_catalog_label_is_printed_as_written(where):
    path = where / "markup-catalog.yaml"
    path.write_text(yaml.safe_dump(FORDEN_SCUD))
    for args in (["catalog", "missiles"], ["catalog", "missiles", "scud-b-forden"]):
        ran = run_cli(*args, "--catalog", str(path))
        assert_sane(ran)
        assert "evil [/bold] [link=https://example.invalid]NATO[/link]" in ran.stdout   # the listing cuts at 80


def test_markup_in_a_file_name_is_printed_as_written(where):
    ran = run_cli("timeline", "[bold]x[/bold] [link=y].yaml", cwd=where)
    assert_refused(ran, "'[bold]x[/bold] [link=y].yaml'")


def test_the_consoles_never_read_markup():
    import io

    from rich.console import Console
    from rich.table import Table

    from bmdcoop.cli import _app

    for con in (_app.console, _app.err_console):
        assert con._markup is False and con._emoji is False
    screen = io.StringIO()
    con = Console(file=screen, markup=_app.console._markup, emoji=_app.console._emoji, width=200)
    table = Table(title=MARKUP)
    table.add_column(MARKUP)
    table.add_row(MARKUP)
    con.print(table)
    assert screen.getvalue().count(MARKUP) == 3


# ----------------------------------------------------------------------------- stdout closed early

CLOSED = [["catalog"], ["catalog", "--json"], ["catalog", "missiles", "scud-b"], ["schema"],
          ["validate", SCENARIO], ["flyout", "scud-b", "--max-range", "--json"]]


@pytest.mark.parametrize("args", CLOSED, ids=[" ".join(a[:2]).replace(SCENARIO, "scenario") for a in CLOSED])
def test_a_reader_that_stops_early_ends_the_command_quietly(args):
    """`bmdcoop catalog | head -1`: the reader goes away; the command stops quietly (0, or 141 as if
    killed by SIGPIPE) without a traceback or a request to report an internal error."""
    proc = subprocess.Popen([sys.executable, "-m", "bmdcoop", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    proc.stdout.close()                     # the reader is gone before the first line is written
    try:
        _, err = proc.communicate(timeout=HANG_GUARD_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    err = err.decode(errors="replace")
    assert proc.returncode in (0, 141), err
    assert "Traceback" not in err and "internal error" not in err and "Broken pipe" not in err, err


def test_head_of_a_pipe_gets_the_first_line():
    ran = subprocess.run(f"'{sys.executable}' -m bmdcoop catalog | head -1; exit ${{PIPESTATUS[0]}}",
                         shell=True, executable="/bin/bash", capture_output=True, text=True, timeout=HANG_GUARD_S)
    assert ran.stdout.startswith("missiles (") and ran.stdout.count("\n") == 1
    assert ran.returncode in (0, 141) and "Traceback" not in ran.stderr and "internal" not in ran.stderr


# ----------------------------------------------------------------------------- results already written

def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_refused_out_leaves_the_results_already_written_byte_identical(where):
    results = where / "results"
    assert_sane(run_cli("run", SCENARIO, "--trials", "40", "--workers", "1", "--out", str(results), "--no-report",
                        "--json"))
    before = _snapshot(results)
    assert "summary.json" in before and any(k.startswith("results.parquet") for k in before)
    other = _markup_scenario(where)                               # another scenario into the same folder
    assert_refused(run_cli("run", str(other), "--trials", "40", "--workers", "1", "--out", str(results)),
                   "--out", "another scenario", "--force")
    for args in ([*FOOTPRINT, "--out", str(results / "summary.json")],
                 [*COMPARE, "--out", str(results / "summary.json")],
                 [*REACH, "--plot", str(results)],
                 ["bench", "--out", str(results)],
                 [*RUN, "--out", str(results), "--engine", "warp"]):
        assert_refused(run_cli(*args), max_rss_mib=REFUSAL_RSS_MIB)
    assert _snapshot(results) == before

"""`bmdcoop run ... --resume`: an interrupted campaign continues and ends with exactly the rows and
the summary of an uninterrupted one; half-written chunks are never read; another campaign's folder
is refused."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from campaign_cases import summary_of, cli, duel_scenario, rows, shots
from bmdcoop.analysis.compare import run
from bmdcoop.sim.campaign import run_campaign

TRIALS = 2000


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return duel_scenario(tmp_path_factory.mktemp("resume") / "duel.yaml")


@pytest.fixture(scope="module")
def whole(scenario, tmp_path_factory):
    """An uninterrupted run: its folder and summary."""
    out = tmp_path_factory.mktemp("whole")
    summary = run(scenario, trials=TRIALS, workers=1, out=out)
    return out, summary


def _parts(out, table="trials.parquet"):
    folder = out / table
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []


def _same_as_whole(out, whole):
    assert rows(out).equals(rows(whole[0])) and shots(out).equals(shots(whole[0]))
    assert len(rows(out)) == TRIALS * 4
    assert json.loads((out / "summary.json").read_text()) == json.loads((whole[0] / "summary.json").read_text())


def test_sigkill_then_resume_gives_the_rows_of_an_uninterrupted_run(scenario, whole, tmp_path):
    out = tmp_path / "killed"
    script = tmp_path / "start.py"      # small chunks, so the kill lands between many of them
    script.write_text("import sys\nfrom bmdcoop.sim.campaign import run_campaign\n"
                      "run_campaign(sys.argv[1], trials=int(sys.argv[2]), workers=1, out=sys.argv[3], chunk=10)\n")
    proc = subprocess.Popen([sys.executable, str(script), str(scenario), str(TRIALS), str(out)])
    try:
        deadline = time.monotonic() + 300
        while len(_parts(out)) < 5 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the run ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    kept = _parts(out)
    assert 5 <= len(kept) < TRIALS // 10                          # killed part way
    r = cli("run", str(scenario), "--trials", str(TRIALS), "--workers", "1", "--out", str(out))
    assert r.returncode == 2 and "interrupted run" in r.stderr and "--resume" in r.stderr, r.stderr
    assert _parts(out) == kept                                     # without --resume, nothing is thrown away
    r = cli("run", str(scenario), "--trials", str(TRIALS), "--workers", "1", "--out", str(out), "--resume", "--json")
    assert r.returncode == 0, r.stderr
    _same_as_whole(out, whole)
    assert summary_of(r.stdout) == json.loads((whole[0] / "summary.json").read_text())
    assert not list(out.rglob("*.tmp"))


def test_chunks_not_committed_are_run_again_and_temporary_files_never_read(scenario, whole, tmp_path):
    out = tmp_path / "damaged"
    run_campaign(scenario, trials=TRIALS, workers=1, out=out, chunk=100)
    parts = _parts(out)
    # killed between a chunk's rows and its per-trial counts, twice: rows there (once garbage), counts
    # not; the resumed run covers both in one new chunk, so the second's old rows must go
    (out / "trials.parquet" / parts[3]).unlink()
    (out / "results.parquet" / parts[3]).write_bytes(b"not parquet")
    (out / "trials.parquet" / parts[4]).unlink()
    # killed before a chunk: nothing of it
    for table in ("results.parquet", "shots.parquet", "trials.parquet"):
        (out / table / parts[-1]).unlink()
    # killed while writing: a temporary file with a partial part
    (out / "results.parquet" / f".{parts[5]}.tmp").write_bytes(b"PAR1 half a part")
    summary = run(scenario, trials=TRIALS, workers=2, out=out, resume=True)     # other chunk sizes
    _same_as_whole(out, whole)
    assert summary == whole[1]
    assert not list(out.rglob("*.tmp"))


def test_resume_of_a_finished_run_rebuilds_the_summary_from_its_parts(scenario, whole, tmp_path):
    out = tmp_path / "finished"
    shutil.copytree(whole[0], out)
    (out / "summary.json").unlink()
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("part-*.parquet")}
    assert run(scenario, trials=TRIALS, workers=1, out=out, resume=True) == whole[1]
    assert {p: p.stat().st_mtime_ns for p in out.rglob("part-*.parquet")} == stamps    # nothing rerun


@pytest.mark.parametrize("args, needle", [
    (["--trials", "3000"], "trials (2000 there, 3000 now)"),
    (["--trials", str(TRIALS), "--seed", "12"], "seed (11 there, 12 now)"),
])
def test_resume_refuses_another_campaigns_folder(scenario, whole, args, needle):
    before = {p: p.stat().st_mtime_ns for p in whole[0].rglob("*")}
    r = cli("run", str(scenario), *args, "--workers", "1", "--out", str(whole[0]), "--resume")
    assert r.returncode == 2, r.stderr
    assert needle in r.stderr and "Traceback" not in r.stderr
    assert {p: p.stat().st_mtime_ns for p in whole[0].rglob("*")} == before           # nothing touched


def test_resume_refuses_another_scenario_and_needs_out(scenario, whole, tmp_path):
    other = duel_scenario(tmp_path / "other.yaml")
    other.write_text(other.read_text().replace("rounds: 8", "rounds: 6"), encoding="utf-8")
    r = cli("run", str(other), "--trials", str(TRIALS), "--workers", "1", "--out", str(whole[0]), "--resume")
    assert r.returncode == 2 and "differs: the scenario" in r.stderr, r.stderr
    r = cli("run", str(scenario), "--trials", "5", "--resume")
    assert r.returncode == 2 and "--resume needs --out" in r.stderr, r.stderr
    r = cli("run", str(scenario), "--trials", "5", "--out", str(tmp_path / "x"), "--resume", "--force")
    assert r.returncode == 2 and "--resume" in r.stderr and "--force" in r.stderr, r.stderr

"""The command-line contract: bad input exits 2 with one message and no traceback."""
import json
import subprocess
import sys


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "bmdcoop", *args], capture_output=True, text=True)


def test_unknown_catalog_kind_exits_2_with_allowed_kinds():
    proc = run_cli("catalog", "rockets")
    assert proc.returncode == 2
    assert "unknown catalog kind 'rockets'" in proc.stderr
    assert "missiles" in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_command_is_a_usage_error():
    proc = run_cli("frobnicate")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_catalog_json_is_one_object_with_every_kind():
    proc = run_cli("catalog", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"missiles", "interceptors", "sensors", "sites", "references"}   # references: the legend


def test_progress_bar_shows_trials_per_second_and_time_left_not_counting_resumed_work(monkeypatch):
    import io
    import time

    from rich.console import Console

    from bmdcoop.cli import _app

    screen = io.StringIO()
    monkeypatch.setattr(_app, "err_console", Console(file=screen, force_terminal=True, width=150))
    bars = []
    real = _app.Progress

    def recorded(*args, **kwargs):
        bars.append(real(*args, **kwargs))
        return bars[-1]

    monkeypatch.setattr(_app, "Progress", recorded)
    with _app.progress_bar("trials", quiet=False, unit="trials") as update:
        update(1_000_000, 2_000_000, "coordinated")     # a resumed run: half done before this process
        time.sleep(0.2)
        update(1_000_100, 2_000_000, "coordinated")
        shown = _app.RateColumn("trials").render(bars[0].tasks[0]).plain
        bars[0].refresh()
    rate = float(shown.split(" trials/s")[0].replace(",", ""))
    assert 0 < rate < 100_000           # ~100 / 0.2 s; counting the resumed half would give > 1e6
    assert shown.endswith(" left") and "trials/s" in screen.getvalue()


def test_first_run_says_the_kernels_are_compiling(monkeypatch, capsys):
    """On a fresh install (no cached kernels) the first command says so on stderr at once."""
    from bmdcoop.cli import _app

    monkeypatch.setattr(_app, "_kernels_cached", lambda: False)
    _app.run_app(["catalog", "sites", "--json"])
    assert "first run - compiling the numerical kernels" in capsys.readouterr().err
    monkeypatch.setattr(_app, "_kernels_cached", lambda: True)
    _app.run_app(["catalog", "sites", "--json"])
    assert "compiling" not in capsys.readouterr().err

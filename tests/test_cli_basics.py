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

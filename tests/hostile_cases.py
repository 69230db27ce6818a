"""Helpers for the hostile-input suite (tests/test_hostile_*.py): the command line in a child
process with a hang guard and its peak memory measured, and the checks every refusal must pass.

The contract (DESIGN, command line): exit 0 with sane, finite numbers, or exit 2 with one clear
message naming the problem - never a traceback, never exit 1 for something the user did, never a
hang. The hang guard is generous (30 s) and is not a speed limit: the real limits are benchmarks.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HANG_GUARD_S = 30.0

# a user catalog with one missile: Forden's (2007) Scud-B, the issue-11 user-catalog example
FORDEN_SCUD = """\
references:
  forden2007: {cite: "G. Forden, 'GUI_Missile_Flyout', Science & Global Security 15 (2007) 133-146", year: 2007}
missiles:
  scud-b-forden:
    ref: forden2007
    payload_kg: 1000
    rv_separates: false
    stages: [{propellant_kg: 3699, dry_kg: 1198, isp_s: 230, burn_s: 75, diameter_m: 0.84}]
    cd_mach: {mach: [0.0, 0.85, 1.0, 1.2, 2.0, 4.5], cd: [0.20, 0.20, 0.27, 0.27, 0.20, 0.20]}
    pitch: {vertical_s: 5.0, kick_s: 10.0, kick_deg: 10.0}
"""
BOMB = """a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
"""


@dataclasses.dataclass
class Ran:
    """One finished command: exit code, output, wall time and the child's peak resident memory."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    wall_s: float
    peak_rss_mib: float

    @property
    def text(self) -> str:
        return self.stdout + self.stderr

    def json(self):
        return json.loads(self.stdout)


def run_cli(*args: str, cwd: Path | None = None, guard_s: float = HANG_GUARD_S, stdin: str | None = None,
            env: dict | None = None) -> Ran:
    """`python -m bmdcoop ARGS` in a child process; kills it and fails the test past `guard_s`.
    `peak_rss_mib` is that command's own peak resident memory (VmHWM), not the test process's."""
    return _run_child([sys.executable, "-m", "bmdcoop", *args], tuple(args), cwd=cwd, guard_s=guard_s, stdin=stdin,
                      env=env)


def run_python(code: str, *, cwd: Path | None = None, guard_s: float = HANG_GUARD_S, env: dict | None = None) -> Ran:
    """`python -c CODE` in a child, as `run_cli` (hang guard, peak memory): for the Python API. An
    `InputError` escaping CODE ends the child with exit 2 and its message on stderr, anything
    else with exit 1 and the traceback - as the command line would."""
    wrapped = ("import sys\nfrom bmdcoop.errors import InputError\ntry:\n"
               + "".join(f"    {line}\n" for line in code.splitlines())
               + "except InputError as exc:\n    print(f'error: {exc}', file=sys.stderr)\n    sys.exit(2)\n")
    return _run_child([sys.executable, "-c", wrapped], ("python", "-c", code), cwd=cwd, guard_s=guard_s, env=env)


# The child's own peak memory. Not rusage: Linux carries the parent's resident size (pytest's, GBs
# late in a run) into a forked child's ru_maxrss across exec. VmHWM of /proc/PID/status is the exec'd
# process's own high-water mark: a sitecustomize in the child writes it at exit, and the wait loop
# polls it meanwhile (for a child that dies without running atexit).
_HWM_DIR = tempfile.mkdtemp(prefix="bmdcoop-hwm-")
Path(_HWM_DIR, "sitecustomize.py").write_text(
    "import atexit, os\n"
    "def _hwm():\n"
    "    try:\n"
    "        kb = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"
    "        with open(os.environ['BMDCOOP_TEST_HWM_FILE'], 'a') as f:\n"
    "            f.write(f'{os.getpid()} {kb}\\n')\n"
    "    except (OSError, KeyError, IndexError):\n"
    "        pass\n"
    "if os.environ.get('BMDCOOP_TEST_HWM_FILE'):\n"
    "    atexit.register(_hwm)\n", encoding="utf-8")


def _vm_hwm_kib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            return max([float(line.split()[1]) for line in f if line.startswith("VmHWM:")] or [0.0])
    except (OSError, ValueError):
        return 0.0


def _run_child(cmd: list[str], args: tuple[str, ...], *, cwd, guard_s, stdin=None, env=None) -> Ran:
    started = time.monotonic()
    hwm_file = Path(_HWM_DIR, f"hwm-{os.getpid()}-{time.monotonic_ns()}")
    env = {**os.environ, **(env or {}), "BMDCOOP_TEST_HWM_FILE": str(hwm_file),
           "PYTHONPATH": os.pathsep.join(filter(None, [_HWM_DIR, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(cmd, cwd=cwd, text=True,
                            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    chunks: dict[str, str] = {}

    def drain(name, stream):
        chunks[name] = stream.read()

    readers = [threading.Thread(target=drain, args=(n, s), daemon=True)
               for n, s in (("out", proc.stdout), ("err", proc.stderr))]
    for t in readers:
        t.start()
    if stdin is not None:
        try:
            proc.stdin.write(stdin)
            proc.stdin.close()
        except BrokenPipeError:
            pass
    peak_kib = 0.0
    while True:
        peak_kib = max(peak_kib, _vm_hwm_kib(proc.pid))
        pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - started > guard_s:
            proc.kill()
            os.wait4(proc.pid, 0)
            raise AssertionError(f"hang: `bmdcoop {_shown(args)}` ran past the {guard_s:.0f} s guard")
        time.sleep(0.02)
    try:        # "pid kib" lines: the command's own (its worker processes, if any, add theirs)
        lines = [line.split() for line in hwm_file.read_text().splitlines()]
        peak_kib = max([peak_kib] + [float(kib) for p, kib in lines if int(p) == proc.pid])
        hwm_file.unlink()
    except (OSError, ValueError):
        pass
    proc.returncode = os.waitstatus_to_exitcode(status)     # keeps Popen from waiting on a reaped pid
    for t in readers:
        t.join(5)
    return Ran(tuple(args), proc.returncode, chunks.get("out", ""), chunks.get("err", ""),
               time.monotonic() - started, peak_kib / 1024.0)


def _shown(args) -> str:
    return " ".join(a if len(a) <= 80 else a[:77] + "..." for a in args)


def assert_refused(ran: Ran, *words: str, max_rss_mib: float | None = None) -> None:
    """Exit 2, one message on stderr that names the problem (each of `words`, case-insensitive), no
    traceback, nothing internal; and, if given, the child stayed under `max_rss_mib`."""
    shown = f"`bmdcoop {_shown(ran.args)}` -> exit {ran.returncode}\n{ran.text[-2000:]}"
    assert ran.returncode == 2, shown
    assert "Traceback" not in ran.text and "internal error" not in ran.text, shown
    low = ran.stderr.lower()
    for w in words:
        assert w.lower() in low, f"message does not name '{w}': {shown}"
    assert len(ran.stderr) < 4000, f"message of {len(ran.stderr)} characters: {shown}"
    if max_rss_mib is not None:
        assert ran.peak_rss_mib < max_rss_mib, f"peak {ran.peak_rss_mib:.0f} MiB >= {max_rss_mib} MiB: {shown}"


def assert_sane(ran: Ran) -> None:
    """Exit 0 and, for a JSON answer, every number finite."""
    shown = f"`bmdcoop {_shown(ran.args)}` -> exit {ran.returncode}\n{ran.text[-2000:]}"
    assert ran.returncode == 0, shown
    assert "Traceback" not in ran.text, shown
    if ran.stdout.lstrip().startswith(("{", "[")):
        bad = [p for p, v in _numbers(ran.json()) if not math.isfinite(v)]
        assert not bad, f"non-finite numbers at {bad[:5]}: {shown}"
    assert "nan" not in ran.stdout.lower().split(), shown


def _numbers(obj, path="$"):
    if isinstance(obj, bool):
        return
    if isinstance(obj, (int, float)):
        yield path, float(obj)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _numbers(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _numbers(v, f"{path}[{i}]")

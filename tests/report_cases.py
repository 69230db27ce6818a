"""One small results folder shared by the report tests: `compare` of examples/iran-raid-compare.yaml
(NATO and Russia, 24 missiles) under independent and coordinated, 12 trials, seed 7 - written once
per test session into a temporary folder (the report, globe and figure tests read it)."""
from __future__ import annotations

import functools
import tempfile
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "iran-raid-compare.yaml"
TRIALS = 12


@functools.cache
def compare_folder() -> Path:
    from bmdcoop.analysis.compare import compare

    out = Path(tempfile.mkdtemp(prefix="bmdcoop-report-test-")) / "iran"
    compare(EXAMPLE, architectures=["independent", "coordinated"], trials=TRIALS, workers=1, out=out)
    return out


@functools.cache
def written_outputs() -> dict:
    """report.html, scene.czml, scene.kml of the coordinated variant, trial 0."""
    from bmdcoop.report import write_outputs

    return write_outputs(compare_folder(), variant="coordinated", trial=0, command="pytest report_cases")

"""Campaigns on a Dask cluster (`--scheduler`): the rows and summary of a local run, and a clear
exit 2 when there is no scheduler."""
from __future__ import annotations

import json
import socket
import time

import pytest

from campaign_cases import summary_of, cli, duel_scenario, rows, shots
from bmdcoop.analysis.compare import compare, run
from bmdcoop.errors import InputError
from bmdcoop.outputs import jsonable
from bmdcoop.sim import cluster

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return duel_scenario(tmp_path_factory.mktemp("cluster") / "duel.yaml")


@pytest.fixture(scope="module")
def local_cluster():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as c:
        yield c


def test_run_on_a_cluster_writes_the_rows_of_a_local_run(scenario, local_cluster, tmp_path):
    local = run(scenario, trials=300, workers=1, out=tmp_path / "local")
    r = cli("run", str(scenario), "--trials", "300", "--scheduler", local_cluster.scheduler_address,
            "--out", str(tmp_path / "dask"), "--json")
    assert r.returncode == 0, r.stderr
    assert summary_of(r.stdout) == json.loads(json.dumps(jsonable(local)))
    assert rows(tmp_path / "dask").equals(rows(tmp_path / "local"))
    assert shots(tmp_path / "dask").equals(shots(tmp_path / "local"))
    assert len(list((tmp_path / "dask" / "trials.parquet").glob("part-*"))) > 2    # several chunks


def test_compare_on_a_cluster_is_the_local_compare(scenario, local_cluster):
    here = compare(scenario, trials=80, workers=1)
    there = compare(scenario, trials=80, scheduler=local_cluster.scheduler_address)
    assert there == here and list(there["architectures"]) == ["coordinated", "nato-command"]


def test_the_model_spread_on_a_cluster_is_the_local_one(scenario, local_cluster):
    """--vary catalog: each trial's variant and kill probabilities come from its own stream, so the
    cluster's chunks give the local summary, spread included."""
    here = compare(scenario, trials=80, workers=1, vary="catalog", vary_k=3)
    there = compare(scenario, trials=80, scheduler=local_cluster.scheduler_address, vary="catalog", vary_k=3)
    assert there == here and there["vary"]["coordinated"]["k"] == 3


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_exits_2_with_a_clear_message(scenario):
    address = f"tcp://127.0.0.1:{_closed_port()}"
    r = cli("run", str(scenario), "--trials", "10", "--scheduler", address)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"--scheduler {address}: no Dask scheduler answered" in r.stderr and "dask scheduler" in r.stderr
    started = time.monotonic()          # the part of the 10 s that is ours (the rest is Python's start-up)
    with pytest.raises(InputError, match="no Dask scheduler answered"):
        cluster.connect(address)
    assert time.monotonic() - started < 10


def test_something_else_listening_is_not_a_scheduler():
    with socket.socket() as server:     # a port that accepts and then says nothing Dask understands
        server.bind(("127.0.0.1", 0))
        server.listen()
        with pytest.raises(InputError, match="no Dask scheduler answered|not a Dask scheduler"):
            cluster.connect(f"tcp://127.0.0.1:{server.getsockname()[1]}")


@pytest.mark.parametrize("args, needle", [
    (["--scheduler", "8786"], "tcp://HOST:PORT"),
    (["--scheduler", "http://x:1"], "tcp://HOST:PORT"),
    (["--scheduler", "tcp://127.0.0.1:1", "--workers", "2"], "exclude each other"),
])
def test_bad_scheduler_options_exit_2(scenario, args, needle):
    r = cli("run", str(scenario), "--trials", "10", *args)
    assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_workers_that_cannot_see_the_output_folder_are_refused(tmp_path):
    class Blind:
        def run(self, fn, path):
            return {"tcp://a:1": fn(path), "tcp://b:2": False}
    with pytest.raises(InputError, match=r"tcp://b:2 cannot see this folder.*shares"):
        cluster._check_shared(Blind(), tmp_path)
    assert list(tmp_path.iterdir()) == []            # the probe file is gone

"""Campaign chunks on a Dask distributed cluster (`--scheduler tcp://HOST:PORT`).

- What is shipped: the `Plan`, pickled once and scattered to every worker (tens of kB to a few MB);
  then per chunk only its bounds, the seed and the output folder's path. A worker builds its
  engine once per campaign (a token names the campaign) and runs `campaign._run_chunk`, the same
  unit of work as a local process - so the rows are the same as on one local process.
- What is written where: each worker commits its chunks' part files itself into `--out`, which
  must be one folder that every worker sees under the same absolute path (a shared file system:
  NFS, Lustre, a cloud file store mount); this is checked before any work with a probe file. Only a
  chunk's per-trial counts travel back to the client (tens of bytes per trial), which keeps them
  for the summary and writes `summary.json`.
- How chunks are assigned: all chunks are submitted at once and the scheduler hands each to a free
  worker thread; a chunk lost with its worker runs again elsewhere (its parts are replaced whole,
  with the same content, since a chunk depends only on the seed and its trials).
- Resume: as on one machine - the client reads the chunks done from `--out` and submits the gaps.
"""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from bmdcoop.errors import InputError

ADDRESS = re.compile(r"((tcp|tls)://)?(\[[0-9A-Fa-f:.]+\]|[^\s/:\[\]]+):\d{1,5}")
PROBE_TIMEOUT_S = 3.0      # a scheduler answers in milliseconds; the CLI must give up within 10 s in all
WORKERS_TIMEOUT_S = 10.0


def _identity(address: str) -> dict:
    """Ask whatever listens at `address` who it is, without a Client (whose failed start can hang)."""
    import asyncio

    from distributed.comm import connect as comm_connect

    async def ask():
        comm = await comm_connect(address, timeout=PROBE_TIMEOUT_S)
        try:
            await comm.write({"op": "identity"})
            return await asyncio.wait_for(comm.read(), PROBE_TIMEOUT_S)
        finally:
            comm.abort()

    return asyncio.run(asyncio.wait_for(ask(), 2 * PROBE_TIMEOUT_S))


def connect(address: str):
    """A `distributed.Client` on the scheduler at `address` (tcp://HOST:PORT; HOST:PORT means tcp)
    with at least one worker. No scheduler there: an `InputError` after at most PROBE_TIMEOUT_S."""
    address = address.strip() if isinstance(address, str) else address
    if not isinstance(address, str) or not ADDRESS.fullmatch(address):
        raise InputError(f"--scheduler {address!r} is not a scheduler address: give tcp://HOST:PORT "
                         "(or tls://HOST:PORT), e.g. tcp://10.0.0.5:8786")
    if "://" not in address:
        address = "tcp://" + address
    try:
        from distributed import Client
    except ImportError:
        raise InputError("--scheduler needs Dask: pip install 'dask[distributed]'") from None
    hint = f"start one with `dask scheduler` and workers with `dask worker {address} --nthreads 1`, or check the address"
    try:
        who = _identity(address)
    except (OSError, TimeoutError) as exc:
        raise InputError(f"--scheduler {address}: no Dask scheduler answered within {PROBE_TIMEOUT_S:g} s "
                         f"({exc or type(exc).__name__}); {hint}") from None
    except Exception:  # noqa: BLE001 - something answered in another protocol
        who = None
    if not isinstance(who, dict) or who.get("type") != "Scheduler":
        raise InputError(f"--scheduler {address}: what answers there is not a Dask scheduler; {hint}")
    client = Client(address, timeout=WORKERS_TIMEOUT_S, set_as_default=False)
    try:
        client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
    except TimeoutError:
        client.close()
        raise InputError(f"--scheduler {address}: the scheduler has had no workers for {WORKERS_TIMEOUT_S:g} s; "
                         f"start some with `dask worker {address} --nthreads 1`") from None
    return client


def threads(client) -> int:
    """Worker threads on the cluster (to size the chunks)."""
    return max(1, sum(client.nthreads().values()))


def _check_shared(client, out_dir: Path) -> None:
    probe = out_dir / f".bmdcoop-shared-{uuid.uuid4().hex}"
    probe.write_text("")
    try:
        seen = client.run(os.path.exists, str(probe))
    finally:
        probe.unlink()
    blind = sorted(w for w, ok in seen.items() if not ok)
    if blind:
        raise InputError(f"--out {out_dir}: Dask worker(s) {', '.join(blind)} cannot see this folder; with "
                         "--scheduler, --out must be on a file system every worker shares, under the same path")


def _task(plan, seed: int, engine: str, token: str, first: int, last: int, out_dir: str | None):
    """One chunk on a worker (module doc)."""
    from bmdcoop.sim import campaign

    state = campaign._state()
    if state.get("token") != token:
        campaign._init_worker(plan, seed, engine)
        state["token"] = token
    return campaign._run_chunk(first, last, out_dir)


def run_chunks(client, plan, seed: int, engine: str, bounds: list[tuple[int, int]], out_dir: Path | None,
               take) -> None:
    """Run the chunks on the cluster; `take(first, counts, survival)` each as it completes."""
    from distributed import as_completed

    if not bounds:
        return
    where = None
    if out_dir is not None:
        out_dir = Path(out_dir).resolve()
        _check_shared(client, out_dir)
        where = str(out_dir)
    token = uuid.uuid4().hex
    shared_plan = client.scatter(plan, broadcast=True, hash=False)
    done = as_completed([client.submit(_task, shared_plan, seed, engine, token, a, b, where, pure=False, retries=2,
                                       key=f"bmdcoop-chunk-{token}-{a}") for a, b in bounds], loop=client.loop)
    try:
        for fut in done:
            try:
                result = fut.result()
            except ModuleNotFoundError as exc:
                raise InputError(f"a Dask worker cannot import {exc.name}: install the same bmdcoop on every "
                                 "worker") from None
            take(*result)
    finally:
        client.cancel(list(done.futures) + [shared_plan])

#!/usr/bin/env bash
# Run the benchmark suite, or the one benchmark named, writing BENCHMARKS.json at the repository
# root (each benchmark pins numba to one thread itself, as the figures in BENCHMARKS.md are taken).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then exec bmdcoop bench --out BENCHMARKS.json; fi
exec bmdcoop bench --only "$1" --out BENCHMARKS.json

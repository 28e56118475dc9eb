#!/usr/bin/env bash
# B0 and B2 (CTranslate2 float16 and int8_float16) and a whole run on one GPU, full-size models;
# writes benchmarks/RESULTS-gpu.md. Sized for under 5 minutes on one data-centre GPU.
#
#   bash benchmarks/gpu.sh                 # on a machine with a GPU
#   bash benchmarks/gpu.sh --dry-run OUT [bench.py options]
#                                          # the same steps on CPU with tiny models, report to OUT
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--dry-run" ]]; then
    exec python benchmarks/bench.py --gpu --dry-run --results "${2:-benchmarks/.work/RESULTS-gpu-dry-run.md}" "${@:3}"
fi
command -v nvidia-smi >/dev/null || { echo "gpu.sh: no nvidia-smi here; use --dry-run on CPU" >&2; exit 2; }
exec timeout 600 python benchmarks/bench.py --gpu "$@"

"""Matching benchmark: `assign` and `stable` against scipy's assignment solver, one table.

    python benchmarks/matching.py [--sizes small,medium,large] [--seed N]

For each size (mentees × mentors: small 200×50, medium 2 000×500, large 10 000×2 000) it
builds one random instance (scores uniform in 0–30 with about 10% NaN, capacities 1–4,
seeded) and measures, each in a fresh Python process:

- `reference`: scipy's `linear_sum_assignment(maximize=True)` on the capacity-expanded
  matrix (one column per place, NaN as weight 0) built here, independently of mentorkit.
  Its time is the solver call alone (the `reference + build` row adds building the matrix
  from the scores); its memory includes building the matrix;
- `score` and `participation`: `mentorkit.matching.assign` in each mode, the whole call
  (validation, matrix, solver, result frame);
- `stable`: `mentorkit.matching.stable`.

Wall time is the median of several runs (one run at the large size). Those runs alternate
with runs of the reference in the same process, and the ratio is taken against those, so a
busy machine slows both alike. Peak memory is the process's peak resident set during the
first call (the interpreter, libraries and the instance included, the instance's
construction not), read from /proc (Linux), else the process's lifetime peak.

The check column says `ok` when `score` reaches the reference's total (its zero-weight
pairs dropped), `participation` matches at least as many mentees with no higher total, and
`stable` has no blocking pair; the script exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

SIZES: dict[str, tuple[int, int]] = {
    "small": (200, 50),
    "medium": (2_000, 500),
    "large": (10_000, 2_000),
}
VARIANTS = ("reference", "score", "participation", "stable")
#: Runs per measurement; the median time is reported.
REPEATS = {"small": 51, "medium": 5, "large": 1}
NAN_SHARE = 0.1
TOLERANCE = 1e-9


def make_instance(mentees: int, mentors: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """Random scores (uniform 0–30, about 10% NaN) and capacities (1–4), the same for a seed."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 30.0, size=(mentees, mentors))
    values[rng.random((mentees, mentors)) < NAN_SHARE] = np.nan
    capacity = rng.integers(1, 5, size=mentors)
    index = pd.Index([f"mentee{i:05d}" for i in range(mentees)], dtype=object, name="mentee")
    columns = pd.Index([f"mentor{j:04d}" for j in range(mentors)], dtype=object, name="mentor")
    scores = pd.DataFrame(values, index=index, columns=columns)
    return scores, pd.Series(capacity, index=columns, name="capacity")


# --------------------------------------------------------------------------------------
# Measuring (inside a worker process)
# --------------------------------------------------------------------------------------


def _reset_peak() -> bool:
    """Reset the process's peak resident set (Linux); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_mb() -> float:
    """Peak resident set in MB since the last reset (or since the process started)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def reference_solve(scores: pd.DataFrame, capacity: pd.Series) -> tuple[float, int, float, float]:
    """The reference: scipy on the capacity-expanded matrix built here, NaN as weight 0.

    Returns the total and number of the pairs with a non-zero weight, the seconds the
    solver call took, and the seconds of building the matrix and solving together.
    """
    from scipy.optimize import linear_sum_assignment

    start = time.perf_counter()
    values = scores.to_numpy(dtype=np.float64)
    places = capacity.reindex(scores.columns).to_numpy(dtype=np.int64)
    expanded = np.nan_to_num(values, nan=0.0)[:, np.repeat(np.arange(values.shape[1]), places)]
    solve_start = time.perf_counter()
    rows, cols = linear_sum_assignment(expanded, maximize=True)
    end = time.perf_counter()
    weights = expanded[rows, cols]
    used = weights != 0
    return float(weights[used].sum()), int(used.sum()), end - solve_start, end - start


def measure(size: str, variant: str, seed: int, repeats: int) -> dict[str, object]:
    """Time and peak memory of one variant on one size's instance, in this process.

    Peak memory comes from a first run on its own. With several runs, the variant's runs
    then alternate with runs of the reference, so that both see the same machine load
    (other processes, CPU clock) and the ratio compares like with like.
    """
    from mentorkit.matching import assign, blocking_pairs, stable, total

    scores, capacity = make_instance(*SIZES[size], seed)

    def run() -> tuple[float, int, float, pd.DataFrame | None]:
        start = time.perf_counter()
        if variant == "stable":
            pairs = stable(scores, capacity)
        else:
            pairs = assign(scores, capacity, maximize=variant)  # type: ignore[arg-type]
        seconds = time.perf_counter() - start
        return total(pairs), len(pairs), seconds, pairs

    exact_peak = _reset_peak()
    if variant == "reference":
        score_total, matched, seconds, with_build = reference_solve(scores, capacity)
        pairs = None
    else:
        score_total, matched, seconds, pairs = run()
    peak = _peak_mb()
    # Reference runs: (solver alone, with the build); variant runs, alternating with them.
    reference_runs: list[tuple[float, float]] = []
    times = [seconds]
    if variant == "reference":
        reference_runs = [(seconds, with_build)]
    if repeats > 1:
        reference_runs, times = [], []
        for _ in range(repeats):
            reference_runs.append(reference_solve(scores, capacity)[2:])
            if variant != "reference":
                times.append(run()[2])
    solve_alone = statistics.median(r[0] for r in reference_runs) if reference_runs else None
    return {
        "seconds": statistics.median(times) if times else solve_alone,
        "reference_seconds": solve_alone,
        "with_build_seconds": statistics.median(r[1] for r in reference_runs)
        if reference_runs
        else None,
        "peak_mb": peak,
        "exact_peak": exact_peak,
        "total": score_total,
        "matched": matched,
        "blocking": None if pairs is None else len(blocking_pairs(scores, capacity, pairs)),
    }


# --------------------------------------------------------------------------------------
# Driving the workers and printing
# --------------------------------------------------------------------------------------


def _run_worker(size: str, variant: str, seed: int) -> dict[str, object]:
    """`measure` in a fresh Python process, so each variant starts from a clean heap."""
    script = str(Path(__file__).resolve())
    command = [sys.executable, script, "--worker", size, variant, "--seed", str(seed)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{size} {variant} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check(variant: str, result: Mapping[str, object], reference: Mapping[str, object]) -> str:
    """`ok` when a variant's result agrees with what the reference proves, else MISMATCH."""
    ref_total, ref_matched = float(reference["total"]), int(reference["matched"])
    got_total, got_matched = float(result["total"]), int(result["matched"])
    slack = TOLERANCE * max(1.0, abs(ref_total))
    if variant == "score":
        good = abs(got_total - ref_total) <= slack
    elif variant == "participation":
        good = got_matched >= ref_matched and got_total <= ref_total + slack
    else:
        good = result["blocking"] == 0
    return "ok" if good else "MISMATCH"


def run_size(size: str, seed: int) -> list[dict[str, object]]:
    """Table rows for `size`: the reference (alone and with its build), then each variant."""
    mentees, mentors = SIZES[size]
    results = {variant: _run_worker(size, variant, seed) for variant in VARIANTS}
    reference = results["reference"]
    label = f"{mentees:,}×{mentors:,}".replace(",", " ")

    def row(variant: str, seconds: float, baseline: float, result: Mapping, check: str) -> dict:
        return {
            "size": label,
            "variant": variant,
            "wall time (s)": f"{seconds:.5f}",
            "peak memory (MB)": f"{float(result['peak_mb']):.0f}"
            + ("" if result["exact_peak"] else "*"),
            "ratio to reference": f"{seconds / baseline:.2f}",
            "total score": f"{float(result['total']):.3f}",
            "matched": str(result["matched"]),
            "check": check,
        }

    alone = float(reference["reference_seconds"])
    rows = [
        row("reference", alone, alone, reference, "ref"),
        row("reference + build", float(reference["with_build_seconds"]), alone, reference, "ref"),
    ]
    for variant in VARIANTS[1:]:
        result = results[variant]
        seconds = float(result["seconds"])
        baseline = float(result["reference_seconds"] or alone)
        rows.append(row(variant, seconds, baseline, result, _check(variant, result, reference)))
    return rows


def print_table(rows: Sequence[Mapping[str, object]]) -> None:
    """Print rows (dicts with the same keys, in order) as an aligned Markdown table."""
    if not rows:
        return
    headers = list(rows[0])
    cells = [[str(row[key]) for key in headers] for row in rows]
    widths = [max(len(h), *(len(line[k]) for line in cells)) for k, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    print(line(headers))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for values in cells:
        print(line(values))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 0 when every check passes, 1 on a mismatch."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma-separated: small,…")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--worker", nargs=2, metavar=("SIZE", "VARIANT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        size, variant = args.worker
        print(json.dumps(measure(size, variant, args.seed, REPEATS[size])))
        return 0
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}; choose from {', '.join(SIZES)}")
    rows = [row for size in sizes for row in run_size(size, args.seed)]
    print_table(rows)
    runs = ", ".join(f"{REPEATS[size]} at {size}" for size in sizes)
    print(
        f"\nseed {args.seed}. Wall time: median of {runs} runs. reference: the "
        "linear_sum_assignment call alone; reference + build: with building the expanded "
        "matrix from the scores. Ratio: to the reference solver call timed in the same "
        "process, runs alternating (with a single run: to the reference row). Peak memory: "
        "peak resident set of a fresh process during the first call (interpreter, libraries "
        "and the instance included)."
    )
    if any(str(row["peak memory (MB)"]).endswith("*") for row in rows):
        print("* the process's lifetime peak: its peak could not be reset here.")
    return 1 if any(row["check"] == "MISMATCH" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

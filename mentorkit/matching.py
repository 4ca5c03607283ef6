"""Cohort matching: which mentor each mentee gets, exactly, and what each way of choosing costs.

Inputs, shared by every function here:

- `scores`: a DataFrame of mentees (index) by mentors (columns). A value is how well the
  pair fits (any finite number); NaN means "not acceptable": the pair is never used.
  Index and column labels must be unique.
- `capacity`: a Series of places per mentor (non-negative whole numbers; `2.0` is fine).
  Every mentor in `scores` needs one; mentors only in `capacity` are ignored.
- `forbidden`: (mentee, mentor) pairs the facilitator ruled out; treated like NaN.
- `locked`: (mentee, mentor) pairs the facilitator fixed; always kept and counted against
  the mentor's capacity. A locked pair must be acceptable and within capacity.

A result ("pairs") is a DataFrame with columns `mentee`, `mentor`, `score`: one row per
matched mentee, in the order of the scores index, the score read back from `scores`.
`forbidden` and `locked` may also be given as such a frame (its `mentee` and `mentor`
columns are used).

Three ways to match:

- `assign(..., maximize="score")` gives the highest total score. A pair whose score is 0 or
  less adds nothing (or takes away), so unless locked it is never used: the mentee is better
  left unmatched. This mode can leave people unmatched to raise the total.
- `assign(..., maximize="participation")` first matches as many mentees as possible, then
  takes the highest total score among all such matchings (negative scores included).
- `stable(...)` runs mentee-proposing deferred acceptance, for programs that prefer a
  matching no mentee and mentor would both rather leave (`blocking_pairs`).

`summarize` and `unmatched_reasons` tell the facilitator what a result gives up and why a
mentee is left out; `pair_changes` says what publishing a result would change against the
pairs published before. Everything here is pure: no widgets, no I/O.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from mentorkit.errors import MentorkitError

__all__ = [
    "CHANGE_COLUMNS",
    "COLUMNS",
    "MatchingError",
    "MatchingSummary",
    "Pair",
    "assign",
    "blocking_pairs",
    "pair_changes",
    "stable",
    "summarize",
    "total",
    "unmatched_reasons",
]

Pair = tuple[Hashable, Hashable]
Mode = Literal["score", "participation"]

#: Columns of every result frame.
COLUMNS = ("mentee", "mentor", "score")

#: Columns of `pair_changes`.
CHANGE_COLUMNS = ("mentee", "change", "published", "proposed")

#: The kinds of change `pair_changes` reports, in the order it lists them.
CHANGES = ("new", "changed", "withdrawn")

#: `unmatched_reasons` names at most this many mentors, then says how many more there are.
MAX_NAMES = 5

_MODES = ("score", "participation")

#: No positions (read-only, shared).
_EMPTY = np.empty(0, dtype=np.intp)
_EMPTY.flags.writeable = False


class MatchingError(MentorkitError, ValueError):
    """The matching input is inconsistent or infeasible; the message names the cause."""


@dataclass(frozen=True)
class MatchingSummary:
    """What one matching gives the cohort, and what it gives up."""

    #: Label of the way the matching was made ("score", "participation", "stable", …).
    mode: str
    #: Mentees with a mentor.
    matched: int
    #: Mentees without one.
    unmatched: int
    #: Sum of the scores of the pairs.
    total_score: float
    #: Mentee–mentor pairs who would both rather be together (`blocking_pairs`).
    blocking_pairs: int


@dataclass(frozen=True)
class _Problem:
    """Validated input as plain arrays, positions instead of labels."""

    mentees: pd.Index
    mentors: pd.Index
    #: float64, mentees × mentors, NaN where there is no score.
    scores: np.ndarray
    #: int64 places per mentor, in column order.
    capacity: np.ndarray
    #: Positions (mentee rows, mentor columns) of the forbidden pairs.
    forbidden: tuple[np.ndarray, np.ndarray]

    def acceptable(self) -> np.ndarray:
        """Boolean mentees × mentors: the pair has a score and is not forbidden."""
        mask: np.ndarray = ~np.isnan(self.scores)
        mask[self.forbidden] = False
        return mask


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def assign(
    scores: pd.DataFrame,
    capacity: pd.Series,
    *,
    forbidden: Iterable[Pair] = (),
    locked: Iterable[Pair] = (),
    maximize: Mode = "score",
) -> pd.DataFrame:
    """The matching with the highest total score ("score"), or with the most mentees matched
    and then the highest total ("participation"); exact.

    Each mentee gets at most one mentor, each mentor at most `capacity` mentees, every
    locked pair is kept, and no forbidden or NaN pair is used. In "score" mode a pair
    scoring 0 or less is never used (leaving the mentee unmatched is as good or better);
    in "participation" mode any acceptable pair may be used to match one more mentee.
    Raises `MatchingError` for inconsistent input or locks that cannot all hold.
    """
    if maximize not in _MODES:
        raise MatchingError(f"maximize must be 'score' or 'participation', not {maximize!r}")
    problem = _prepare(scores, capacity, forbidden)
    lock_rows, lock_cols = _locks(problem, locked)
    rows, cols = _solve(problem, lock_rows, lock_cols, participation=maximize == "participation")
    return _pairs_frame(
        problem, np.concatenate([lock_rows, rows]), np.concatenate([lock_cols, cols])
    )


def total(pairs: pd.DataFrame) -> float:
    """Sum of the scores of a result's pairs (0.0 when nobody is matched)."""
    if "score" not in getattr(pairs, "columns", ()):
        raise MatchingError("pairs need a 'score' column, as returned by assign or stable")
    return float(np.sum(pairs["score"].to_numpy(dtype=np.float64)))


def stable(
    scores: pd.DataFrame,
    capacity: pd.Series,
    *,
    forbidden: Iterable[Pair] = (),
    locked: Iterable[Pair] = (),
) -> pd.DataFrame:
    """A stable matching by mentee-proposing deferred acceptance with capacities.

    Both sides rank by the same scores, highest first: a mentee prefers the mentor with
    the higher score (on a tie, the one further left in the columns), a mentor prefers
    the mentee with the higher score (on a tie, the one higher up in the index). NaN and
    forbidden pairs are unacceptable to both sides; a negative score is still acceptable.
    Locked pairs are placed first (using up a place of their mentor) and their mentees
    take no further part. Among stable matchings, the result is the best one for every
    mentee. Same output shape as `assign`.
    """
    problem = _prepare(scores, capacity, forbidden)
    lock_rows, lock_cols = _locks(problem, locked)
    rows, cols = _deferred_acceptance(problem, lock_rows, lock_cols)
    return _pairs_frame(
        problem, np.concatenate([lock_rows, rows]), np.concatenate([lock_cols, cols])
    )


def blocking_pairs(
    scores: pd.DataFrame,
    capacity: pd.Series,
    pairs: pd.DataFrame,
    *,
    forbidden: Iterable[Pair] = (),
    locked: Iterable[Pair] = (),
) -> pd.DataFrame:
    """Every (mentee, mentor) pair who would both rather be together than keep `pairs`.

    A pair blocks when it is acceptable, not matched together, the mentee is unmatched or
    scores the mentor strictly higher than their own mentor, and the mentor has a free
    place or scores the mentee strictly higher than its lowest-scoring current mentee.
    Ties are not preferences here: nobody gains by swapping for an equal score.

    With `locked`, a locked mentee cannot move, and a mentor compares a newcomer only with
    the mentees it could let go (its unlocked ones). Columns `mentee`, `mentor`, in the
    order of the scores index, then columns.
    """
    problem = _prepare(scores, capacity, forbidden)
    lock_rows, _ = _locks(problem, locked)
    rows, cols = _result_positions(problem, pairs)
    n, m = problem.scores.shape
    values = problem.scores
    acceptable = problem.acceptable()
    # Score of each mentee's own pair, -inf when unmatched (or its pair is unacceptable).
    own = np.full(n, -np.inf)
    own[rows] = np.where(acceptable[rows, cols], values[rows, cols], -np.inf)
    own[lock_rows] = np.inf  # a locked mentee never prefers to move
    is_locked = np.zeros(n, dtype=bool)
    is_locked[lock_rows] = True
    held = np.bincount(cols, minlength=m)
    # Lowest score among the mentees a mentor could let go; +inf when there are none.
    worst = np.full(m, np.inf)
    movable = ~is_locked[rows]
    np.minimum.at(worst, cols[movable], own[rows[movable]])
    worst[held < problem.capacity] = -np.inf  # a free place takes anyone acceptable
    blocks = acceptable & (values > own[:, None]) & (values > worst[None, :])
    r, c = np.nonzero(blocks)
    return pd.DataFrame({"mentee": problem.mentees.take(r), "mentor": problem.mentors.take(c)})


def summarize(
    scores: pd.DataFrame,
    capacity: pd.Series,
    pairs: pd.DataFrame,
    mode: str,
    *,
    forbidden: Iterable[Pair] = (),
    locked: Iterable[Pair] = (),
) -> MatchingSummary:
    """Matched and unmatched mentees, total score and blocking pairs of one result, so the
    facilitator can compare what each mode gives up."""
    found = blocking_pairs(scores, capacity, pairs, forbidden=forbidden, locked=locked)
    matched = len(pairs)
    return MatchingSummary(
        mode=mode,
        matched=matched,
        unmatched=len(scores.index) - matched,
        total_score=total(pairs),
        blocking_pairs=len(found),
    )


def unmatched_reasons(
    scores: pd.DataFrame,
    capacity: pd.Series,
    pairs: pd.DataFrame,
    *,
    forbidden: Iterable[Pair] = (),
) -> dict[Hashable, str]:
    """Why each unmatched mentee (in index order) has no mentor, in plain words.

    - "no acceptable mentor": every pair is NaN or forbidden;
    - "the mentors who fit are full: A, B": every acceptable mentor has all places taken
      (or none to give);
    - "the mentors who fit and have places left score 0 or less: C": what "score" mode
      leaves out on purpose;
    - "not matched, though mentors who fit have places left: C": anything else (a result
      edited by hand, for instance).

    Mentors are named by their column label, best score first, at most `MAX_NAMES` of
    them ("… and 12 more").
    """
    problem = _prepare(scores, capacity, forbidden)
    rows, cols = _result_positions(problem, pairs)
    n, m = problem.scores.shape
    acceptable = problem.acceptable()
    matched = np.zeros(n, dtype=bool)
    matched[rows] = True
    full = np.bincount(cols, minlength=m) >= problem.capacity
    reasons: dict[Hashable, str] = {}
    for row in np.flatnonzero(~matched):
        label = problem.mentees[int(row)]
        fits = np.flatnonzero(acceptable[row])
        if fits.size == 0:
            reasons[label] = "no acceptable mentor"
            continue
        row_scores = problem.scores[row]
        open_ = fits[~full[fits]]
        if open_.size == 0:
            why = "the mentors who fit are full"
            named = fits
        elif np.all(row_scores[open_] <= 0):
            why = "the mentors who fit and have places left score 0 or less"
            named = open_
        else:
            why = "not matched, though mentors who fit have places left"
            named = open_
        reasons[label] = f"{why}: {_names(problem, row_scores, named)}"
    return reasons


def pair_changes(published: pd.DataFrame, proposed: pd.DataFrame) -> pd.DataFrame:
    """What publishing `proposed` would change, against the pairs `published` now.

    Both are pair frames (their `mentee` and `mentor` columns are used; each mentee at
    most once). One row per mentee whose mentor would change, with columns
    `CHANGE_COLUMNS`: `change` is "new" (no published mentor, one proposed), "changed"
    (another mentor proposed) or "withdrawn" (a published mentor, none proposed);
    `published` and `proposed` hold the mentor before and after (None where there is
    none). Mentees who keep their mentor are left out, so an empty frame means publishing
    changes nothing. Rows are new, then changed (both in `proposed` order), then
    withdrawn (in `published` order).
    """
    before = _mentor_of(published, "published")
    after = _mentor_of(proposed, "proposed")
    rows: dict[str, list[tuple[Hashable, str, Hashable | None, Hashable | None]]] = {
        change: [] for change in CHANGES
    }
    for mentee, mentor in after.items():
        if mentee not in before:
            rows["new"].append((mentee, "new", None, mentor))
        elif before[mentee] != mentor:
            rows["changed"].append((mentee, "changed", before[mentee], mentor))
    for mentee, mentor in before.items():
        if mentee not in after:
            rows["withdrawn"].append((mentee, "withdrawn", mentor, None))
    ordered = [row for change in CHANGES for row in rows[change]]
    return pd.DataFrame(ordered, columns=list(CHANGE_COLUMNS), dtype=object)


def _mentor_of(pairs: pd.DataFrame, what: str) -> dict[Hashable, Hashable]:
    """Mentee → mentor of a pair frame, in its order; each mentee must appear once."""
    if not isinstance(pairs, pd.DataFrame) or not {"mentee", "mentor"} <= set(pairs.columns):
        raise MatchingError(f"the {what} pairs must be a frame with 'mentee' and 'mentor' columns")
    found: dict[Hashable, Hashable] = {}
    for mentee, mentor in zip(pairs["mentee"], pairs["mentor"], strict=True):
        if mentee in found:
            raise MatchingError(
                f"mentee {_q(mentee)} is matched more than once in the {what} pairs"
            )
        found[mentee] = mentor
    return found


# --------------------------------------------------------------------------------------
# Exact assignment
# --------------------------------------------------------------------------------------


def _solve(
    problem: _Problem, lock_rows: np.ndarray, lock_cols: np.ndarray, *, participation: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Optimal pairs (mentee rows, mentor columns) for the mentees not locked.

    The capacitated problem becomes a plain assignment problem by giving each mentor one
    column per free place, solved exactly by scipy's `linear_sum_assignment`.

    Unmatched mentees need no dummy columns. Every pair that must not be used (NaN,
    forbidden, or in score mode a score <= 0) gets weight 0; every usable pair gets a
    weight > 0; all weights are >= 0. `linear_sum_assignment` (given -weight as a cost to
    minimise) returns a full assignment (every row, or every column, whichever are fewer,
    is used) of maximum weight; we then drop its zero-weight cells. This is exact:
    - a full assignment without its zero cells is a matching of usable pairs with the
      same weight (zero cells add nothing);
    - any matching of usable pairs extends to a full assignment with at least its weight:
      when mentees <= places, give each unmatched mentee one of the (places - matched)
      >= (mentees - matched) unused places; when places < mentees, fill each unused
      place with one of the (mentees - matched) > (places - matched) unmatched mentees;
      the added cells weigh >= 0.
    So the best full assignment, trimmed, is a best matching.

    Participation mode adds a bonus B to every usable pair, with scores first mapped to
    [0, 1] by s' = (s - low) / span. A matching of k + 1 pairs then weighs at least
    (k + 1) B and one of k pairs at most k B + k, so with B = K + 1 (K the largest
    possible number of pairs) more pairs always win, and among matchings of equal size
    the weights differ exactly as the total scores do (up to the positive factor 1/span).
    Keeping the scores in [0, 1] and B <= mentees + 1 keeps every weight small, so the
    float rounding stays far below any score difference that matters. Scores in the
    result are read back from the input, never from the weights.
    """
    # Imported at the first run, not with the matching app (300 ms, 35 MB before sign-in).
    from scipy.optimize import linear_sum_assignment

    values = problem.scores
    n, m = values.shape
    places = problem.capacity
    if lock_cols.size:
        places = places - np.bincount(lock_cols, minlength=m)
    places = np.minimum(places, n)  # a mentor never needs more places than there are mentees
    # Weights, negated: linear_sum_assignment then minimises, without the copy it makes to
    # maximise. fmin(w, 0) turns NaN (and in score mode the scores <= 0) into weight 0.
    if participation:
        # Bounds over all scores are bounds of the usable ones; B exceeds any matching size.
        low = float(np.fmin.reduce(values, axis=None, initial=np.inf))
        high = float(np.fmax.reduce(values, axis=None, initial=-np.inf))
        if low > high:  # no scores at all
            return _EMPTY, _EMPTY
        scale = -1.0 / (high - low) if high > low else 0.0
        weights = values - low
        weights *= scale
        weights -= min(n, int(places.sum())) + 1  # the bonus B
    else:
        weights = np.negative(values)
    np.fmin(weights, 0.0, out=weights)
    if problem.forbidden[0].size:
        weights[problem.forbidden] = 0.0
    if lock_rows.size:
        weights[lock_rows] = 0.0
    # Only mentees with a usable pair and mentors with a usable pair and a free place take
    # part; a mentor never needs more places than there are such mentees.
    rows = np.flatnonzero(weights.any(axis=1))
    cols = np.flatnonzero(weights.any(axis=0) & (places > 0))
    if rows.size == 0 or cols.size == 0:
        return _EMPTY, _EMPTY
    if rows.size < n or cols.size < m:
        weights = weights[np.ix_(rows, cols)]
    places = np.minimum(places[cols], rows.size)
    place_mentor = np.repeat(np.arange(cols.size), places)
    # One column per place; the solver wants rows <= columns and a C-contiguous matrix.
    if rows.size <= place_mentor.size:
        cost = np.take(np.ascontiguousarray(weights), place_mentor, axis=1)
        del weights
        mentee_at, place_at = linear_sum_assignment(cost)
        keep = cost[mentee_at, place_at] < 0
    else:
        cost = np.take(np.ascontiguousarray(weights.T), place_mentor, axis=0)
        del weights
        place_at, mentee_at = linear_sum_assignment(cost)
        keep = cost[place_at, mentee_at] < 0
    return rows[mentee_at[keep]], cols[place_mentor[place_at[keep]]]


# --------------------------------------------------------------------------------------
# Deferred acceptance
# --------------------------------------------------------------------------------------


def _deferred_acceptance(
    problem: _Problem, lock_rows: np.ndarray, lock_cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mentee-proposing deferred acceptance for the unlocked mentees, in rounds.

    Each round every free mentee proposes to their best mentor who would hold them right
    now; each mentor keeps its best proposals and held mentees up to its places and lets
    the rest go. The result does not depend on the order of proposals (McVitie and
    Wilson), so proposing together is the classic algorithm.

    A mentor's threshold is its lowest held mentee once full (-inf before, +inf with no
    places). It only rises, so a mentee that does not beat it would be turned down now and
    forever: skipping such proposals changes nothing, and it also skips the mentors who
    already let the mentee go. Each round is a few numpy passes over the free mentees'
    rows, and mentees who beat no threshold leave unmatched for good.
    """
    values = problem.scores
    n, m = values.shape
    acceptable = problem.acceptable()
    places = problem.capacity - np.bincount(lock_cols, minlength=m)
    acceptable[lock_rows] = False
    acceptable[:, places <= 0] = False
    keys = np.where(acceptable, values, -np.inf)
    threshold = np.where(places > 0, -np.inf, np.inf)  # score of the lowest held mentee
    threshold_row = np.full(m, -1, dtype=np.intp)  # its row (a tie goes to the higher row)
    free = np.flatnonzero(acceptable.any(axis=1))
    first = True
    held_rows, held_cols, held_scores = _EMPTY, _EMPTY, np.empty(0)
    # Every round makes proposals never made before, and there are at most n·m of them.
    for _ in range(n * m + 1):
        if not free.size:
            break
        sub = keys if first and free.size == n else keys[free]
        first = False
        beats = (sub > threshold) | ((sub == threshold) & (free[:, None] < threshold_row))
        sub = np.where(beats, sub, -np.inf)
        choice = sub.argmax(axis=1)  # first maximum: ties go to the column further left
        best = sub[np.arange(free.size), choice]
        proposing = best > -np.inf
        all_rows = np.concatenate([held_rows, free[proposing]])
        all_cols = np.concatenate([held_cols, choice[proposing]])
        all_scores = np.concatenate([held_scores, best[proposing]])
        order = np.lexsort((all_rows, -all_scores, all_cols))  # mentor, best first
        all_rows, all_cols, all_scores = all_rows[order], all_cols[order], all_scores[order]
        rank = np.arange(all_cols.size) - np.searchsorted(all_cols, all_cols, side="left")
        keep = rank < places[all_cols]
        held_rows, held_cols, held_scores = all_rows[keep], all_cols[keep], all_scores[keep]
        free = all_rows[~keep]
        # New thresholds for the mentors now full: their last kept (lowest) mentee.
        last = np.flatnonzero(np.diff(held_cols, append=-1) != 0)
        full = last[rank[keep][last] + 1 == places[held_cols[last]]]
        threshold[held_cols[full]] = held_scores[full]
        threshold_row[held_cols[full]] = held_rows[full]
    else:
        raise RuntimeError("deferred acceptance did not settle; please report this bug")
    return held_rows, held_cols


# --------------------------------------------------------------------------------------
# Validation and conversion
# --------------------------------------------------------------------------------------


def _prepare(scores: pd.DataFrame, capacity: pd.Series, forbidden: Iterable[Pair]) -> _Problem:
    """Check the shared inputs and turn them into arrays."""
    if not isinstance(scores, pd.DataFrame):
        raise MatchingError(
            "scores must be a pandas DataFrame of mentees (rows) by mentors (columns)"
        )
    mentees, mentors = scores.index, scores.columns
    if mentees.has_duplicates:
        label = mentees[mentees.duplicated()][0]
        raise MatchingError(f"mentee {_q(label)} appears more than once in the scores")
    if mentors.has_duplicates:
        label = mentors[mentors.duplicated()][0]
        raise MatchingError(f"mentor {_q(label)} appears more than once in the scores")
    values = _score_values(scores)
    places = _capacity_values(capacity, mentors)
    forbidden_rows, forbidden_cols = _positions(mentees, mentors, forbidden, "forbidden")
    return _Problem(mentees, mentors, values, places, (forbidden_rows, forbidden_cols))


def _score_values(scores: pd.DataFrame) -> np.ndarray:
    """The scores as float64 (NaN where missing); each must be a finite number."""
    try:
        values = scores.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        for mentor in scores.columns:
            for mentee, value in scores[mentor].items():
                try:
                    float(value)
                except (TypeError, ValueError):
                    raise MatchingError(
                        f"the score of mentee {_q(mentee)} for mentor {_q(mentor)} is not a "
                        f"number ({value!r}); use a number, or NaN for not acceptable"
                    ) from None
        raise MatchingError("the scores must be numbers, or NaN for not acceptable") from None
    if values.dtype != np.float64:
        values = values.astype(np.float64)
    if np.isinf(values).any():
        r, c = np.argwhere(np.isinf(values))[0]
        raise MatchingError(
            f"the score of mentee {_q(scores.index[r])} for mentor {_q(scores.columns[c])} "
            f"is not finite ({values[r, c]}); use a number, or NaN for not acceptable"
        )
    return values


def _capacity_values(capacity: pd.Series, mentors: pd.Index) -> np.ndarray:
    """Places of each mentor in `mentors` order, as int64; extra mentors are ignored."""
    if not isinstance(capacity, pd.Series):
        raise MatchingError("capacity must be a pandas Series of places per mentor")
    if capacity.index.has_duplicates:
        label = capacity.index[capacity.index.duplicated()][0]
        raise MatchingError(f"mentor {_q(label)} has more than one capacity given")
    if capacity.index.equals(mentors):
        raw = capacity.to_numpy()
    else:
        where = capacity.index.get_indexer(mentors)
        if (where < 0).any():
            label = mentors[np.flatnonzero(where < 0)[0]]
            raise MatchingError(f"mentor {_q(label)} has no capacity given")
        raw = capacity.to_numpy()[where]
    if raw.dtype.kind in "iu" and (raw >= 0).all():
        return _whole(raw)
    if raw.dtype.kind == "f" and (np.isfinite(raw) & (raw >= 0) & (raw % 1 == 0)).all():
        return _whole(raw)
    for label, value in zip(mentors, raw, strict=True):
        number = _as_float(value)
        if number is None:
            raise MatchingError(f"capacity of mentor {_q(label)} is not a number ({value!r})")
        if np.isnan(number):
            raise MatchingError(f"mentor {_q(label)} has no capacity given")
        if number < 0:
            raise MatchingError(f"capacity of mentor {_q(label)} is negative ({_num(number)})")
        if not float(number).is_integer():
            raise MatchingError(
                f"capacity of mentor {_q(label)} is not a whole number ({_num(number)})"
            )
    return _whole(raw)


def _whole(places: np.ndarray) -> np.ndarray:
    """Checked capacities as int64, capped at 2**53 (more places than anyone can use)."""
    return np.minimum(places.astype(np.float64), 2.0**53).astype(np.int64)


def _as_float(value: object) -> float | None:
    """`value` as a float, NaN for a missing value, None when it is no number at all."""
    if value is None or value is pd.NA or value is pd.NaT:
        return np.nan
    if isinstance(value, bool | np.bool_ | str | bytes):
        return None
    try:
        return float(value)  # type: ignore[arg-type]  # any cell; no number raises
    except (TypeError, ValueError):
        return None


def _positions(
    mentees: pd.Index, mentors: pd.Index, pairs: Iterable[Pair] | pd.DataFrame, what: str
) -> tuple[np.ndarray, np.ndarray]:
    """Row and column positions of (mentee, mentor) pairs, in the order given."""
    if isinstance(pairs, tuple | list) and not pairs:
        return _EMPTY, _EMPTY
    rows: list[int] = []
    cols: list[int] = []
    for pair in _pair_list(pairs, what):
        try:
            mentee, mentor = pair
        except (TypeError, ValueError):
            raise MatchingError(
                f"each of the {what} pairs must be a (mentee, mentor) pair, not {pair!r}"
            ) from None
        rows.append(_position(mentees, mentee, f"unknown mentee {_q(mentee)} in {what} pairs"))
        cols.append(_position(mentors, mentor, f"unknown mentor {_q(mentor)} in {what} pairs"))
    return np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp)


def _pair_list(pairs: Iterable[Pair] | pd.DataFrame, what: str) -> list[Pair]:
    """Pairs from an iterable of tuples, or from a frame's mentee and mentor columns."""
    if isinstance(pairs, pd.DataFrame):
        if not {"mentee", "mentor"} <= set(pairs.columns):
            raise MatchingError(f"the {what} pairs frame needs 'mentee' and 'mentor' columns")
        return list(zip(pairs["mentee"], pairs["mentor"], strict=True))
    if isinstance(pairs, str | bytes):
        raise MatchingError(f"the {what} pairs must be (mentee, mentor) pairs, not a string")
    return list(pairs)


def _position(index: pd.Index, label: object, message: str) -> int:
    """Position of `label` in a unique index, or MatchingError(message)."""
    try:
        position = index.get_loc(label)
    except (KeyError, TypeError, pd.errors.InvalidIndexError):
        raise MatchingError(message) from None
    if not isinstance(position, int | np.integer):
        raise MatchingError(message)
    return int(position)


def _locks(problem: _Problem, locked: Iterable[Pair]) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the locked pairs (each once), checked to be able to hold together."""
    rows, cols = _positions(problem.mentees, problem.mentors, locked, "locked")
    if rows.size == 0:
        return rows, cols
    forbidden = set(zip(*(side.tolist() for side in problem.forbidden), strict=True))
    seen: dict[int, int] = {}
    taken = np.zeros(len(problem.mentors), dtype=np.int64)
    keep: list[int] = []
    for k, (row, col) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
        mentee, mentor = problem.mentees[row], problem.mentors[col]
        pair = f"({_q(mentee)}, {_q(mentor)})"
        if row in seen:
            if seen[row] == col:
                continue
            other = problem.mentors[seen[row]]
            raise MatchingError(
                f"mentee {_q(mentee)} is locked twice (to {_q(other)} and {_q(mentor)}); "
                "keep one of the two locks"
            )
        if (row, col) in forbidden:
            raise MatchingError(
                f"locked pair {pair} is forbidden; remove it from the locked or the forbidden pairs"
            )
        if np.isnan(problem.scores[row, col]):
            raise MatchingError(
                f"locked pair {pair} is not acceptable (no score); give it a score or unlock it"
            )
        taken[col] += 1
        if taken[col] > problem.capacity[col]:
            raise MatchingError(
                f"mentee {_q(mentee)} is locked to mentor {_q(mentor)} but {_q(mentor)} has "
                f"no capacity left (capacity {problem.capacity[col]}); unlock a pair or "
                "raise the capacity"
            )
        seen[row] = col
        keep.append(k)
    return rows[keep], cols[keep]


def _result_positions(problem: _Problem, pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Positions of a result's pairs, checked: known names, each mentee at most once."""
    if not isinstance(pairs, pd.DataFrame) or not {"mentee", "mentor"} <= set(pairs.columns):
        raise MatchingError("pairs must be a frame with 'mentee' and 'mentor' columns")
    rows = problem.mentees.get_indexer(pd.Index(pairs["mentee"]))
    cols = problem.mentors.get_indexer(pd.Index(pairs["mentor"]))
    if (rows < 0).any():
        label = pairs["mentee"].iloc[np.flatnonzero(rows < 0)[0]]
        raise MatchingError(f"unknown mentee {_q(label)} in the pairs")
    if (cols < 0).any():
        label = pairs["mentor"].iloc[np.flatnonzero(cols < 0)[0]]
        raise MatchingError(f"unknown mentor {_q(label)} in the pairs")
    counts = np.bincount(rows, minlength=len(problem.mentees))
    if (counts > 1).any():
        label = problem.mentees[np.flatnonzero(counts > 1)[0]]
        raise MatchingError(f"mentee {_q(label)} is matched more than once in the pairs")
    return rows.astype(np.intp), cols.astype(np.intp)


def _pairs_frame(problem: _Problem, rows: np.ndarray, cols: np.ndarray) -> pd.DataFrame:
    """The result frame, one row per pair, in the order of the scores index."""
    order = np.argsort(rows, kind="stable")
    rows, cols = rows[order], cols[order]
    return pd.DataFrame(
        {
            "mentee": problem.mentees.take(rows),
            "mentor": problem.mentors.take(cols),
            "score": problem.scores[rows, cols],
        },
        copy=False,  # fresh arrays already
    )


def _names(problem: _Problem, row_scores: np.ndarray, cols: np.ndarray) -> str:
    """Mentor labels at `cols`, best score first, at most MAX_NAMES and a count of the rest."""
    ranked = cols[np.argsort(-row_scores[cols], kind="stable")]
    names = ", ".join(str(problem.mentors[c]) for c in ranked[:MAX_NAMES])
    more = ranked.size - MAX_NAMES
    return f"{names} and {more} more" if more > 0 else names


def _q(label: object) -> str:
    """A mentee or mentor label quoted for a message."""
    return f"'{label}'"


def _num(value: float) -> str:
    """A number for a message: 2 rather than 2.0."""
    return str(int(value)) if float(value).is_integer() else str(value)

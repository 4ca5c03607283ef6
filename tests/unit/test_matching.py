"""Cohort matching: exact optima in both modes, stable matchings, and errors in plain words."""

import math
from itertools import product

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from mentorkit.errors import MentorkitError
from mentorkit.matching import (
    CHANGE_COLUMNS,
    COLUMNS,
    MAX_NAMES,
    MatchingError,
    MatchingSummary,
    assign,
    blocking_pairs,
    pair_changes,
    stable,
    summarize,
    total,
    unmatched_reasons,
)

NAN = math.nan
PROPERTY = settings(max_examples=250, deadline=None)


def frame(rows: dict, mentors: list) -> pd.DataFrame:
    """Scores from {mentee: [score per mentor]}."""
    return pd.DataFrame(
        list(rows.values()),
        index=pd.Index(list(rows), dtype=object),
        columns=pd.Index(mentors, dtype=object),
        dtype=float,
    )


def places(**capacity: float) -> pd.Series:
    return pd.Series(capacity, dtype=object).infer_objects()


def as_set(pairs: pd.DataFrame) -> set:
    return set(zip(pairs["mentee"], pairs["mentor"], strict=True))


# --------------------------------------------------------------------------------------
# Random small instances and brute force
# --------------------------------------------------------------------------------------


@st.composite
def instances(draw):
    """Scores (1–6 mentees × 1–4 mentors, integers from -3, some NaN), capacities 0–3,
    forbidden pairs, and a lock set that can hold."""
    n = draw(st.integers(1, 6))  # empty inputs have their own test
    m = draw(st.integers(1, 4))
    top = draw(st.sampled_from([2, 4, 10]))  # a narrow range makes ties and negatives common
    cell = st.integers(-3, top + 2).map(lambda v: NAN if v > top else float(v))
    values = np.array([[draw(cell) for _ in range(m)] for _ in range(n)], dtype=float).reshape(n, m)
    capacity = [draw(st.integers(0, 3)) for _ in range(m)]
    cells = list(product(range(n), range(m)))
    forbidden = set()
    if cells:
        forbidden = draw(st.sets(st.sampled_from(cells), max_size=max(1, len(cells) // 3)))
    candidates = [
        (i, j) for i, j in cells if not math.isnan(values[i, j]) and (i, j) not in forbidden
    ]
    locked = []
    if candidates:
        order = draw(st.permutations(candidates))
        wanted = draw(st.lists(st.booleans(), min_size=len(order), max_size=len(order)))
        room = list(capacity)
        for (i, j), want in zip(order, wanted, strict=True):
            if want and room[j] > 0 and all(i != k for k, _ in locked):
                locked.append((i, j))
                room[j] -= 1
    mentees = [f"e{i}" for i in range(n)]
    mentors = [f"m{j}" for j in range(m)]
    scores = pd.DataFrame(
        values, index=pd.Index(mentees, dtype=object), columns=pd.Index(mentors, dtype=object)
    )
    return {
        "scores": scores,
        "capacity": pd.Series(capacity, index=pd.Index(mentors, dtype=object), dtype=int),
        "forbidden": [(mentees[i], mentors[j]) for i, j in sorted(forbidden)],
        "locked": [(mentees[i], mentors[j]) for i, j in locked],
    }


def acceptable(inst, i, j) -> bool:
    scores = inst["scores"]
    pair = (scores.index[i], scores.columns[j])
    return not math.isnan(scores.iat[i, j]) and pair not in inst["forbidden"]


def brute_force(inst) -> tuple[float, tuple[int, float]]:
    """Best total over all matchings that keep the locks, and the best (count, total)."""
    scores = inst["scores"]
    values = scores.to_numpy()
    n, m = values.shape
    room = inst["capacity"].to_numpy().copy()
    rows = {scores.index.get_loc(a): scores.columns.get_loc(b) for a, b in inst["locked"]}
    start = 0.0
    for i, j in rows.items():
        room[j] -= 1
        start += values[i, j]
    free = [i for i in range(n) if i not in rows]
    best = {"score": -math.inf, "participation": (-1, -math.inf)}

    def search(k: int, got: float, count: int) -> None:
        if k == len(free):
            best["score"] = max(best["score"], got)
            best["participation"] = max(best["participation"], (count, got))
            return
        i = free[k]
        search(k + 1, got, count)
        for j in range(m):
            if room[j] > 0 and acceptable(inst, i, j):
                room[j] -= 1
                search(k + 1, got + values[i, j], count + 1)
                room[j] += 1

    search(0, start, len(rows))
    return best["score"], best["participation"]


def assert_valid(inst, pairs: pd.DataFrame) -> None:
    """Shape, order, capacities, locks, forbidden and NaN pairs, scores read back."""
    scores = inst["scores"]
    assert list(pairs.columns) == list(COLUMNS)
    assert pairs["score"].dtype == np.float64
    assert pairs.index.equals(pd.RangeIndex(len(pairs)))
    positions = [scores.index.get_loc(mentee) for mentee in pairs["mentee"]]
    assert positions == sorted(set(positions)), "one row per mentee, in index order"
    counts = pairs["mentor"].value_counts()
    for mentor, count in counts.items():
        assert count <= inst["capacity"][mentor]
    forbidden = set(inst["forbidden"])
    for mentee, mentor, score in pairs.itertuples(index=False):
        assert (mentee, mentor) not in forbidden
        assert score == scores.at[mentee, mentor]  # NaN would fail this too
    assert set(inst["locked"]) <= as_set(pairs)


def brute_force_blocking(inst, pairs: pd.DataFrame) -> list:
    """Blocking pairs under the tie-broken preferences `stable` uses, found cell by cell."""
    scores = inst["scores"]
    values = scores.to_numpy()
    n, m = values.shape
    mine = {scores.index.get_loc(a): scores.columns.get_loc(b) for a, b in as_set(pairs)}
    locked = {scores.index.get_loc(a) for a, _ in inst["locked"]}
    found = []
    for i, j in product(range(n), range(m)):
        if not acceptable(inst, i, j) or mine.get(i) == j or i in locked:
            continue
        mentee_wants = i not in mine or (values[i, j], -j) > (values[i, mine[i]], -mine[i])
        held = [k for k, b in mine.items() if b == j]
        movable = [k for k in held if k not in locked]
        mentor_wants = len(held) < inst["capacity"].iloc[j] or any(
            (values[i, j], -i) > (values[k, j], -k) for k in movable
        )
        if mentee_wants and mentor_wants:
            found.append((i, j))
    return found


def textbook_deferred_acceptance(inst) -> set:
    """Mentee-proposing deferred acceptance, one proposal at a time, for comparison."""
    scores = inst["scores"]
    values = scores.to_numpy()
    n, m = values.shape
    room = inst["capacity"].to_numpy().copy()
    result = set()
    locked_rows = set()
    for a, b in inst["locked"]:
        room[scores.columns.get_loc(b)] -= 1
        locked_rows.add(scores.index.get_loc(a))
        result.add((a, b))
    prefs = {
        i: sorted((j for j in range(m) if acceptable(inst, i, j)), key=lambda j: (-values[i, j], j))
        for i in range(n)
        if i not in locked_rows
    }
    nxt = dict.fromkeys(prefs, 0)
    held: dict[int, list[int]] = {j: [] for j in range(m)}
    waiting = sorted(prefs)
    while waiting:
        i = waiting.pop()
        if nxt[i] == len(prefs[i]):
            continue
        j = prefs[i][nxt[i]]
        nxt[i] += 1
        held[j].append(i)
        held[j].sort(key=lambda k: (-values[k, j], k))
        if len(held[j]) > room[j]:
            waiting.append(held[j].pop())
    for j, mentees in held.items():
        result |= {(scores.index[i], scores.columns[j]) for i in mentees}
    return result


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------


@PROPERTY
@given(instances())
def test_score_mode_reaches_the_brute_force_optimum(inst):
    pairs = assign(
        inst["scores"], inst["capacity"], forbidden=inst["forbidden"], locked=inst["locked"]
    )
    assert_valid(inst, pairs)
    best, _ = brute_force(inst)
    assert total(pairs) == pytest.approx(best, abs=1e-9)
    unlocked = pairs[~pairs["mentee"].isin([a for a, _ in inst["locked"]])]
    assert (unlocked["score"] > 0).all(), "a pair scoring 0 or less is never worth using"


@PROPERTY
@given(instances())
def test_participation_mode_matches_the_most_mentees_then_the_best_total(inst):
    pairs = assign(
        inst["scores"],
        inst["capacity"],
        forbidden=inst["forbidden"],
        locked=inst["locked"],
        maximize="participation",
    )
    assert_valid(inst, pairs)
    _, (count, best) = brute_force(inst)
    assert len(pairs) == count
    assert total(pairs) == pytest.approx(best, abs=1e-9)


@PROPERTY
@given(instances())
def test_stable_matching_has_no_blocking_pair_and_is_deferred_acceptance(inst):
    kwargs = {"forbidden": inst["forbidden"], "locked": inst["locked"]}
    pairs = stable(inst["scores"], inst["capacity"], **kwargs)
    assert_valid(inst, pairs)
    assert blocking_pairs(inst["scores"], inst["capacity"], pairs, **kwargs).empty
    assert brute_force_blocking(inst, pairs) == []
    assert as_set(pairs) == textbook_deferred_acceptance(inst)


@PROPERTY
@given(instances())
def test_blocking_pairs_agree_with_a_brute_force_count_on_any_matching(inst):
    """On the score-optimal matching (usually unstable), every reported pair blocks."""
    pairs = assign(inst["scores"], inst["capacity"], forbidden=inst["forbidden"])
    found = blocking_pairs(inst["scores"], inst["capacity"], pairs, forbidden=inst["forbidden"])
    scores = inst["scores"]
    values = scores.to_numpy()
    mine = dict(zip(pairs["mentee"], pairs["mentor"], strict=True))
    expected = []
    for i, j in product(range(len(scores.index)), range(len(scores.columns))):
        mentee, mentor = scores.index[i], scores.columns[j]
        if not acceptable(inst, i, j) or mine.get(mentee) == mentor:
            continue
        own = scores.at[mentee, mine[mentee]] if mentee in mine else -math.inf
        held = [scores.at[k, mentor] for k, b in mine.items() if b == mentor]
        room = len(held) < inst["capacity"][mentor]
        if values[i, j] > own and (room or values[i, j] > min(held, default=math.inf)):
            expected.append((mentee, mentor))
    assert list(zip(found["mentee"], found["mentor"], strict=True)) == expected


# --------------------------------------------------------------------------------------
# What each mode gives up
# --------------------------------------------------------------------------------------


@pytest.fixture
def trade_off():
    """Score mode gives Ada to Xena alone; participation mode matches Yuri too, for less."""
    scores = frame({"xena": [10, 1], "yuri": [8, NAN]}, ["ada", "bo"])
    return scores, places(ada=1, bo=1)


def test_score_mode_leaves_a_mentee_unmatched_that_participation_mode_matches(trade_off):
    scores, capacity = trade_off
    best = assign(scores, capacity)
    everyone = assign(scores, capacity, maximize="participation")
    assert as_set(best) == {("xena", "ada")}
    assert total(best) == 10.0
    assert as_set(everyone) == {("xena", "bo"), ("yuri", "ada")}
    assert total(everyone) == 9.0


def test_participation_mode_takes_one_more_match_whatever_it_costs_in_score():
    # Only the three zero-score pairs match everyone; two 10s would match two mentees.
    scores = frame({"xena": [10, NAN, 0], "yuri": [0, 10, NAN], "zoe": [NAN, 0, NAN]}, list("ABC"))
    capacity = places(A=1, B=1, C=1)
    assert as_set(assign(scores, capacity)) == {("xena", "A"), ("yuri", "B")}
    everyone = assign(scores, capacity, maximize="participation")
    assert as_set(everyone) == {("xena", "C"), ("yuri", "A"), ("zoe", "B")}
    assert total(everyone) == 0.0


def test_summaries_say_what_each_mode_gives_up(trade_off):
    scores, capacity = trade_off
    best = assign(scores, capacity)
    everyone = assign(scores, capacity, maximize="participation")
    calm = stable(scores, capacity)
    assert summarize(scores, capacity, best, "score") == MatchingSummary(
        mode="score", matched=1, unmatched=1, total_score=10.0, blocking_pairs=0
    )
    # Xena would rather have Ada (10 > 1), and Ada would rather have Xena (10 > 8).
    assert summarize(scores, capacity, everyone, "participation") == MatchingSummary(
        mode="participation", matched=2, unmatched=0, total_score=9.0, blocking_pairs=1
    )
    assert summarize(scores, capacity, calm, "stable").blocking_pairs == 0


def test_stable_differs_from_the_best_total_when_that_is_unstable():
    scores = frame({"xena": [10, 9], "yuri": [9, 1]}, ["ada", "bo"])
    capacity = places(ada=1, bo=1)
    best = assign(scores, capacity)
    assert as_set(best) == {("xena", "bo"), ("yuri", "ada")}  # 18
    assert as_set(stable(scores, capacity)) == {("xena", "ada"), ("yuri", "bo")}  # 11
    found = blocking_pairs(scores, capacity, best)
    assert list(found.itertuples(index=False, name=None)) == [("xena", "ada")]
    assert list(found.columns) == ["mentee", "mentor"]


def test_ties_go_to_the_column_further_left_and_the_mentee_higher_up():
    scores = frame({"xena": [5, 5], "yuri": [5, 5]}, ["ada", "bo"])
    pairs = stable(scores, places(ada=1, bo=1))
    assert as_set(pairs) == {("xena", "ada"), ("yuri", "bo")}
    assert blocking_pairs(scores, places(ada=1, bo=1), pairs).empty


def test_an_equal_score_is_not_a_reason_to_block():
    scores = frame({"xena": [5, 5], "yuri": [5, NAN]}, ["ada", "bo"])
    pairs = pd.DataFrame({"mentee": ["xena", "yuri"], "mentor": ["bo", "ada"], "score": [5, 5]})
    assert blocking_pairs(scores, places(ada=1, bo=1), pairs).empty


def test_a_locked_mentee_never_blocks_and_a_mentor_only_weighs_its_unlocked_mentees():
    scores = frame({"xena": [1, 9], "yuri": [9, NAN], "zoe": [5, NAN]}, ["ada", "bo"])
    capacity = places(ada=2, bo=1)
    locked = [("xena", "ada")]
    pairs = stable(scores, capacity, locked=locked)
    assert as_set(pairs) == {("xena", "ada"), ("yuri", "ada")}
    # Without the lock, Xena/Bo and Zoe/Ada (5 > Xena's 1) would both block.
    assert len(blocking_pairs(scores, capacity, pairs)) == 2
    assert blocking_pairs(scores, capacity, pairs, locked=locked).empty
    assert summarize(scores, capacity, pairs, "stable", locked=locked).blocking_pairs == 0


# --------------------------------------------------------------------------------------
# Scores, capacities, locks
# --------------------------------------------------------------------------------------


def test_negative_scores_are_left_out_in_score_mode_but_can_match_for_participation():
    scores = frame({"xena": [-2, NAN], "yuri": [3, -1]}, ["ada", "bo"])
    capacity = places(ada=1, bo=1)
    assert as_set(assign(scores, capacity)) == {("yuri", "ada")}
    assert as_set(assign(scores, capacity, maximize="participation")) == {
        ("xena", "ada"),
        ("yuri", "bo"),
    }


def test_a_mentee_with_only_negative_scores_takes_no_place_from_another():
    scores = frame({"xena": [-1, -100], "yuri": [5, 4]}, ["ada", "bo"])
    assert as_set(assign(scores, places(ada=1, bo=1))) == {("yuri", "ada")}


def test_a_later_proposal_with_an_equal_score_wins_when_the_mentee_is_higher_up():
    # Round 1: Xena tries Bo, who keeps Zoe (9 > 6); Yuri gets Ada. Round 2: Xena tries
    # Ada, who scores her like Yuri (5) and, on the tie, prefers Xena (higher up).
    scores = frame({"xena": [5, 6], "yuri": [5, NAN], "zoe": [NAN, 9]}, ["ada", "bo"])
    pairs = stable(scores, places(ada=1, bo=1))
    assert as_set(pairs) == {("xena", "ada"), ("zoe", "bo")}


def test_a_locked_pair_is_kept_even_with_a_negative_score_and_uses_a_place():
    scores = frame({"xena": [-2, 1], "yuri": [3, NAN]}, ["ada", "bo"])
    pairs = assign(scores, places(ada=1, bo=1), locked=[("xena", "ada")])
    assert as_set(pairs) == {("xena", "ada")}
    assert total(pairs) == -2.0


def test_forbidden_pairs_are_never_used():
    scores = frame({"xena": [9, 1], "yuri": [2, 1]}, ["ada", "bo"])
    pairs = assign(scores, places(ada=2, bo=2), forbidden=[("xena", "ada")])
    assert as_set(pairs) == {("xena", "bo"), ("yuri", "ada")}


def test_locks_and_forbidden_pairs_may_come_as_a_frame_or_an_iterator():
    scores = frame({"xena": [9, 1], "yuri": [8, 1]}, ["ada", "bo"])
    capacity = places(ada=1, bo=1)
    first = assign(scores, capacity)
    assert as_set(first) == {("xena", "ada"), ("yuri", "bo")}
    again = assign(scores, capacity, locked=first.iloc[:1], forbidden=iter([("yuri", "bo")]))
    assert as_set(again) == {("xena", "ada")}


def test_whole_float_capacities_are_accepted_and_extra_mentors_ignored():
    scores = frame({"xena": [1, 5], "yuri": [3, 4]}, ["ada", "bo"])
    capacity = pd.Series({"bo": 1.0, "ada": 2.0, "cy": -5})
    assert as_set(assign(scores, capacity)) == {("xena", "bo"), ("yuri", "ada")}


def test_a_huge_capacity_needs_no_huge_matrix():
    scores = frame({"xena": [1.0], "yuri": [2.0]}, ["ada"])
    assert len(assign(scores, places(ada=10**12), maximize="participation")) == 2


def test_labels_may_be_numbers():
    scores = pd.DataFrame([[1.0, 5.0], [2.0, NAN]], index=[10, 20], columns=[7, 8])
    pairs = assign(scores, pd.Series({7: 1, 8: 1}))
    assert list(pairs.itertuples(index=False, name=None)) == [(10, 8, 5.0), (20, 7, 2.0)]


def test_result_rows_follow_the_scores_index_with_their_dtypes():
    scores = frame({"zoe": [1, 9], "adam": [7, NAN], "mia": [3, 4]}, ["bo", "ada"])
    pairs = assign(scores, places(bo=2, ada=1))
    assert list(pairs.itertuples(index=False, name=None)) == [
        ("zoe", "ada", 9.0),
        ("adam", "bo", 7.0),
        ("mia", "bo", 3.0),
    ]
    assert pairs.dtypes.tolist() == [object, object, np.float64]
    assert pairs.index.equals(pd.RangeIndex(3))


@pytest.mark.parametrize(
    "scores, capacity",
    [
        (pd.DataFrame(index=pd.Index([], dtype=object), columns=["ada"], dtype=float), "ada"),
        (pd.DataFrame(index=["xena"], columns=pd.Index([], dtype=object), dtype=float), None),
        (pd.DataFrame(dtype=float), None),
    ],
    ids=["no mentees", "no mentors", "nobody"],
)
def test_empty_inputs_give_an_empty_result_with_the_right_columns(scores, capacity):
    capacity = pd.Series(1, index=[capacity]) if capacity else pd.Series(dtype=int)
    for pairs in (
        assign(scores, capacity),
        assign(scores, capacity, maximize="participation"),
        stable(scores, capacity),
    ):
        assert list(pairs.columns) == list(COLUMNS)
        assert pairs.empty
        assert pairs["score"].dtype == np.float64
        assert total(pairs) == 0.0
    assert list(blocking_pairs(scores, capacity, pairs).columns) == ["mentee", "mentor"]
    assert unmatched_reasons(scores, capacity, pairs) == dict.fromkeys(
        scores.index, "no acceptable mentor"
    )


@pytest.mark.parametrize("n, m", [(80, 12), (12, 30)])
def test_a_medium_instance_matches_scipy_on_the_expanded_matrix(n, m):
    rng = np.random.default_rng(n)
    values = rng.uniform(-5, 30, (n, m))
    values[rng.random((n, m)) < 0.2] = np.nan
    capacity = pd.Series(rng.integers(0, 5, m))
    scores = pd.DataFrame(values)
    expanded = np.clip(np.nan_to_num(values), 0, None)[:, np.repeat(np.arange(m), capacity)]
    rows, cols = linear_sum_assignment(expanded, maximize=True)
    weights = expanded[rows, cols]
    assert total(assign(scores, capacity)) == pytest.approx(weights.sum(), rel=1e-12)
    inst = {"scores": scores, "capacity": capacity, "forbidden": [], "locked": []}
    pairs = stable(scores, capacity)
    assert as_set(pairs) == textbook_deferred_acceptance(inst)
    assert blocking_pairs(scores, capacity, pairs).empty


# --------------------------------------------------------------------------------------
# Why someone is unmatched
# --------------------------------------------------------------------------------------


def test_unmatched_reasons_name_the_cause_in_plain_words():
    scores = frame(
        {"xena": [9, 8], "yuri": [7, 6], "zoe": [NAN, 5], "liv": [-1, NAN], "max": [1, NAN]},
        ["ada", "bo"],
    )
    capacity = places(ada=1, bo=1)
    pairs = assign(scores, capacity, forbidden=[("zoe", "bo")])  # xena–ada, yuri–bo
    reasons = unmatched_reasons(scores, capacity, pairs, forbidden=[("zoe", "bo")])
    assert reasons == {
        "zoe": "no acceptable mentor",
        "liv": "the mentors who fit are full: ada",
        "max": "the mentors who fit are full: ada",
    }
    hand_made = pairs[pairs["mentee"] != "yuri"]
    more = unmatched_reasons(scores, capacity, hand_made, forbidden=[("zoe", "bo")])
    assert more["yuri"] == "not matched, though mentors who fit have places left: bo"
    scores.loc["liv", "bo"] = -3.0
    assert (
        unmatched_reasons(scores, capacity, hand_made)["liv"]
        == "the mentors who fit and have places left score 0 or less: bo"
    )


def test_unmatched_reasons_list_the_best_fits_first_and_count_the_rest():
    mentors = [f"m{j}" for j in range(MAX_NAMES + 3)]
    scores = frame({"xena": list(range(1, len(mentors) + 1))}, mentors)
    capacity = pd.Series(0, index=mentors)
    reasons = unmatched_reasons(scores, capacity, assign(scores, capacity))
    assert reasons == {"xena": "the mentors who fit are full: m7, m6, m5, m4, m3 and 3 more"}


# --------------------------------------------------------------------------------------
# Errors name the cause
# --------------------------------------------------------------------------------------

SCORES = frame({"xena": [9, NAN], "yuri": [7, 6]}, ["ada", "bo"])


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"locked": [("xena", "ada"), ("yuri", "ada")], "capacity": places(ada=1, bo=1)},
            "mentee 'yuri' is locked to mentor 'ada' but 'ada' has no capacity left",
        ),
        ({"locked": [("xena", "cy")]}, "unknown mentor 'cy' in locked pairs"),
        ({"locked": [("zed", "ada")]}, "unknown mentee 'zed' in locked pairs"),
        ({"forbidden": [("xena", "cy")]}, "unknown mentor 'cy' in forbidden pairs"),
        ({"locked": ["xena"]}, "each of the locked pairs must be a (mentee, mentor) pair"),
        ({"locked": [("xena", "ada", "bo")]}, "must be a (mentee, mentor) pair"),
        ({"forbidden": "xena"}, "not a string"),
        ({"capacity": places(ada=1, bo=-1)}, "capacity of mentor 'bo' is negative (-1)"),
        ({"capacity": places(ada=1)}, "mentor 'bo' has no capacity given"),
        ({"capacity": places(ada=1, bo=NAN)}, "mentor 'bo' has no capacity given"),
        ({"capacity": places(ada=1, bo=2.5)}, "capacity of mentor 'bo' is not a whole number"),
        ({"capacity": places(ada=1, bo="two")}, "capacity of mentor 'bo' is not a number"),
        (
            {"capacity": pd.Series([1, 1, 2], index=["ada", "bo", "bo"])},
            "mentor 'bo' has more than one capacity given",
        ),
        (
            {"capacity": {"ada": 1, "bo": 1}},
            "capacity must be a pandas Series",
        ),
        (
            {"locked": [("xena", "ada")], "forbidden": [("xena", "ada")]},
            "locked pair ('xena', 'ada') is forbidden",
        ),
        ({"locked": [("xena", "bo")]}, "locked pair ('xena', 'bo') is not acceptable (no score)"),
        (
            {"locked": [("yuri", "ada"), ("yuri", "bo")]},
            "mentee 'yuri' is locked twice (to 'ada' and 'bo')",
        ),
        (
            {"scores": frame({"xena": [1, 2], "yuri": [3, 4]}, ["ada", "ada"])},
            "mentor 'ada' appears more than once in the scores",
        ),
        (
            {"scores": SCORES.rename(index={"yuri": "xena"})},
            "mentee 'xena' appears more than once in the scores",
        ),
        (
            {"scores": SCORES.astype(object).where(SCORES.notna(), "high")},
            "the score of mentee 'xena' for mentor 'bo' is not a number ('high')",
        ),
        (
            {"scores": SCORES.fillna(math.inf)},
            "the score of mentee 'xena' for mentor 'bo' is not finite (inf)",
        ),
        ({"scores": SCORES.to_numpy()}, "scores must be a pandas DataFrame"),
        ({"maximize": "happiness"}, "maximize must be 'score' or 'participation'"),
    ],
)
def test_inconsistent_input_raises_an_error_naming_the_cause(change, message):
    args = {"scores": SCORES, "capacity": places(ada=2, bo=2), **change}
    with pytest.raises(MatchingError) as raised:
        assign(**args)
    assert message in str(raised.value)
    assert isinstance(raised.value, MentorkitError)
    assert isinstance(raised.value, ValueError)


def test_stable_checks_its_input_like_assign():
    with pytest.raises(MatchingError, match="has no capacity left"):
        stable(SCORES, places(ada=1, bo=1), locked=[("xena", "ada"), ("yuri", "ada")])
    with pytest.raises(MatchingError, match="unknown mentor 'cy' in forbidden pairs"):
        stable(SCORES, places(ada=1, bo=1), forbidden=[("xena", "cy")])


def test_a_result_with_unknown_names_or_a_mentee_twice_is_refused():
    capacity = places(ada=2, bo=2)
    twice = pd.DataFrame({"mentee": ["yuri", "yuri"], "mentor": ["ada", "bo"], "score": [7, 6]})
    with pytest.raises(MatchingError, match="mentee 'yuri' is matched more than once"):
        blocking_pairs(SCORES, capacity, twice)
    stranger = pd.DataFrame({"mentee": ["zed"], "mentor": ["ada"], "score": [1.0]})
    with pytest.raises(MatchingError, match="unknown mentee 'zed' in the pairs"):
        unmatched_reasons(SCORES, capacity, stranger)
    with pytest.raises(MatchingError, match="'score' column"):
        total(pd.DataFrame({"mentee": []}))


# -- what publishing changes -------------------------------------------------------------


def pair_frame(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["mentee", "mentor"], dtype=object)


def test_pair_changes_list_new_changed_and_withdrawn_pairs_and_leave_out_kept_ones():
    published = pair_frame(("xena", "ada"), ("yuri", "bo"), ("zoe", "cy"))
    proposed = pair_frame(("walt", "cy"), ("xena", "ada"), ("yuri", "cy"))
    found = pair_changes(published, proposed)
    assert tuple(found.columns) == CHANGE_COLUMNS
    assert found.to_dict("records") == [
        {"mentee": "walt", "change": "new", "published": None, "proposed": "cy"},
        {"mentee": "yuri", "change": "changed", "published": "bo", "proposed": "cy"},
        {"mentee": "zoe", "change": "withdrawn", "published": "cy", "proposed": None},
    ]


def test_pair_changes_are_empty_when_publishing_changes_nothing():
    same = pair_frame(("xena", "ada"), ("yuri", "bo"))
    assert pair_changes(same, same.iloc[::-1]).empty
    assert pair_changes(pair_frame(), pair_frame()).empty
    assert tuple(pair_changes(pair_frame(), pair_frame()).columns) == CHANGE_COLUMNS


def test_pair_changes_of_a_first_publish_are_all_new_and_of_an_empty_proposal_all_withdrawn():
    proposed = assign(frame({"xena": [3, 1], "yuri": [1, 2]}, ["ada", "bo"]), places(ada=1, bo=1))
    assert list(pair_changes(pair_frame(), proposed)["change"]) == ["new", "new"]
    assert list(pair_changes(proposed, pair_frame())["change"]) == ["withdrawn", "withdrawn"]


def test_pair_changes_refuse_a_mentee_matched_twice_or_a_frame_without_pairs():
    twice = "mentee 'xena' is matched more than once in the published pairs"
    with pytest.raises(MatchingError, match=twice):
        pair_changes(pair_frame(("xena", "ada"), ("xena", "bo")), pair_frame())
    with pytest.raises(MatchingError, match="proposed pairs must be a frame"):
        pair_changes(pair_frame(), pd.DataFrame({"who": ["xena"]}))


def test_a_locked_published_pair_survives_a_run_that_would_otherwise_withdraw_it():
    """Xena was published with Ada; now Yuri fits Ada far better and Xena fits nobody else.
    Without the lock the best total withdraws Xena's match; with it, nothing of hers changes."""
    published = pair_frame(("xena", "ada"))
    scores = frame({"xena": [2, NAN], "yuri": [9, NAN]}, ["ada", "bo"])
    capacity = places(ada=1, bo=1)
    for run in (
        lambda **kw: assign(scores, capacity, **kw),
        lambda **kw: assign(scores, capacity, maximize="participation", **kw),
        lambda **kw: stable(scores, capacity, **kw),
    ):
        unlocked = pair_changes(published, run())
        changes = set(zip(unlocked["mentee"], unlocked["change"], strict=True))
        assert ("xena", "withdrawn") in changes
        locked = pair_changes(published, run(locked=published))
        assert "xena" not in set(locked["mentee"])

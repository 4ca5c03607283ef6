"""Mentors a participant finds themselves: read against the framework, ranked with the
directory's scoring, drafted to, and kept on the shortlist as typed."""

import pytest

from mentorkit.catalog import load_expertise_synonyms, load_framework
from mentorkit.errors import InvalidInput
from mentorkit.expertise import ExpertiseVocabulary
from mentorkit.fit import fit
from mentorkit.models import (
    FoundThrough,
    MentorProfile,
    MentorShortlist,
    Participant,
    ProspectiveMentor,
    SelfAssessment,
    ShortlistEntry,
    check,
    validate,
)
from mentorkit.outreach import outreach_message
from mentorkit.prospects import (
    found_mentor,
    found_through_sentence,
    next_prospect_id,
    rank_found,
)

FRAMEWORK = load_framework()
VOCABULARY = ExpertiseVocabulary(FRAMEWORK, load_expertise_synonyms())
WANTS = SelfAssessment(growth_areas=["negotiation", "public-speaking"])


def prospect(number: int, name: str, good_at: str = "", **more) -> ProspectiveMentor:
    return ProspectiveMentor(id=f"own-{number}", name=name, good_at=good_at, **more)


def test_what_they_are_good_at_is_read_as_the_frameworks_competencies_and_other_topics():
    found = found_mentor(
        prospect(1, "Kai", "Presenting; negotiation, Kubernetes and leading teams"), VOCABULARY
    )
    assert "public-speaking" in found.expertise and "negotiation" in found.expertise
    assert found.other_topics == ("Kubernetes",) or "Kubernetes" in found.other_topics
    assert found_mentor(prospect(2, "Lu", ""), VOCABULARY).expertise == ()


def test_found_mentors_rank_on_the_growth_areas_they_cover_as_the_directorys_do():
    kai = prospect(1, "Kai", "negotiation; public speaking")
    lu = prospect(2, "Lu", "public speaking")
    mo = prospect(3, "Mo", "gardening")
    ranked = rank_found(WANTS, [mo, lu, kai], FRAMEWORK, VOCABULARY)
    assert [item.mentor.name for item in ranked] == ["Kai", "Lu", "Mo"]
    assert ranked[0].fit.covered_growth_areas == ("negotiation", "public-speaking")
    assert ranked[0].fit.summary == "covers both your growth areas: negotiation, public speaking"
    # The same score as a directory mentor with the same expertise and a place left.
    same = MentorProfile(
        name="Kai",
        email="kai@example.org",
        expertise=["negotiation", "public-speaking"],
        capacity=1,
    )
    assert ranked[0].fit.score == fit(WANTS, same, FRAMEWORK).score


def test_a_draft_to_a_found_mentor_says_where_they_were_found_not_a_profile():
    kai = prospect(1, "Kai Rivera", "negotiation", found_through=FoundThrough.ALUMNI)
    draft = outreach_message(
        Participant(name="Lena Ortiz"),
        found_mentor(kai, VOCABULARY),
        WANTS,
        FRAMEWORK,
        found_through=found_through_sentence(kai.found_through),
    )
    assert draft.startswith("Subject: Mentoring request: guidance on negotiation")
    assert "Dear Kai," in draft
    assert "I found you through our alumni network" in draft
    assert "profile" not in draft
    assert found_through_sentence(None) == found_through_sentence(FoundThrough.OTHER) == ""


def test_a_new_found_mentor_never_takes_an_id_still_on_the_list():
    assert next_prospect_id([]) == "own-1"
    assert next_prospect_id(["own-1", "own-3", "ada@example.org"]) == "own-4"


def test_a_shortlist_entry_names_one_mentor_and_only_one_on_the_list():
    kai = prospect(1, "Kai")
    shortlist = MentorShortlist(prospects=[kai], entries=[ShortlistEntry(prospect="own-1")])
    assert shortlist.entries[0].mentor_key == "own-1"
    checked = check(MentorShortlist, {"entries": [{"prospect": "own-2"}]})
    assert checked.problems == {
        "entries": "names a mentor you found ('own-2') who is no longer on your list"
    }
    with pytest.raises(InvalidInput, match="must name one mentor"):
        validate(ShortlistEntry, {"mentor_email": "a@example.org", "prospect": "own-1"})
    with pytest.raises(InvalidInput, match="must name one mentor"):
        validate(ShortlistEntry, {"note": "Nobody"})


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<b>",
        "www.example.org",
        "https://x.org/<script>",
    ],
)
def test_only_a_web_address_is_a_link_and_it_is_named_plainly(link):
    checked = check(ProspectiveMentor, {"id": "own-1", "name": "Kai", "link": link})
    assert checked.problems == {
        "link": "must be a web address starting with https:// (copy it from your browser)"
    }
    assert checked.document.link == "" and checked.document.name == "Kai"

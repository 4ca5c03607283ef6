"""The mentor's own profile, as participants read it in the mentor directory, and the
session the mentors' page shares between its views.

Every change is checked field by field, as a worksheet's (`FieldSet`): what validates is
saved a moment after the last change (`MentorSaver`), and what does not (a time zone
that is none, a capacity of 99) stays in the page as typed, with a message next to its
field, and is kept in the profile's `draft`, so that a reload shows it again. Meanwhile
that field keeps its last valid value: a profile cannot be without a capacity, and the
directory goes on showing what was valid.

Name and email come from the workshop's roster and are shown, not edited: the email is
what the store knows the mentor by, so no message from the page can make it another's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from typing import Any, Generic, Protocol, TypeVar, cast

import ipywidgets as widgets
from pydantic import ValidationError
from pydantic_core import to_jsonable_python

from mentorkit.errors import InvalidInput, NotFound
from mentorkit.identity import MentorIdentity
from mentorkit.mentoring import availability_words
from mentorkit.models import (
    Document,
    MeetingFormat,
    MentorProfile,
    Workshop,
    describe_error,
    validate,
)
from mentorkit.store import Store
from mentorkit.ui.autosave import (
    RETRY_DELAYS_SECONDS,
    SAVE_DELAY_SECONDS,
    SAVE_MAX_WAIT_SECONDS,
    SaveSchedule,
    SaveStatus,
)
from mentorkit.ui.fields import Fields, FieldSet, time_zone_names
from mentorkit.ui.frame import Notice, guarded
from mentorkit.ui.html import split_list

log = logging.getLogger("mentorkit")

LABEL_WIDTH = "13rem"
T = TypeVar("T")
#: What the page says when the mentor's row is gone from the roster: no retry can save.
NO_LONGER_ON_THE_ROSTER = (
    "you are no longer on this workshop's list of mentors. Ask its facilitator, then reload "
    "the page."
)


# ---------------------------------------------------------------------------------------
# The session


class Saver(Protocol):
    """What a view saves in the background (the mentor's profile): saved, or stopped, when
    the mentor signs out."""

    def flush(self) -> bool:
        """Save what waits now; whether nothing is left waiting."""
        ...

    def close(self) -> None:
        """Stop for good: the page no longer shows what this saver saves."""
        ...


@dataclass
class MentorSession:
    """A signed-in mentor's connection to the store, shared by the page's views."""

    store: Store
    identity: MentorIdentity
    status: SaveStatus
    notice: Notice
    #: The day the page counts from (whether the mentor takes new mentees yet).
    today: date = field(default_factory=date.today)
    #: The mentor's profile as the page holds it now: every edit that validates, saved or
    #: about to be (the requests view counts the mentor's places from it).
    profile: MentorProfile = field(init=False)
    #: What the views save in the background, saved before the mentor signs out.
    savers: list[Saver] = field(default_factory=list)
    #: Called once the mentor has answered a request: their places taken may have changed.
    on_answer: list[Callable[[], object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.profile = self.identity.mentor

    @property
    def workshop(self) -> Workshop:
        return self.identity.workshop

    @property
    def email(self) -> str:
        """The mentor's email: what the store knows them by in their workshop."""
        return self.identity.mentor.email

    def places_taken(self) -> int:
        """How many mentees are paired with this mentor now (accepted, or the
        facilitator's pairs)."""
        return self.store.places_taken(self.workshop.code).get(self.email, 0)

    def answered(self) -> None:
        """Tell the views the mentor answered a request."""
        for listener in self.on_answer:
            listener()

    def save_the_rest(self) -> bool:
        """Save every edit still waiting; whether none is left."""
        return all([saver.flush() for saver in self.savers])

    def close(self) -> None:
        """Stop every saver: the page is about to leave the mentor's views."""
        for saver in self.savers:
            saver.close()


# ---------------------------------------------------------------------------------------
# Checking and saving


def checked_profile(
    saved: MentorProfile, edits: Mapping[str, Any]
) -> tuple[MentorProfile, dict[str, str]]:
    """`saved` with every field of `edits` (by name) that validates, and what is wrong with
    each one that does not, in plain words naming the field.

    A field that does not validate keeps its value in `saved` (the profile's last valid
    one), not its default: a profile cannot be without a capacity meanwhile, and the
    directory goes on showing what was valid. The profile's checks are each field's own,
    so each edit is checked against `saved` alone.
    """
    base = saved.model_dump(exclude={"draft"})
    kept: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, value in edits.items():
        if name not in MentorProfile.model_fields or name == "draft":
            continue
        try:
            MentorProfile.model_validate({**base, name: value})
        except ValidationError as exc:
            problems[name] = describe_error(MentorProfile, exc.errors(include_url=False)[0])
        else:
            kept[name] = value
    return validate(MentorProfile, {**base, **kept}), problems


class ProfileFields(FieldSet):
    """The profile's inputs, each bound to its field of `MentorProfile` as a worksheet's
    are to their document's: the same binding, restoring and messages, with the profile's
    own check (`profile`)."""

    def __init__(self, status: SaveStatus, document_key: object) -> None:
        # FieldSet reads its model's text limits (any model's) and checks worksheet
        # documents with it; a profile is no worksheet document: `profile` checks it.
        super().__init__(cast("type[Document]", MentorProfile), status, document_key, "profile")
        self.labelled = False  # the messages of `checked_profile` name their field

    def profile(self, saved: MentorProfile) -> MentorProfile:
        """The profile the inputs make from `saved` (see `checked_profile`), each problem
        shown next to its input, and what those inputs hold kept as typed in its draft."""
        edited, problems = checked_profile(saved, self.data())
        shown = {key: message for path, message in problems.items() for key in self._keys_for(path)}
        self.show(shown)
        draft = {key: to_jsonable_python(self.inputs[key].value) for key in shown}
        if not draft:
            return edited
        try:
            return validate(MentorProfile, {**edited.model_dump(), "draft": draft})
        except InvalidInput:  # a draft a crafted message made too big is left out
            return edited


class MentorSaver(Generic[T]):
    """Saves what a mentor edits (their profile, their survey answers) a moment after the
    last change, on the beat `Autosaver` saves a worksheet (`SaveSchedule`): `delay` after
    the last keystroke, at most `max_wait` after the first one not saved yet, and again
    after each of `retry_delays` (the last one repeated) while the store fails.

    What a mentor edits has no revisions: the last save wins (two tabs of one mentor write
    the same person's data, and nobody else writes it but a roster import, which keeps a
    profile). `save` stores one value; `NotFound` from it means the mentor is gone.
    """

    def __init__(
        self,
        save: Callable[[T], None],
        status: SaveStatus,
        *,
        delay: float = SAVE_DELAY_SECONDS,
        max_wait: float = SAVE_MAX_WAIT_SECONDS,
        retry_delays: tuple[float, ...] = RETRY_DELAYS_SECONDS,
    ) -> None:
        self.save = save
        self.status = status
        self.timing = SaveSchedule(
            self.flush, delay=delay, max_wait=max_wait, retry_delays=retry_delays
        )
        self._pending: Callable[[], T] | None = None
        self._closed = False

    @property
    def has_unsaved_changes(self) -> bool:
        return self._pending is not None

    def request(self, build: Callable[[], T]) -> None:
        """Save the value `build` returns, `delay` seconds after the last change."""
        if self._closed:
            return
        self._pending = build
        self.status.pending()
        self._schedule(self.timing.after_change())

    def _schedule(self, delay: float, *, retry: bool = False) -> None:
        """Flush in `delay` seconds (see `SaveSchedule.start`)."""
        self.timing.start(delay, retry=retry)

    def flush(self) -> bool:
        """Save what waits now; whether everything is saved."""
        self.timing.flushing()
        build = self._pending
        if build is None:
            return True
        if self._closed:
            return False
        try:
            self.save(build())
        except NotFound:
            # The mentor's row is gone (removed from the roster): no retry can save.
            self._pending = None
            self.timing.caught_up()
            self.status.failed(NO_LONGER_ON_THE_ROSTER)
            return False
        except Exception:
            # The store is down, read-only or full: keep the edit, say so, try again.
            log.warning("mentorkit: saving a mentor's edit failed; will retry", exc_info=True)
            self.status.retrying()
            self._schedule(self.timing.after_failure(), retry=True)
            return False
        if self._pending is build:
            self._pending = None
            self.timing.caught_up()
        self.timing.reset_retries()
        self.status.saved(datetime.now().astimezone())
        return True

    def close(self) -> None:
        """Stop for good (the mentor signed out); an edit still waiting is dropped."""
        self._closed = True
        self._pending = None
        self.timing.cancel()


# ---------------------------------------------------------------------------------------
# The view


def availability_preview(profile: MentorProfile, places_taken: int, today: date) -> str:
    """How the mentor directory shows the mentor's availability, in words: 'not taking new
    mentees', 'taking new mentees from …', 'taking new mentees: 2 places left' or 'no
    places left'."""
    words = availability_words(profile, today)
    if words:
        return words
    left = max(0, profile.capacity - places_taken)
    if left:
        return f"taking new mentees: {left} place{'' if left == 1 else 's'} left"
    return "no places left"


def _format_words(fmt: MeetingFormat) -> str:
    return "Meet in person" if fmt is MeetingFormat.IN_PERSON else f"Meet by {fmt.value}"


def _slug(text: str) -> str:
    return text.lower().replace("_", "-").replace(" ", "-")


class MentorProfileView(widgets.VBox):
    """The mentor's profile, edited in place and saved as they go, with how the directory
    shows their availability under it."""

    def __init__(self, session: MentorSession) -> None:
        super().__init__()
        self.add_class("mentorkit-mentor-profile")
        self.session = session
        self.framework = session.workshop.framework
        start = session.profile
        code = session.workshop.code
        self.saver: MentorSaver[MentorProfile] = MentorSaver(
            lambda profile: session.store.save_mentor_profile(code, profile), session.status
        )
        session.savers.append(self.saver)
        self.fields = ProfileFields(session.status, ("mentor_profile", session.email))
        fields = Fields(LABEL_WIDTH)
        bind = self.fields.field

        self.bio = bind(
            "bio",
            fields.textarea(
                "About me",
                start.bio,
                "A few lines for participants: your path, what you enjoy helping with",
                width="44rem",
                height="8rem",
            ),
        )
        self.title = bind("title", fields.text("Job title", start.title, "", width="34rem"))
        self.organization = bind(
            "organization", fields.text("Organization", start.organization, "", width="34rem")
        )
        self.industry = bind(
            "industry", fields.text("Industry", start.industry, "e.g. Energy", width="34rem")
        )

        known = self.framework.competencies()
        # Ids the framework no longer has are kept as they are: nothing here shows them.
        unknown = [cid for cid in start.expertise if cid not in known]
        ticks = {
            c.id: widgets.Checkbox(
                value=c.id in start.expertise, description=c.name, indent=False
            ).add_class(f"mentorkit-field-profile-expertise-{c.id}")
            for area in self.framework.areas
            for c in area.competencies
        }
        self.expertise = self.fields.group(
            "expertise",
            ticks,
            read=lambda ticked: [*(cid for cid, on in ticked.items() if on), *unknown],
            keys=dict.fromkeys(ticks),
        )
        expertise_rows: list[widgets.Widget] = []
        for area in self.framework.areas:
            expertise_rows.append(
                widgets.HTML(f'<p class="mentorkit-area-name">{escape(area.name)}</p>')
            )
            expertise_rows.append(
                widgets.HBox([ticks[c.id] for c in area.competencies]).add_class(
                    "mentorkit-choices"
                )
            )
        self.tags = bind(
            "tags",
            fields.text(
                "Other topics",
                ", ".join(start.tags),
                "comma-separated, e.g. Kubernetes, Career change",
                width="44rem",
            ),
            read=split_list,
        )

        formats = self.fields.group(
            "formats",
            {
                fmt.name: widgets.Checkbox(
                    value=fmt in start.formats, description=_format_words(fmt), indent=False
                ).add_class(f"mentorkit-field-profile-format-{_slug(fmt.name)}")
                for fmt in MeetingFormat
            },
            read=lambda ticked: [fmt for fmt in MeetingFormat if ticked[fmt.name]],
            keys=dict.fromkeys(fmt.name for fmt in MeetingFormat),
        )
        self.formats = {fmt: formats[fmt.name] for fmt in MeetingFormat}
        self.time_zone = bind(
            "time_zone",
            fields.make(
                widgets.Combobox,
                "Time zone",
                width="34rem",
                value=start.time_zone or "",
                options=list(time_zone_names()),
                ensure_option=False,
                placeholder="e.g. Europe/Berlin",
            ),
            read=lambda zone: zone.strip() or None,
        )
        self.languages = bind(
            "languages",
            fields.text(
                "Languages I can meet in",
                ", ".join(start.languages),
                "e.g. English, Spanish",
                width="44rem",
            ),
            read=split_list,
        )
        self.capacity = bind(
            "capacity",
            fields.make(widgets.IntText, "Mentees I can take", width="20rem", value=start.capacity),
        )
        self.years_experience = bind(
            "years_experience",
            fields.text(
                "Years of experience",
                "" if start.years_experience is None else str(start.years_experience),
                "e.g. 12",
                width="20rem",
            ),
            read=lambda typed: typed.strip() or None,
        )
        self.open_to_new_mentees = bind(
            "open_to_new_mentees",
            fields.make(
                widgets.Checkbox,
                "Open to new mentees",
                width="34rem",
                value=start.open_to_new_mentees,
                indent=True,
            ),
        )
        self.open_from = bind("open_from", fields.date_picker("From", start.open_from))
        self.fields.restore(start.draft)
        self.preview = widgets.HTML().add_class("mentorkit-availability")
        self._places_taken = session.places_taken()

        mentor = session.identity.mentor
        self.children = [
            widgets.HTML(
                f"<p><strong>{escape(mentor.name)}</strong> · {escape(mentor.email)}</p>"
                '<p class="mentorkit-muted">Participants read this profile in the mentor '
                "directory of their shortlist. Your name and email come from the workshop's "
                "list of mentors: to change them, ask its facilitator.</p>"
            ),
            self.fields.placed("bio"),
            self.fields.placed("title"),
            self.fields.placed("organization"),
            self.fields.placed("industry"),
            widgets.HTML(
                '<h3>What I can help with</h3><p class="mentorkit-muted">Tick the '
                "competencies you can mentor: participants' growth areas are matched "
                "against them. Name anything else under Other topics.</p>"
            ),
            *expertise_rows,
            self.fields.placed("tags"),
            widgets.HTML("<h3>How I meet</h3>"),
            widgets.HBox(list(self.formats.values())).add_class("mentorkit-choices"),
            self.fields.placed("time_zone"),
            self.fields.placed("languages"),
            self.fields.placed("capacity"),
            self.fields.placed("years_experience"),
            widgets.HTML(
                '<h3>Taking new mentees</h3><p class="mentorkit-muted">Switch this off when '
                "you cannot take anyone new, or give the day from which you can: the "
                "directory says so, and nobody can send you a request meanwhile.</p>"
            ),
            self.fields.placed("open_to_new_mentees"),
            self.fields.placed("open_from"),
            self.preview,
        ]
        # A draft kept from an earlier visit is shown with its messages, and not saved
        # again: nothing has changed since.
        session.profile = self.fields.profile(start)
        self.fields.observe(guarded(session.notice)(self._changed))
        session.on_answer.append(guarded(session.notice)(self._answered))
        self._redraw(session.profile)

    def profile(self) -> MentorProfile:
        """The profile as the page shows it: every valid edit, the rest in its draft."""
        return self.fields.profile(self.session.profile)

    def _changed(self, _change: Mapping[str, Any]) -> None:
        profile = self.profile()
        self.session.profile = profile
        self.saver.request(lambda: profile)
        self._redraw(profile)

    def _answered(self) -> None:
        self._places_taken = self.session.places_taken()
        self._redraw(self.session.profile)

    def _redraw(self, profile: MentorProfile) -> None:
        words = availability_preview(profile, self._places_taken, self.session.today)
        self.preview.value = (
            '<p class="mentorkit-availability-line" role="status">How participants see you '
            f"in the mentor directory: <strong>{escape(words)}</strong>.</p>"
        )

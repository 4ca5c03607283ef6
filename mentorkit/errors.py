"""Exceptions whose messages are meant for people: each says what is wrong and what to do."""

from __future__ import annotations


class MentorkitError(Exception):
    """Base of every error mentorkit reports to a user instead of a traceback."""


class InvalidInput(MentorkitError, ValueError):
    """A value does not fit the data model; `problems` lists each field and why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class FrameworkError(MentorkitError):
    """A competency framework file is missing or malformed."""


class RosterError(MentorkitError):
    """A roster file cannot be read at all (wrong format, missing columns, too big)."""


class StoreError(MentorkitError):
    """The database cannot be opened or used."""


class SchemaError(StoreError):
    """The database schema is from another mentorkit version and cannot be used as is."""


class NotFound(StoreError, LookupError):
    """A workshop, participant or document does not exist."""


class ConflictError(StoreError):
    """A save was based on a revision that is no longer the latest one."""

    def __init__(self, message: str, *, expected: int, actual: int) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(message)

"""The competency framework and the sample data that ship in `data/`."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from mentorkit.errors import FrameworkError, InvalidInput
from mentorkit.models import Framework, validate
from mentorkit.resources import DATA_DIR

DEFAULT_FRAMEWORK = DATA_DIR / "competencies.yaml"
SAMPLE_MENTORS = DATA_DIR / "mentors.csv"
SAMPLE_PARTICIPANTS = DATA_DIR / "participants.csv"

MAX_FRAMEWORK_BYTES = 1_000_000
#: The form of a competency or area id.
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def load_framework(path: Path | str = DEFAULT_FRAMEWORK) -> Framework:
    """The framework in a YAML file, or `FrameworkError` naming the file and the problem."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FRAMEWORK_BYTES:
            raise FrameworkError(f"{path}: the file is larger than 1 MB; is it the right file?")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FrameworkError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FrameworkError(f"{path}: is a folder, not a YAML file") from None
    except UnicodeDecodeError:
        raise FrameworkError(f"{path}: is not UTF-8 text") from None
    except OSError as exc:
        raise FrameworkError(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_framework(text, source=str(path))


def parse_framework(text: str, *, source: str = "framework") -> Framework:
    """The framework in YAML `text`; `source` names it in error messages."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or "is not valid YAML"
        raise FrameworkError(f"{source}: {reason}{where}") from None
    except RecursionError:  # PyYAML recurses once per level: "[[[[…" goes deeper than Python
        raise FrameworkError(
            f"{source}: is nested too deeply to be a competency framework"
        ) from None
    if not isinstance(data, dict):
        raise FrameworkError(
            f"{source}: expected a mapping with 'name' and 'areas' at the top, "
            "as in data/competencies.yaml"
        )
    try:
        return validate(Framework, data)
    except InvalidInput as exc:
        raise FrameworkError(f"{source}: " + "; ".join(exc.problems)) from None


GUIDANCE_FILE = DATA_DIR / "guidance.yaml"


def load_guidance(path: Path | str = GUIDANCE_FILE) -> dict[str, str]:
    """The guidance text each app opens with, by app key (e.g. '01_self_assessment')."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FrameworkError(f"{path}: cannot be read as guidance text ({exc})") from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise FrameworkError(f"{path}: expected 'app key: text' entries, as shipped in data/")
    return {key: unwrapped(value) for key, value in data.items()}


def unwrapped(text: str) -> str:
    """Plain text with each paragraph on one line (paragraphs apart by a blank line), as a
    text box shows it best; pages show it the same either way (`ui.html.paragraphs`)."""
    blocks = (" ".join(block.split()) for block in text.split("\n\n"))
    return "\n\n".join(block for block in blocks if block)


EXPERTISE_SYNONYMS = DATA_DIR / "expertise_synonyms.yaml"

#: The longest term the synonyms file may list.
MAX_SYNONYM_CHARS = 80


def load_expertise_synonyms(path: Path | str = EXPERTISE_SYNONYMS) -> dict[str, str]:
    """Other words for competencies and areas, as {term as written: competency or area id}.

    The file maps each id to a list of terms (see data/expertise_synonyms.yaml); a term may
    appear under one id only. `FrameworkError` names the file and the entry when it is not
    in that form. Whether an id exists is checked against each workshop's framework when a
    roster is read, so one file serves an edited framework too.
    """
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FRAMEWORK_BYTES:
            raise FrameworkError(f"{path}: the file is larger than 1 MB; is it the right file?")
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise FrameworkError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        raise FrameworkError(f"{path}: cannot be read as expertise synonyms ({exc})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrameworkError(
            f"{path}: expected 'id: [terms]' entries, as in data/expertise_synonyms.yaml"
        )
    synonyms: dict[str, str] = {}
    first_id: dict[str, str] = {}
    for target, terms in data.items():
        if not isinstance(target, str) or not _ID.fullmatch(target):
            raise FrameworkError(
                f"{path}: '{target}' is not a competency or area id (lowercase letters and "
                "digits joined by dashes, like public-speaking)"
            )
        if not isinstance(terms, list) or not all(
            isinstance(term, str) and 0 < len(term.strip()) <= MAX_SYNONYM_CHARS for term in terms
        ):
            raise FrameworkError(
                f"{path}: under '{target}', expected a list of terms of 1 to "
                f"{MAX_SYNONYM_CHARS} characters"
            )
        for term in terms:
            key = " ".join(term.casefold().split())
            if key in first_id:
                raise FrameworkError(
                    f"{path}: the term '{term.strip()}' is listed under both "
                    f"'{first_id[key]}' and '{target}'; keep it under one id"
                )
            first_id[key] = target
            synonyms[term.strip()] = target
    return synonyms

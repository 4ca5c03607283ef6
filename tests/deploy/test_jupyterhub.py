"""mentorkit behind JupyterHub: the hub's user is the participant, every kernel shares one
store, the facilitator (with the hub's admin page) sees everyone's progress, and nobody sees
anyone else's answers."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from traitlets.config import Config, PyFileConfigLoader

HUB_CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "jupyterhub" / "jupyterhub_config.py"

SELF_ASSESSMENT = "voila/render/01_self_assessment.ipynb"
DASHBOARD = "voila/render/facilitator/dashboard.ipynb"
CAREER_GOAL = "Career goal (1–3 years)"
PARTICIPANTS = ["ada", "ben"]
#: Signing in starts a single-user server, then Voilà starts a kernel: slow on 2 busy cores.
SPAWN_TIMEOUT_MS = 180_000
LOAD_TIMEOUT_MS = 120_000
WAIT_MS = 60_000


def load_hub_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> Config:
    """The configuration jupyterhub_config.py builds from these environment variables."""
    for name in list(os.environ):
        if name.startswith("MENTORKIT_HUB_") or name == "MENTORKIT_WORKSHOP":
            monkeypatch.delenv(name)
    monkeypatch.setenv("MENTORKIT_HUB_DATA", str(tmp_path / "state"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MENTORKIT_DB", raising=False)
    return PyFileConfigLoader(HUB_CONFIG.name, path=str(HUB_CONFIG.parent)).load_config()


def test_the_config_sends_every_participant_to_the_apps_with_one_shared_store(
    monkeypatch, tmp_path
):
    database = "postgresql+psycopg://mentorkit:secret@db.example.org/workshop"
    config = load_hub_config(
        monkeypatch,
        tmp_path,
        MENTORKIT_HUB_ADMIN_DB=database,
        MENTORKIT_WORKSHOP="ABCD-EFGH",
        MENTORKIT_HUB_ADMINS="it-support",
        MENTORKIT_HUB_FACILITATORS="facilitator, co-facilitator",
        MENTORKIT_HUB_ALLOWED_USERS="ada,ben",
    )
    assert config.JupyterHub.bind_url == "http://127.0.0.1:8000/"
    spawner = config.Spawner
    landing = Path(spawner.notebook_dir) / spawner.default_url.removeprefix("/voila/render/")
    assert landing.name == "index.ipynb" and landing.is_file()
    # Only the hub has the administrative URL: each server gets its own role's URL when
    # it starts (pre_spawn_hook), never this one.
    assert "MENTORKIT_DB" not in spawner.environment
    assert database not in repr(dict(spawner.environment)) and "secret" not in repr(spawner.args)
    assert callable(spawner.pre_spawn_hook)
    assert any(
        arg.startswith("--config=") and arg.endswith("singleuser_config.py") for arg in spawner.args
    )
    assert spawner.environment["MENTORKIT_WORKSHOP"] == "ABCD-EFGH"
    template = (
        Path(spawner.environment["JUPYTER_PATH"].split(os.pathsep)[0]) / "voila/templates/mentorkit"
    )
    assert (template / "conf.json").is_file()
    assert "--VoilaConfiguration.template=mentorkit" in spawner.args
    assert config.Authenticator.admin_users == {"it-support"}
    [role] = config.JupyterHub.load_roles
    assert role["users"] == ["co-facilitator", "facilitator"]
    assert "admin-ui" in role["scopes"]
    assert not any(scope.startswith("access:") for scope in role["scopes"])
    assert config.Authenticator.allowed_users == {"ada", "ben", "facilitator", "co-facilitator"}
    assert config.JupyterHub.db_url.startswith(f"sqlite:///{tmp_path / 'state'}")


def test_the_config_refuses_to_start_without_the_shared_database(monkeypatch, tmp_path):
    with pytest.raises(SystemExit, match="set MENTORKIT_HUB_ADMIN_DB"):
        load_hub_config(monkeypatch, tmp_path)


def test_the_config_refuses_a_database_without_roles_and_row_level_security(monkeypatch, tmp_path):
    with pytest.raises(SystemExit, match="must be a PostgreSQL URL"):
        load_hub_config(monkeypatch, tmp_path, MENTORKIT_HUB_ADMIN_DB="sqlite:///x.db")


def test_the_config_refuses_the_dummy_authenticator_beyond_this_machine(monkeypatch, tmp_path):
    with pytest.raises(SystemExit, match=r"for tests on 127\.0\.0\.1 only"):
        load_hub_config(
            monkeypatch,
            tmp_path,
            MENTORKIT_HUB_ADMIN_DB="postgresql://db.example.org/workshop",
            MENTORKIT_HUB_IP="0.0.0.0",
            MENTORKIT_HUB_AUTHENTICATOR="dummy",
        )


def start_sign_in(context: BrowserContext, hub, user: str) -> Page:
    """Sign in to the hub as `user` (the dummy authenticator takes any password); the hub
    then starts their server and sends them to their default page."""
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login", timeout=LOAD_TIMEOUT_MS)
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill("any password")
    page.get_by_role("button", name="Sign in").click()
    return page


def lands_on_the_gallery(page: Page, hub, user: str) -> None:
    """After signing in the participant is on the Voilà landing page, not in Jupyter."""
    page.wait_for_url(hub.user_url(user, "voila/render/index.ipynb"), timeout=SPAWN_TIMEOUT_MS)
    expect(page.get_by_role("link", name="Self-assessment")).to_be_visible(timeout=LOAD_TIMEOUT_MS)


def open_worksheet(page: Page, hub, user: str, workshop) -> None:
    """Open the self-assessment on the user's own server; the hub user signs them in.
    `?join=` names the workshop, as the shared test database may hold others."""
    page.goto(
        hub.user_url(user, f"{SELF_ASSESSMENT}?join={workshop.join_code}"),
        timeout=LOAD_TIMEOUT_MS,
    )
    expect(page.locator(".mentorkit-who")).to_contain_text(
        f"Signed in as {user}", timeout=LOAD_TIMEOUT_MS
    )
    expect(page.get_by_label("Join code")).to_have_count(0)
    expect(page.get_by_label("Resume code")).to_have_count(0)


@pytest.mark.browser
@pytest.mark.timeout(900)
def test_participants_work_as_their_hub_user_and_the_facilitator_sees_both_not_their_answers(
    browser, hub, hub_workshop
):
    secrets = {user: f"{user}'s private goal {uuid.uuid4().hex}" for user in PARTICIPANTS}
    contexts = {user: browser.new_context() for user in [*PARTICIPANTS, hub.facilitator]}
    try:
        # Both sign in at once, as a workshop does; each server starts on its own.
        pages = {user: start_sign_in(contexts[user], hub, user) for user in PARTICIPANTS}
        for user, page in pages.items():
            lands_on_the_gallery(page, hub, user)
        for user, page in pages.items():
            open_worksheet(page, hub, user, hub_workshop)
            page.get_by_label(CAREER_GOAL).fill(secrets[user])
            expect(page.locator(".mentorkit-save-saved")).to_be_visible(timeout=WAIT_MS)

        # The facilitator has the hub's admin page, listing both participants; a participant
        # has not.
        facilitator = start_sign_in(contexts[hub.facilitator], hub, hub.facilitator)
        lands_on_the_gallery(facilitator, hub, hub.facilitator)
        response = facilitator.goto(f"{hub.url}/hub/admin", timeout=LOAD_TIMEOUT_MS)
        assert response is not None and response.status == 200
        for user in PARTICIPANTS:
            expect(facilitator.get_by_text(user, exact=True).first).to_be_visible(timeout=WAIT_MS)
        response = pages["ada"].goto(f"{hub.url}/hub/admin", timeout=LOAD_TIMEOUT_MS)
        assert response is not None and response.status == 403

        # The facilitator cannot open a participant's server (where the apps would sign
        # them in as that participant).
        response = facilitator.goto(hub.user_url("ada", SELF_ASSESSMENT), timeout=LOAD_TIMEOUT_MS)
        assert response is not None and response.status == 403
        assert secrets["ada"] not in facilitator.content()

        # The facilitator's dashboard, on their own server, sees both participants' progress
        # and none of what they wrote.
        facilitator.goto(
            hub.user_url(hub.facilitator, f"{DASHBOARD}?join={hub_workshop.join_code}"),
            timeout=LOAD_TIMEOUT_MS,
        )
        facilitator.get_by_label("Facilitator key").fill(hub_workshop.facilitator_key)
        facilitator.get_by_role("button", name="Sign in").click()
        roster = facilitator.locator(".mentorkit-roster")
        expect(roster).to_be_visible(timeout=WAIT_MS)
        expect(roster.locator("tbody tr")).to_have_count(len(PARTICIPANTS))
        for user in PARTICIPANTS:
            row = roster.locator("tbody tr", has=facilitator.get_by_role("rowheader", name=user))
            expect(row).to_contain_text("started")
        for secret in secrets.values():
            assert secret not in facilitator.content()

        # Each participant comes back (a new kernel) to their own answer and only theirs,
        # and cannot open the other's server.
        for user, other in zip(PARTICIPANTS, reversed(PARTICIPANTS), strict=True):
            page = pages[user]
            open_worksheet(page, hub, user, hub_workshop)
            expect(page.get_by_label(CAREER_GOAL)).to_have_value(secrets[user], timeout=WAIT_MS)
            assert secrets[other] not in page.content()
            response = page.goto(hub.user_url(other, SELF_ASSESSMENT), timeout=LOAD_TIMEOUT_MS)
            assert response is not None and response.status == 403
            assert secrets[other] not in page.content()
    finally:
        for context in contexts.values():
            for page in context.pages:
                page.close(run_before_unload=True)
            context.close()

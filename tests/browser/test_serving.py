"""What `mentorkit serve` (and `voila notebooks/` from the repository root) serves: the
gallery and sign-in page (rendered by the server itself) and the apps, nothing else;
nothing from any other host; a token when asked."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_helpers import LOAD_TIMEOUT_MS, open_app, start_logged, watch_console
from person import Person
from playwright.sync_api import Page, WebSocket, expect

from mentorkit.apps import APPS
from mentorkit.cli import build_parser, serve_command, serve_env
from mentorkit.jupyter.pages import server_link
from mentorkit.testing import free_port, stop_process_group
from mentorkit.workshops import DEMO_NAME

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.prefix) / "bin"
#: The gallery, which the server renders itself, and the notebook gallery's old address.
GALLERY = "/"
NOTEBOOK_GALLERY = "/voila/render/index.ipynb"
PARTICIPANT_APPS = [a for a in APPS if a.audience == "participant"]
FACILITATOR_APPS = [a for a in APPS if a.audience == "facilitator"]
#: Text only the raw files hold: a roster line, notebook sources, the Voilà configuration.
MENTORS_CSV = (ROOT / "data" / "mentors.csv").read_text(encoding="utf-8").splitlines()
SECRETS = [
    MENTORS_CSV[0],
    MENTORS_CSV[1].split(",")[1],  # the first mentor's email
    "from mentorkit.ui.landing import landing_page",
    '"nbformat"',
    "identity_provider_class",
]
#: File names that would mean a listing leaked (the 404 page links to the gallery only).
LISTED = [Path(a.notebook).name for a in APPS]
#: Every way in we could think of to reach a file that is not an app.
NOT_APPS = [
    "/voila/files/data/mentors.csv",
    "/voila/files/index.ipynb",
    "/voila/files/01_self_assessment.ipynb",
    "/voila/files/facilitator/dashboard.ipynb",
    "/voila/files/../data/mentors.csv",
    "/voila/files/%2e%2e/data/mentors.csv",
    "/voila/files/../voila.json",
    "/voila/render/../data/mentors.csv",
    "/voila/render/%2e%2e/data/mentors.csv",
    "/voila/render/..%2fdata%2fmentors.csv",
    "/voila/render/../../data/mentors.csv",
    "/voila/render/../voila.json",
    "/voila/render/facilitator",
    "/voila/render/.ipynb_checkpoints/index-checkpoint.ipynb",
    "/voila/render/no_such_app.ipynb",
    "/voila/api/contents",
    "/voila/api/contents/",
    "/voila/api/contents/index.ipynb?content=1",
    "/voila/api/contents/facilitator",
    "/voila/static/" + "../" * 7 + "data/mentors.csv",
    "/voila/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/data/mentors.csv",
    "/voila/templates/mentorkit/static/../../../../data/mentors.csv",
    "/voila/labextensions/../../../../../../data/mentors.csv",
    "/files/data/mentors.csv",
    "/data/mentors.csv",
    "/notebooks/index.ipynb",
    "/api/contents",
    "/tree",
    "/lab",
]
#: Listings, and the notebook gallery's address: each sends the browser to the gallery.
LISTINGS = [
    "/voila",
    "/voila/",
    "/voila/tree",
    "/voila/tree/",
    "/voila/tree/facilitator",
    "/voila/render/",
    NOTEBOOK_GALLERY,
]


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    body: str


def fetch(base_url: str, path: str) -> Answer:
    """GET `path` exactly as written ('..' and escapes included), without following
    redirects, as a script probing the server would."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        return Answer(response.status, response.getheader("Location") or "", body)
    finally:
        connection.close()


def assert_no_file_content(answer: Answer) -> None:
    for secret in SECRETS:
        assert secret not in answer.body, secret
    for name in LISTED:
        assert name not in answer.body, name


# ---------------------------------------------------------------------------------------
# The gallery


def test_the_gallery_lists_every_app_in_journey_order_with_the_workshop_name(
    page: Page, person: Person, served_demo
):
    errors = watch_console(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{served_demo.base_url}{GALLERY}", timeout=LOAD_TIMEOUT_MS)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Workshop: {DEMO_NAME}")
    cards = page.locator(".mentorkit-gallery-card")
    expect(cards).to_have_count(len(APPS))
    # Participants' worksheets in the order of the journey, then the facilitators' apps.
    for index, app in enumerate([*PARTICIPANT_APPS, *FACILITATOR_APPS]):
        card = cards.nth(index)
        expect(card.get_by_role("heading", level=3)).to_have_text(app.title)
        expect(card).to_contain_text(app.summary)
        link = card.get_by_role("link", name=app.title)
        expect(link).to_have_attribute("href", server_link(app))
    for number, _ in enumerate(PARTICIPANT_APPS, start=1):
        expect(cards.nth(number - 1)).to_contain_text(f"Step {number}")
    # No source code, no listing chrome.
    assert "landing_page" not in page.content()
    person.shot("gallery", whole=True)
    page.set_viewport_size({"width": 390, "height": 844})
    # One column on a phone: the cards are stacked, none wider than the window (the
    # layout may take a moment to follow the new window size on a busy machine).
    page.wait_for_function(
        "document.querySelector('.mentorkit-gallery-card').getBoundingClientRect().right <= 390",
        timeout=30_000,
    )
    boxes = [cards.nth(i).bounding_box() for i in range(2)]
    assert boxes[0] and boxes[1] and boxes[1]["y"] > boxes[0]["y"]
    assert boxes[0]["x"] >= 0 and boxes[0]["x"] + boxes[0]["width"] <= 390
    person.shot("gallery-phone", whole=True)
    assert errors == [], errors


def test_a_step_card_opens_its_sign_in_page_and_a_facilitator_card_its_app(
    page: Page, person: Person, served_demo
):
    page.goto(f"{served_demo.base_url}{GALLERY}", timeout=LOAD_TIMEOUT_MS)
    first = PARTICIPANT_APPS[0]
    person.click(person.link(first.title))
    page.wait_for_url(f"**/start?step={Path(first.notebook).stem}", timeout=LOAD_TIMEOUT_MS)
    expect(page.get_by_role("heading", level=1)).to_have_text(first.title, timeout=LOAD_TIMEOUT_MS)
    page.go_back(timeout=LOAD_TIMEOUT_MS)
    dashboard = FACILITATOR_APPS[0]
    person.click(person.link(dashboard.title))
    page.wait_for_url(f"**/voila/render/{dashboard.notebook}", timeout=LOAD_TIMEOUT_MS)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        dashboard.title, timeout=LOAD_TIMEOUT_MS
    )


# ---------------------------------------------------------------------------------------
# Nothing but the apps


@pytest.mark.parametrize("path", LISTINGS)
def test_a_listing_sends_the_browser_to_the_gallery(served_demo, path):
    answer = fetch(served_demo.base_url, path)
    assert answer.status == 302, answer
    assert urlsplit(answer.location).path == GALLERY
    assert_no_file_content(answer)


@pytest.mark.parametrize("path", NOT_APPS)
def test_nothing_but_the_apps_is_served(served_demo, path):
    answer = fetch(served_demo.base_url, path)
    assert answer.status in {400, 403, 404, 500}, answer
    assert_no_file_content(answer)


def test_the_token_in_an_old_gallery_link_is_kept_through_the_redirect(served_demo):
    answer = fetch(served_demo.base_url, f"{NOTEBOOK_GALLERY}?token=abc")
    assert answer.status == 302
    assert answer.location.endswith("/?token=abc")
    assert urlsplit(answer.location).path == GALLERY


# ---------------------------------------------------------------------------------------
# Offline: every request stays on the server


def test_the_pages_request_nothing_from_any_other_host_and_log_no_errors(page: Page, served_demo):
    origin = served_demo.base_url
    requests: list[str] = []
    sockets: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    def record_socket(socket: WebSocket) -> None:
        sockets.append(socket.url)

    page.on("websocket", record_socket)
    errors = watch_console(page)
    page.goto(f"{origin}{GALLERY}", timeout=LOAD_TIMEOUT_MS)
    page.goto(f"{origin}/start", timeout=LOAD_TIMEOUT_MS)
    for notebook in [app.notebook for app in APPS]:
        open_app(page, origin, notebook)
        # Let what the page starts after its first widget (themes, late scripts) go out too.
        page.wait_for_load_state("load")
        page.wait_for_timeout(500)
    ws_origin = origin.replace("http://", "ws://", 1)
    foreign = [
        url for url in requests if not url.startswith((f"{origin}/", "data:", "blob:", "about:"))
    ]
    assert foreign == []
    assert sockets and all(url.startswith(f"{ws_origin}/") for url in sockets), sockets
    assert len(requests) > 10  # the recording saw the pages' own requests
    assert errors == [], errors


# ---------------------------------------------------------------------------------------
# Servers of our own: with a token, and plain `voila notebooks/`


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text()


def start_server(command: list[str], env: dict[str, str], folder: Path, port: int) -> Server:
    """Start a server in its own session and wait until its static files answer."""
    log = folder / "server.log"
    process = start_logged(command, env, log)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited:\n{server.output()}")
        try:
            if fetch(server.base_url, "/voila/static/voila.js").status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(server)
    raise AssertionError(f"the server did not answer within 120 s:\n{server.output()}")


def stop_server(server: Server) -> None:
    stop_process_group(server.process)


def descendants(root: int) -> list[int]:
    """The ids of a process and everything it started (Linux /proc; kernels run in
    sessions of their own, so the session does not find them)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            status = read_proc(int(entry.name), "status").decode(errors="replace")
            found = re.search(r"^PPid:\s+(\d+)", status, re.MULTILINE)
            if found:
                parents[int(entry.name)] = int(found[1])
    family = [root]
    for pid in family:
        family.extend(child for child, parent in parents.items() if parent == pid)
    return family


def read_proc(pid: int, name: str) -> bytes:
    try:
        return (Path("/proc") / str(pid) / name).read_bytes()
    except OSError:
        return b""


TOKEN = "workshop-token-5f3a"


@pytest.fixture(scope="module")
def token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`mentorkit serve` with a token, on a free port with a throw-away, empty database.

    The token comes from MENTORKIT_TOKEN, the default of `--token`, so that no command
    line of the whole server holds it (see the test below); `--token` itself only sets
    the same value (test_the_token_flag_...)."""
    folder = tmp_path_factory.mktemp("token")
    port = free_port()
    database = f"sqlite:///{folder / 'token.db'}"
    command = [str(BIN / "mentorkit"), "--db", database, "serve", "--port", str(port)]
    server = start_server(command, {**os.environ, "MENTORKIT_TOKEN": TOKEN}, folder, port)
    try:
        yield server
    finally:
        stop_server(server)


def test_with_a_token_a_request_without_it_is_refused(token_server):
    paths = [
        GALLERY,
        f"{GALLERY}?token=wrong",
        "/start?step=01_self_assessment",
        f"/voila/render/{APPS[0].notebook}",
    ]
    for path in paths:
        answer = fetch(token_server.base_url, path)
        assert answer.status in {302, 401, 403}, (path, answer)
        if answer.status == 302:
            assert urlsplit(answer.location).path == "/login", answer
        assert "jupyter-config-data" not in answer.body  # no page, no kernel
        assert "Workshop" not in answer.body and "Join code" not in answer.body
    # The old gallery address leads to the gallery, which asks for the token in turn.
    old = fetch(token_server.base_url, NOTEBOOK_GALLERY)
    assert urlsplit(old.location).path == GALLERY
    # A sign-in without the token is refused before it is read.
    parts = urlsplit(token_server.base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        body = "step=01_self_assessment&action=join&join=ABCD-EFGH&who=Ada"
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        connection.request("POST", "/start", body=body, headers=headers)
        assert connection.getresponse().status == 403
    finally:
        connection.close()


def test_with_a_token_the_link_carrying_it_serves_the_gallery(token_server):
    assert f"http://127.0.0.1:{urlsplit(token_server.base_url).port}/?token={TOKEN}" in (
        token_server.output()
    )
    answer = fetch(token_server.base_url, f"{GALLERY}?token={TOKEN}")
    assert answer.status == 200
    assert "<h1>Workshop apps</h1>" in answer.body  # an empty database: what to do
    assert "open Workshop setup" in answer.body
    assert "jupyter-config-data" not in answer.body  # the server's own page, no kernel
    # The token opens the apps, not the files.
    assert fetch(token_server.base_url, f"/voila/files/index.ipynb?token={TOKEN}").status == 404


def test_with_a_token_a_person_sees_the_login_form_without_it_and_the_gallery_with_it(
    page: Page, token_server
):
    page.goto(f"{token_server.base_url}/", timeout=LOAD_TIMEOUT_MS)
    assert urlsplit(page.url).path == "/login"
    expect(page.locator(".mentorkit-gallery")).to_have_count(0)
    page.goto(f"{token_server.base_url}/?token={TOKEN}", timeout=LOAD_TIMEOUT_MS)
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshop apps")
    # The login cookie the token left opens the sign-in page too.
    page.goto(f"{token_server.base_url}/start", timeout=LOAD_TIMEOUT_MS)
    expect(page.get_by_label("Join code")).to_be_visible()


def test_the_token_is_on_no_command_line_and_not_handed_on_to_kernels(token_server):
    fetch(token_server.base_url, f"/voila/render/{APPS[0].notebook}?token={TOKEN}")  # a kernel
    pids = descendants(token_server.process.pid)
    commands = {pid: read_proc(pid, "cmdline") for pid in pids}
    kernels = [pid for pid, cmd in commands.items() if b"ipykernel" in cmd]
    assert any(b"mentorkit.jupyter.launch" in cmd for cmd in commands.values()), commands
    assert kernels, commands
    for cmd in commands.values():
        assert TOKEN.encode() not in cmd, cmd
    # The hand-over variable is gone before kernels start. (Voilà does give each kernel
    # the URL that opened it, ?token= included, as only the server's own user can read.)
    for pid in kernels:
        assert b"MENTORKIT_TOKEN=" not in read_proc(pid, "environ")


def request_with_cookies(base_url: str, path: str, cookie: str = "") -> http.client.HTTPResponse:
    """GET `path` sending `cookie`; the response, read."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def test_of_a_visitors_cookies_only_the_resume_code_reaches_a_kernel(token_server):
    """The login cookie and `_xsrf` never reach a kernel; the resume code cookie does.

    `?theme=dark` asks for a page the pre-heated kernels were not rendered for, so Voilà
    starts a kernel for this request with the request's details in its environment,
    where /proc shows them (a pre-heated kernel receives them over a socket instead)."""
    answer = request_with_cookies(token_server.base_url, f"{GALLERY}?token={TOKEN}")
    assert answer.status == 200
    login = next(
        c.split(";")[0] for c in answer.headers.get_all("Set-Cookie") or [] if "username" in c
    )
    xsrf = "_xsrf=2|5f3a|xsrf-secret-9c41|1700000000"
    code = "7KQM-2XPA-H9RD-4TZB"
    page = f"/voila/render/{APPS[1].notebook}?theme=dark"
    cookie = f"{login}; {xsrf}; mentorkit_resume={code}"
    assert request_with_cookies(token_server.base_url, page, cookie).status == 200
    kernels = [
        pid
        for pid in descendants(token_server.process.pid)
        if b"ipykernel" in read_proc(pid, "cmdline")
    ]
    environments = [read_proc(pid, "environ") for pid in kernels]
    assert any(f"HTTP_X_MENTORKIT_RESUME={code}".encode() in env for env in environments)
    login_value = login.split("=", 1)[1].encode()
    for env in environments:
        assert b"xsrf-secret-9c41" not in env and login_value not in env
        assert b"HTTP_COOKIE" not in env


def test_the_token_flag_reaches_the_server_as_the_environment_does(monkeypatch):
    monkeypatch.delenv("MENTORKIT_TOKEN", raising=False)
    args = build_parser().parse_args(["serve", "--token", TOKEN])
    assert serve_env("sqlite://", args.token)["MENTORKIT_TOKEN"] == TOKEN
    assert TOKEN not in " ".join(serve_command(args.host, args.port))
    assert "MENTORKIT_TOKEN" not in serve_env(
        "sqlite://", build_parser().parse_args(["serve"]).token
    )
    monkeypatch.setenv("MENTORKIT_TOKEN", TOKEN)
    assert build_parser().parse_args(["serve"]).token == TOKEN


def test_plain_voila_from_the_repository_root_serves_like_mentorkit_serve(tmp_path, served_demo):
    """`voila notebooks/` in the repository reads voila.json: same routes, same template."""
    port = free_port()
    env = {
        **os.environ,
        "MENTORKIT_DB": served_demo.database_url,
        "JUPYTER_PATH": "mentorkit/jupyter",
    }
    command = [str(BIN / "voila"), "notebooks/", f"--port={port}", "--no-browser"]
    server = start_server(command, env, tmp_path, port)
    try:
        gallery = fetch(server.base_url, GALLERY)
        assert gallery.status == 200 and f"Workshop: {DEMO_NAME}" in gallery.body
        assert urlsplit(fetch(server.base_url, "/voila/tree").location).path == GALLERY
        assert urlsplit(fetch(server.base_url, NOTEBOOK_GALLERY).location).path == GALLERY
        for path in ["/voila/files/index.ipynb", "/voila/render/../data/mentors.csv"]:
            answer = fetch(server.base_url, path)
            assert answer.status == 404, (path, answer)
            assert_no_file_content(answer)
        app = fetch(server.base_url, f"/voila/render/{APPS[0].notebook}")
        assert app.status == 200
        assert "jupyter-config-data" in app.body
        assert "self_assessment_app" not in app.body  # sources stripped
        # mentorkit's template: no icon font or any other script from a CDN
        assert not re.search(r"""(?:href|src)=["']https?://""", app.body)
        assert "cdn.jsdelivr.net" not in app.body
    finally:
        stop_server(server)

"""A hostile visitor's page against the widget channel of `mentorkit serve`, for real.

The server is `mentorkit --db URL serve` on a demo workshop. Each test opens a worksheet
in Chromium with a participant's personal link, then does what anyone holding the page
can do from its developer console: send messages through the page's own kernel
connection (the widget manager Voilà keeps at `window.jupyterapp`). What the kernel made
of them is read back the way ipywidgets' own page does when it loads: through the
`jupyter.widget.control` channel, which returns the kernel's state of every widget. The
kernel's memory is read from its process; the participant's data from the database.

* 200 new widgets of 512 kB each opened by the page: refused; the kernel keeps no new
  widget or comm, and its memory stays flat.
* Read-only, presentation and state traits sent by the page (`_options_labels`,
  `description`, `disabled`, a layout's `display`): the kernel's widget is unchanged,
  while a choice a person makes in the same message is taken.
* The hidden "Delete all my data now" clicked without "Delete my data": nothing is
  deleted. The two steps taken in the page still delete everything.
* The Workshop setup app's "Delete this workshop", disabled until the workshop's name is
  typed, clicked from the page, and clicked again with another name set by a crafted
  message: nothing is deleted. Typing the name in the page still deletes it.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from mentorkit.cli import ROOT
from mentorkit.identity import sign_in
from mentorkit.models import SelfAssessment
from mentorkit.store import DocumentKey, open_store
from mentorkit.testing import ServedProcess, free_port
from mentorkit.workshops import create_workshop

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 120_000
#: What the flood sends: enough to show, well under a websocket's message size limit.
FLOOD_WIDGETS = 200
FLOOD_VALUE_BYTES = 512 * 1024
#: Growth of a kernel's memory that is still "flat": what handling the flood's messages
#: may leave behind (the allocator keeps some of the 100 MB it received: up to 36 MB seen
#: in CI). Keeping the flood's widgets would take more than 100 MB.
FLAT_MB = 60


def load_person() -> ModuleType:
    """tests/browser/person.py, the person-like driver, for the legitimate clicks."""
    path = ROOT / "tests" / "browser" / "person.py"
    spec = importlib.util.spec_from_file_location("mentorkit_widget_attacks_person", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class Served(ServedProcess):
    """The server of this module, with its demo workshop's join code (which is also the
    workshop's code in the database) and its database."""

    join_code: str = ""
    database_url: str = ""

    def participant(self) -> tuple[str, str]:
        """A new participant of the demo workshop: (id, resume code)."""
        store = open_store(self.database_url)
        try:
            identity = sign_in(store, self.join_code, f"Wren Tester {uuid.uuid4().hex[:8]}")
            return identity.participant.id, identity.new_resume_code
        finally:
            store.close()

    def rss_mb(self, kernel_id: str) -> float:
        """The resident memory of the kernel `kernel_id`, in MB."""
        return self.kernels()[kernel_id].memory_info().rss / 1e6


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`mentorkit serve` on a demo workshop of its own."""
    folder = tmp_path_factory.mktemp("widget-attacks")
    database_url = f"sqlite:///{folder / 'demo.db'}"
    cli = [sys.executable, "-m", "mentorkit.cli", "--db", database_url]
    demo = subprocess.run([*cli, "demo"], check=True, capture_output=True, text=True, cwd=ROOT)
    join_code = re.search(r"Join code:\s+(\S+)", demo.stdout)
    assert join_code, demo.stdout
    port = free_port()
    log = folder / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*cli, "serve", "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Served(
        f"http://127.0.0.1:{port}", process, log, join_code=join_code[1], database_url=database_url
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the server did not answer within 120 s"
            try:
                with urllib.request.urlopen(server.base_url + "/", timeout=30):
                    break
            except urllib.error.HTTPError:
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        yield server
    finally:
        server.stop()


def open_worksheet(page: Page, served: Served, notebook: str, resume_code: str) -> str:
    """Open a worksheet with a personal link; returns its kernel's id once every widget
    is in the page."""
    page.goto(f"{served.url(notebook)}?resume={resume_code}", timeout=LOAD_TIMEOUT_MS)
    expect(page.locator(".mentorkit-who")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    return page.evaluate(
        "async () => (await window.jupyterapp.widgetManagerPromise.promise).kernel.id"
    )


#: Helpers the attacks run in the page: its widget manager, its kernel connection.
PAGE_HELPERS = """
const manager = await window.jupyterapp.widgetManagerPromise.promise;
const kernel = manager.kernel;
async function models() {
  const found = [];
  for (const id of Object.keys(manager._models)) {
    found.push(await manager._models[id]);
  }
  return found;
}
async function byDescription(description) {
  return (await models()).filter((m) => m.get("description") === description);
}
// The kernel's state of every widget, as ipywidgets' page asks for it when it loads.
async function kernelStates() {
  const control = kernel.createComm("jupyter.widget.control");
  const states = new Promise((resolve) => {
    control.onMsg = (msg) => resolve(msg.content.data.states);
  });
  control.open({}, { version: "1.0.0" });
  control.send({ method: "request_states" }, {});
  const received = await states;
  control.close();
  return received;
}
// Every widget comm open in the kernel; answered after every message sent before it.
async function kernelComms() {
  const reply = await kernel.requestCommInfo({ target_name: "jupyter.widget" });
  return Object.keys(reply.content.comms);
}
"""


def in_page(page: Page, body: str, argument: Any = None) -> Any:
    """Run `body` (JavaScript, with PAGE_HELPERS and `argument` in scope) in the page."""
    return page.evaluate(f"async (argument) => {{ {PAGE_HELPERS}\n{body} }}", argument)


FLOOD_SCRIPT = """
const value = "x".repeat(argument.bytes);
const opened = [];
for (let i = 0; i < argument.count; i++) {
  const comm = kernel.createComm("jupyter.widget");
  comm.open(
    {
      state: {
        _model_module: "@jupyter-widgets/controls",
        _model_module_version: "2.0.0",
        _model_name: "TextModel",
        _view_module: "@jupyter-widgets/controls",
        _view_module_version: "2.0.0",
        _view_name: "TextView",
        value: value,
      },
      buffer_paths: [],
    },
    { version: "2.1.0" }
  );
  opened.push(comm.commId);
}
await kernelComms();  // answered once every message before it is handled
return opened;
"""


def settled_rss_mb(served: Served, kernel_id: str) -> float:
    """The kernel's memory once it stops changing (the page's last requests handled)."""
    last = served.rss_mb(kernel_id)
    for _ in range(20):
        time.sleep(0.5)
        now = served.rss_mb(kernel_id)
        if abs(now - last) < 1:
            return now
        last = now
    return last


def test_widgets_opened_by_the_page_are_refused_and_the_kernel_stays_flat(page, served):
    _participant, code = served.participant()
    kernel_id = open_worksheet(page, served, "06_my_plan.ipynb", code)
    comms_before = in_page(page, "return await kernelComms();")
    # A few first, so that what handling such messages takes at all is in the baseline.
    warm_up = {"count": FLOOD_WIDGETS // 10, "bytes": FLOOD_VALUE_BYTES}
    in_page(page, FLOOD_SCRIPT, warm_up)
    rss_before = settled_rss_mb(served, kernel_id)

    opened = in_page(page, FLOOD_SCRIPT, {"count": FLOOD_WIDGETS, "bytes": FLOOD_VALUE_BYTES})
    comms_after = in_page(page, "return await kernelComms();")
    rss_after = settled_rss_mb(served, kernel_id)
    print(
        f"kernel memory {rss_before:.0f} MB -> {rss_after:.0f} MB after {FLOOD_WIDGETS} "
        f"widgets of {FLOOD_VALUE_BYTES // 1024} kB opened by the page; "
        f"{len(comms_before)} -> {len(comms_after)} widget comms"
    )
    assert len(opened) == FLOOD_WIDGETS
    assert not set(opened) & set(comms_after), "a widget the page opened is kept"
    assert sorted(comms_after) == sorted(comms_before)
    assert rss_after - rss_before < FLAT_MB
    # The page still works: the kernel still answers its own widgets.
    states = in_page(page, "return await kernelStates();")
    assert set(comms_before) <= set(states)
    page.close(run_before_unload=True)


def test_the_page_cannot_change_labels_descriptions_or_what_is_disabled(page, served):
    _participant, code = served.participant()
    open_worksheet(page, served, "01_self_assessment.ipynb", code)
    result = in_page(
        page,
        """
        const dropdowns = (await models()).filter(
          (m) => m.get("_model_name") === "DropdownModel" && m.get("_options_labels").length > 2
        );
        const target = dropdowns[0];
        const labels = target.get("_options_labels");
        const layout = target.get("layout");
        const wanted = target.get("index") === 1 ? 2 : 1;
        target.comm.send(
          {
            method: "update",
            state: {
              _options_labels: labels.map(() => "Send your resume code to evil.example"),
              description: "Hacked",
              disabled: true,
              index: wanted,
            },
            buffer_paths: [],
          },
          {}
        );
        layout.comm.send({ method: "update", state: { display: "none" }, buffer_paths: [] }, {});
        await kernelComms();
        const states = await kernelStates();
        return {
          id: target.model_id,
          wanted: wanted,
          labels: labels,
          description: target.get("description"),
          layoutId: layout.model_id,
          kernel: states[target.model_id].state,
          kernelLayout: states[layout.model_id].state,
        };
        """,
    )
    kernel = result["kernel"]
    assert kernel["_options_labels"] == result["labels"]
    assert kernel["description"] == result["description"] != "Hacked"
    assert kernel["disabled"] is False
    assert result["kernelLayout"]["display"] != "none"
    assert kernel["index"] == result["wanted"], "a choice a person makes, sent with them, is taken"
    page.close(run_before_unload=True)


def test_delete_all_my_data_acts_only_after_delete_my_data_on_this_page(page, served):
    participant, code = served.participant()
    store = open_store(served.database_url)
    try:
        store.save(
            DocumentKey(served.join_code, participant, SelfAssessment.kind),
            SelfAssessment(career_goal="Lead a team"),
            expected_revision=0,
        )
        workshop = served.join_code
        open_worksheet(page, served, "06_my_plan.ipynb", code)

        # The hidden second step, clicked on its own, twice.
        in_page(
            page,
            """
            const [confirm] = await byDescription("Delete all my data now");
            for (let i = 0; i < 2; i++) {
              confirm.comm.send({ method: "custom", content: { event: "click" } }, {});
            }
            await kernelComms();
            """,
        )
        assert len(store.list(workshop, participant=participant)) == 1
        assert participant in {p.id for p in store.participants(workshop)}
        expect(page.get_by_text("Your data is deleted")).to_have_count(0)

        # A person's two steps still delete everything.
        person = load_person().Person(page, name="two-steps", reload_probability=0.0)
        person.click(person.button("Delete my data", exact=True))
        person.click(person.button("Delete all my data now", exact=True))
        expect(page.get_by_text("Your data is deleted")).to_be_visible(timeout=30_000)
        assert store.list(workshop, participant=participant) == []
        assert participant not in {p.id for p in store.participants(workshop)}
    finally:
        store.close()
        page.close(run_before_unload=True)


def test_delete_this_workshop_acts_only_once_its_name_is_typed_on_this_page(page, served):
    with open_store(served.database_url) as store:
        access = create_workshop(store, "Doomed Cohort")
    code = access.workshop.code
    page.goto(f"{served.url('facilitator/setup.ipynb')}?join={code}", timeout=LOAD_TIMEOUT_MS)
    person = load_person().Person(page, name="setup-delete", reload_probability=0.0)
    person.type("Facilitator key", access.facilitator_key)
    person.click(person.button("Sign in", exact=True))
    expect(page.get_by_role("heading", name="Delete the workshop")).to_be_attached(
        timeout=LOAD_TIMEOUT_MS
    )

    # The disabled button clicked from the page; then a wrong name set by a crafted update
    # with the click in the same breath.
    in_page(
        page,
        """
        const [button] = await byDescription("Delete this workshop");
        const [typed] = await byDescription("Type its name");
        button.comm.send({ method: "custom", content: { event: "click" } }, {});
        typed.comm.send({ method: "update", state: { value: "Doomed" }, buffer_paths: [] }, {});
        button.comm.send({ method: "update", state: { disabled: false }, buffer_paths: [] }, {});
        button.comm.send({ method: "custom", content: { event: "click" } }, {});
        await kernelComms();
        """,
    )
    with open_store(served.database_url) as store:
        assert code in {w.code for w in store.workshops()}
    expect(page.get_by_text("was deleted")).to_have_count(0)

    # The person's way still deletes it.
    person.clear("Type its name")
    person.type("Type its name", "Doomed Cohort")
    delete = person.button("Delete this workshop", exact=True)
    expect(delete).to_be_enabled(timeout=30_000)  # once the kernel has the name
    person.click(delete)
    expect(page.get_by_text("was deleted")).to_be_visible(timeout=30_000)
    with open_store(served.database_url) as store:
        assert code not in {w.code for w in store.workshops()}
    page.close(run_before_unload=True)

"""How long each app takes to become usable in a browser, against two bare Voilà pages.

Starts the apps exactly as `mentorkit serve` does (`mentorkit --db URL serve --port P`
after `mentorkit demo`, on a throw-away SQLite database), so whatever configuration
`mentorkit serve` passes to Voilà is what is measured. In the same run, as baselines, it
serves a bare notebook (a VBox with a Text, a Dropdown and a Button) twice:

* **same settings**: the very command and environment `mentorkit serve` would run (captured
  by running the CLI with its subprocess calls recorded), pointed at a folder holding only
  the bare notebook: same template, same Voilà configuration, same environment;
* **default Voilà**: `voila bare.ipynb --no-browser --port P`, from a folder with no
  configuration.

In headless Chromium every load runs in a fresh browser context. A script injected before
the page's own scripts records `performance.now()` (milliseconds since navigation start)
the first time the page is usable: for an app, a visible, enabled input, select, textarea
or button inside `.mentorkit-app`; for the gallery (index.ipynb), a visible link to an app;
for a returning participant (`?resume=CODE` of someone who has saved every worksheet), a
known saved value visible in the page (in an input, or in the plan's text). Before each load
the benchmark waits until the servers' processes are idle (a pre-heated kernel pool being
refilled, a closing kernel), so loads do not queue behind each other's leftovers; the pages
are visited round-robin so that a busy moment on the machine hits every page alike. The
first load of each server is a warm-up (Voilà compiles its templates): it is shown in the
table but left out of the medians.
Chromium resolves no host name but 127.0.0.1 and localhost, so a page that links a CDN
(default Voilà's icon font) fails that request at once, as offline, instead of waiting.

For each load it also records the resident memory (RSS, and USS: the memory only that
process holds) of the page's kernel, found by the kernel id the page carries. At the end it
prints one table of medians, minima and maxima with each page's ratio to both baselines and
whether it meets the targets (≤ 1.3 × the bare page under the same settings, ≤ 1.0 × the
bare page under default Voilà), and a table of memory: per kernel, for each app, and per
server (the Voilà server, the `mentorkit serve` wrapper, and kernels idling in a pool).

    python benchmarks/voila_tti.py [--loads 5] [--timeout 90]

Needs Playwright and psutil (the `test` extra) and Chromium at
/usr/bin/chromium (or MENTORKIT_CHROMIUM). Every server it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psutil
from playwright.sync_api import Browser, Page, sync_playwright

from mentorkit.testing import CHROMIUM, free_port, stop_process_group
from mentorkit.testing import CHROMIUM_ARGS as TEST_CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM_ARGS = [
    *TEST_CHROMIUM_ARGS,
    # Offline, and fast about it: any other host fails to resolve at once.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
]
VIEWPORT = {"width": 1280, "height": 800}
#: The environment the servers start from: no token (the pages are opened without one).
BENCH_ENV = {k: v for k, v in os.environ.items() if k != "MENTORKIT_TOKEN"}
SAME_TARGET = 1.3
DEFAULT_TARGET = 1.0
KERNEL_TARGET_MB = 200.0
MB = 1024 * 1024

#: A mark written into every saved worksheet of the returning participant; the page is
#: "showing their answers" once the mark is visible.
MARK = "Benchmark-mark-7Q2"

APP_SCOPE = ".mentorkit-app"
INPUTS = "input, select, textarea, button"

#: Runs in every page before its own scripts: sets `window.__mkReady` to `performance.now()`
#: (ms since navigation start) the first time the page passes its check, which runs on every
#: DOM change and every animation frame.
PROBE_JS = """
(() => {
  const config = %s;
  const visible = (el) => el.getClientRects().length > 0 &&
    (!el.checkVisibility || el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}));
  const usable = () => {
    for (const el of document.querySelectorAll(config.selector)) {
      if (!el.disabled && visible(el)) return true;
    }
    return false;
  };
  const showsMark = () => {
    const fields = document.querySelectorAll(`${config.scope} input, ${config.scope} textarea`);
    for (const el of fields) {
      if (el.value && el.value.includes(config.mark) && visible(el)) return true;
    }
    const app = document.querySelector(config.scope);
    return !!app && app.textContent.includes(config.mark) && app.innerText.includes(config.mark);
  };
  const check = config.mark ? showsMark : usable;
  const probe = () => {
    if (window.__mkReady !== undefined) return true;
    try {
      if (check()) { window.__mkReady = performance.now(); return true; }
    } catch (e) { /* the page is still being built */ }
    return false;
  };
  const tick = () => { if (!probe()) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  new MutationObserver(probe).observe(document, {childList: true, subtree: true, attributes: true});
})();
"""

BARE_SOURCE = """\
import ipywidgets as widgets

widgets.VBox(
    [
        widgets.Text(description="Name"),
        widgets.Dropdown(options=["one", "two", "three"], description="Choice"),
        widgets.Button(description="Go"),
    ]
)
"""

#: Runs `mentorkit serve` with its process-starting calls recorded instead of run.
CAPTURE_SOURCE = """\
import json, os, subprocess, sys

import mentorkit.cli as cli

out = os.environ.pop("MENTORKIT_BENCH_CAPTURE")


def record(command, *args, env=None, cwd=None, **kwargs):
    with open(out, "w") as f:
        json.dump(
            {"command": [str(c) for c in command], "env": env, "cwd": str(cwd) if cwd else None}, f
        )
    raise SystemExit(0)


for name in ("call", "check_call", "run", "Popen"):
    setattr(subprocess, name, record)
for name in ("execv", "execve", "execvp", "execvpe"):
    setattr(os, name, lambda path, argv, env=None: record(argv, env=env))
sys.exit(cli.main(sys.argv[1:]))
"""


# -- pages and servers ------------------------------------------------------------------


@dataclass(frozen=True)
class PageSpec:
    """One page to load: where, what counts as usable, and which baselines it is held to."""

    label: str
    server: str  # "apps", "same" or "default"
    path: str
    selector: str
    mark: str = ""

    def probe(self) -> str:
        """The injected script, configured for this page."""
        config = {"selector": self.selector, "mark": self.mark, "scope": APP_SCOPE}
        return PROBE_JS % json.dumps(config)


@dataclass
class Load:
    """One measured page load."""

    ms: float | None  # None: not usable within the timeout
    rss: float | None = None  # bytes, of the page's kernel (with its children)
    uss: float | None = None
    error: str = ""


@dataclass
class Server:
    """A Voilà server this benchmark started (in its own process group)."""

    name: str
    base_url: str
    process: subprocess.Popen
    log: Path

    def processes(self) -> list[psutil.Process]:
        """The server's process and everything it started."""
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def kernels(self) -> dict[str, psutil.Process]:
        """The running kernels, by kernel id (read from their connection file)."""
        found = {}
        for proc in self.processes():
            try:
                cmdline = " ".join(proc.cmdline())
            except psutil.Error:
                continue
            match = re.search(r"kernel-([0-9a-f-]{36})\.json", cmdline)
            if match:
                found[match[1]] = proc
        return found

    def server_processes(self) -> list[psutil.Process]:
        """The processes that are not kernels: the Voilà server (and a wrapper, if any)."""
        kernel_pids = {p.pid for p in self.kernels().values()}
        kernel_pids |= {c.pid for p in self.kernels().values() for c in _children(p)}
        return [p for p in self.processes() if p.pid not in kernel_pids]


def _children(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return proc.children(recursive=True)
    except psutil.Error:
        return []


def memory(proc: psutil.Process) -> tuple[float, float]:
    """RSS and USS in bytes of a process with its children (0 for what has gone)."""
    rss = uss = 0.0
    for p in [proc, *_children(proc)]:
        try:
            info = p.memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss
        uss += info.uss
    return rss, uss


def start(
    name: str,
    command: Sequence[str],
    base_url: str,
    folder: Path,
    *,
    env: dict[str, str],
    cwd: Path,
) -> Server:
    """Start a server in a new process group, logging to a file in `folder`."""
    log = folder / f"{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(name, base_url, process, log)


def stop(server: Server) -> None:
    """Stop a server and everything it started."""
    stop_process_group(server.process)
    # Kernels that outlived their server (a separate session) are this run's too.
    for proc in server_leftovers(server):
        proc.kill()


def server_leftovers(server: Server) -> list[psutil.Process]:
    """Processes of `server`'s process group still running."""
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(proc.pid) == server.process.pid:
                found.append(proc)
        except (ProcessLookupError, psutil.Error):
            continue
    return found


def wait_until_answering(server: Server, timeout: float = 180) -> None:
    """Wait until the server answers HTTP (any status: a 404 page is an answer)."""
    deadline = time.monotonic() + timeout
    probe = f"{server.base_url}/voila/static/no-such-file"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(
                f"the {server.name} server exited ({server.process.returncode}):\n"
                + server.log.read_text()[-3000:]
            )
        try:
            with urllib.request.urlopen(probe, timeout=30):
                return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise SystemExit(f"the {server.name} server did not answer within {timeout:.0f} s")


def settle(servers: Sequence[Server], *, timeout: float = 30.0) -> bool:
    """Wait until the servers' processes use (almost) no CPU; False if they never did."""
    # Quiet for longer than Voilà's fill_delay (1 s): a pre-heated pool starts refilling
    # within a second of a request, so a load never starts before that refill did.
    window, quiet_needed, threshold = 0.25, 5, 0.05  # seconds, windows in a row, cores
    quiet = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = _cpu_seconds(servers)
        time.sleep(window)
        now = _cpu_seconds(servers)
        used = sum(cpu - before.get(pid, 0.0) for pid, cpu in now.items())
        quiet = quiet + 1 if used / window < threshold else 0
        if quiet >= quiet_needed:
            return True
    return False


def _cpu_seconds(servers: Sequence[Server]) -> dict[int, float]:
    """CPU seconds used so far by every process of `servers`, by pid."""
    used: dict[int, float] = {}
    for server in servers:
        for proc in server.processes():
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            used[proc.pid] = times.user + times.system
    return used


# -- set-up -----------------------------------------------------------------------------


def run(command: Sequence[str], **kwargs: object) -> str:
    """Run a command to completion; its stdout (stops the benchmark if it fails)."""
    done = subprocess.run(list(command), capture_output=True, text=True, timeout=300, **kwargs)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def write_bare_notebook(folder: Path) -> Path:
    """The bare baseline page: a VBox with a Text, a Dropdown and a Button."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(BARE_SOURCE)]
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bare.ipynb"
    nbformat.write(notebook, path)
    return path


@dataclass(frozen=True)
class Launch:
    """How `mentorkit serve` starts Voilà: command, environment and working folder."""

    command: list[str]
    env: dict[str, str]
    cwd: Path


def capture_serve(database_url: str, port: int, folder: Path) -> Launch:
    """The command, environment and folder `mentorkit serve` would start Voilà with."""
    record = folder / "serve-command.json"
    script = folder / "capture_serve.py"
    script.write_text(CAPTURE_SOURCE)
    env = {**BENCH_ENV, "MENTORKIT_BENCH_CAPTURE": str(record)}
    run(
        [sys.executable, str(script), "--db", database_url, "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
    )
    captured = json.loads(record.read_text())
    if not captured["command"]:
        raise SystemExit("`mentorkit serve` started nothing")
    return Launch(
        captured["command"],
        captured["env"] or dict(os.environ),
        Path(captured["cwd"]) if captured["cwd"] else ROOT,
    )


def point_at(command: list[str], notebooks: Path, folder: Path) -> list[str]:
    """`command` with the apps' notebook folder replaced by `folder`."""
    target = str(notebooks)
    replaced = [arg.replace(target, str(folder)) for arg in command]
    if replaced == command:
        raise SystemExit(f"cannot find the notebooks folder {target} in {command}")
    return replaced


@dataclass(frozen=True)
class Returning:
    """A participant who has saved every worksheet, and how to bring them back."""

    resume_code: str
    name: str


def prepare_returning_participant(database_url: str) -> Returning:
    """Sign a demo participant in and save a document for every worksheet, each holding
    MARK in a field its app shows in an input (or, for the plan, in its text)."""
    from mentorkit.checkins import next_check_in_name, next_goal_name
    from mentorkit.models import (
        CheckIn,
        MentoringAgreement,
        MentorShortlist,
        SelfAssessment,
        SmartGoal,
        validate,
    )
    from mentorkit.store import DocumentKey, open_store
    from mentorkit.testing import sign_in_rostered
    from mentorkit.workshops import choose_workshop

    store = open_store(database_url)
    try:
        workshop = choose_workshop(store)
        person = store.participants(workshop.code)[0]
        identity = sign_in_rostered(store, workshop.code, person.email)
        assert identity.new_resume_code
        competencies = list(workshop.framework.competencies())
        mentor = store.mentors(workshop.code)[0]
        documents = [
            validate(
                SelfAssessment,
                {
                    "ratings": {cid: 1 + i % 5 for i, cid in enumerate(competencies)},
                    "strengths": competencies[:2],
                    "growth_areas": competencies[-3:],
                    "values": ["Learning"],
                    "career_goal": f"{MARK}: lead a small team within two years.",
                },
            ),
            validate(
                MentorShortlist,
                {"entries": [{"mentor_email": mentor.email, "note": f"{MARK} note"}]},
            ),
            validate(
                MentoringAgreement,
                {"mentor_email": mentor.email, "confidentiality": f"{MARK} confidentiality"},
            ),
            validate(SmartGoal, {"title": f"{MARK} goal", "specific": "Run a team meeting."}),
            validate(CheckIn, {"met_on": date.today(), "learned": f"{MARK} learned"}),
        ]
        names = {SmartGoal.kind: next_goal_name([]), CheckIn.kind: next_check_in_name([])}
        for document in documents:
            key = DocumentKey(workshop.code, person.id, document.kind)
            if document.kind in names:
                key = DocumentKey(workshop.code, person.id, document.kind, names[document.kind])
            store.save(key, document, expected_revision=0)
        return Returning(identity.new_resume_code, person.name)
    finally:
        store.close()


# -- measuring --------------------------------------------------------------------------


def measure(browser: Browser, server: Server, spec: PageSpec, timeout_ms: float) -> Load:
    """Load `spec` once in a fresh context; when it became usable and its kernel's memory."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(spec.probe())
    page = context.new_page()
    try:
        try:
            page.goto(server.base_url + spec.path, wait_until="commit", timeout=timeout_ms)
            page.wait_for_function("window.__mkReady !== undefined", timeout=timeout_ms)
        except Exception as exc:  # a timeout or a crashed page: reported, never dropped
            return Load(None, error=type(exc).__name__)
        ms = float(page.evaluate("window.__mkReady"))
        rss, uss = _kernel_memory(page, server)
        return Load(ms, rss, uss)
    finally:
        _close(page)
        context.close()


def _kernel_memory(page: Page, server: Server) -> tuple[float | None, float | None]:
    kernel_id = page.evaluate(
        "(() => { const c = document.getElementById('jupyter-config-data');"
        " return c ? JSON.parse(c.textContent).kernelId : null; })()"
    )
    proc = server.kernels().get(kernel_id or "")
    if proc is None:
        return None, None
    return memory(proc)


def _close(page: Page) -> None:
    """Close like a person closing the tab, so that Voilà shuts the kernel down."""
    try:
        page.close(run_before_unload=True)
        page.wait_for_event("close", timeout=5_000)
    except Exception:
        pass


# -- reporting --------------------------------------------------------------------------


@dataclass
class Result:
    """Every load of one page."""

    spec: PageSpec
    warmup: Load | None = None
    loads: list[Load] = field(default_factory=list)

    def times(self) -> list[float]:
        return [load.ms for load in self.loads if load.ms is not None]

    def median(self) -> float | None:
        times = self.times()
        return statistics.median(times) if times else None

    def failures(self) -> int:
        return sum(load.ms is None for load in self.loads)


def _fmt(ms: float | None) -> str:
    return "—" if ms is None else f"{ms:,.0f}"


def _mb(value: float | None) -> str:
    return "—" if value is None else f"{value / MB:,.0f}"


def print_times(results: Sequence[Result], same: Result, default: Result) -> bool:
    """The table of load times; returns whether every app met both targets."""
    base_same, base_default = same.median(), default.median()
    print(
        f"\nTime to usable page, ms since navigation start (median of the loads; "
        f"targets: ≤ {SAME_TARGET}× bare · same settings, ≤ {DEFAULT_TARGET}× bare · default)"
    )
    header = (
        f"{'page':<34} {'loads':>5} {'fail':>4} {'median':>7} {'min':>7} {'max':>7} "
        f"{'warm-up':>7} {'×same':>6} {'×default':>8}  targets"
    )
    print(header)
    print("-" * len(header))
    all_met = True
    for result in results:
        times, median = result.times(), result.median()
        warm = _fmt(result.warmup.ms) if result.warmup else ""
        if result.warmup and result.warmup.ms is None:
            warm = result.warmup.error or "fail"
        ratio_same = median / base_same if median and base_same else None
        ratio_default = median / base_default if median and base_default else None
        is_app = result.spec.server == "apps"
        verdict = ""
        if is_app:
            met = (
                result.failures() == 0
                and ratio_same is not None
                and ratio_default is not None
                and ratio_same <= SAME_TARGET
                and ratio_default <= DEFAULT_TARGET
            )
            all_met &= met
            verdict = "met" if met else "MISSED"
        print(
            f"{result.spec.label:<34} {len(result.loads):>5} {result.failures():>4} "
            f"{_fmt(median):>7} {_fmt(min(times) if times else None):>7} "
            f"{_fmt(max(times) if times else None):>7} {warm:>7} "
            f"{'' if ratio_same is None else f'{ratio_same:.2f}':>6} "
            f"{'' if ratio_default is None else f'{ratio_default:.2f}':>8}  {verdict}"
        )
    return all_met


def print_memory(
    results: Sequence[Result], servers: Sequence[Server], server_memory: dict[str, dict]
) -> bool:
    """The table of resident memory; returns whether every app kernel is under the target."""
    print(
        f"\nResident memory per kernel, MB (median over the loads; target < {KERNEL_TARGET_MB:.0f})"
    )
    header = f"{'page':<34} {'kernel RSS':>10} {'kernel USS':>10}  target"
    print(header)
    print("-" * len(header))
    all_met = True
    for result in results:
        rss = [load.rss for load in result.loads if load.rss is not None]
        uss = [load.uss for load in result.loads if load.uss is not None]
        median_rss = statistics.median(rss) if rss else None
        verdict = ""
        if result.spec.server == "apps":
            met = median_rss is not None and median_rss / MB < KERNEL_TARGET_MB
            all_met &= met
            verdict = "met" if met else "MISSED"
        print(
            f"{result.spec.label:<34} {_mb(median_rss):>10} "
            f"{_mb(statistics.median(uss) if uss else None):>10}  {verdict}"
        )
    print("\nPer server, MB, after the last load")
    header = f"{'server':<34} {'process':<28} {'RSS':>7} {'USS':>7}"
    print(header)
    print("-" * len(header))
    for server in servers:
        for label, (rss, uss) in server_memory[server.name].items():
            print(f"{server.name:<34} {label:<28} {_mb(rss):>7} {_mb(uss):>7}")
    return all_met


def server_memory_now(server: Server) -> dict[str, tuple[float, float]]:
    """RSS and USS of a server's own processes, and of the kernels it keeps idle."""
    found: dict[str, tuple[float, float]] = {}
    for proc in server.server_processes():
        try:
            cmdline = " ".join(proc.cmdline())
        except psutil.Error:
            continue
        label = (
            "Voilà server"
            if "voila" in cmdline or "mentorkit.jupyter.launch" in cmdline
            else "wrapper: "
            + Path(proc.cmdline()[1] if len(proc.cmdline()) > 1 else proc.name()).name
        )
        rss, uss = memory_single(proc)
        found[label] = (found.get(label, (0, 0))[0] + rss, found.get(label, (0, 0))[1] + uss)
    kernels = list(server.kernels().values())
    if kernels:
        sizes = [memory(k) for k in kernels]
        found[f"{len(kernels)} idle kernel(s), total"] = (
            sum(s[0] for s in sizes),
            sum(s[1] for s in sizes),
        )
    return found


def memory_single(proc: psutil.Process) -> tuple[float, float]:
    """RSS and USS in bytes of one process."""
    try:
        info = proc.memory_full_info()
    except psutil.Error:
        return 0.0, 0.0
    return float(info.rss), float(info.uss)


# -- main -------------------------------------------------------------------------------


def pages(returning: Returning) -> tuple[list[PageSpec], PageSpec, PageSpec]:
    """The apps' pages, and the two baselines."""
    from mentorkit.apps import APPS

    app_inputs = ", ".join(f"{APP_SCOPE} {tag}" for tag in INPUTS.split(", "))
    specs = [PageSpec("gallery (index)", "apps", "/voila/render/index.ipynb", 'a[href*=".ipynb"]')]
    for app in APPS:
        label = f"{Path(app.notebook).stem.replace('_', ' ')}"
        specs.append(PageSpec(label, "apps", f"/voila/render/{app.notebook}", app_inputs))
    for app in APPS:
        if app.audience != "participant":
            continue
        label = f"{Path(app.notebook).stem.replace('_', ' ')} · returning"
        path = f"/voila/render/{app.notebook}?resume={returning.resume_code}"
        specs.append(PageSpec(label, "apps", path, app_inputs, MARK))
    bare_inputs = ", ".join(f".jupyter-widgets {tag}" for tag in INPUTS.split(", "))
    same = PageSpec(
        "bare · same settings as serve", "same", "/voila/render/bare.ipynb", bare_inputs
    )
    default = PageSpec("bare · default voila", "default", "/", bare_inputs)
    return specs, same, default


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its tables; exit status 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=5, help="measured loads per page (≥ 5)")
    parser.add_argument("--timeout", type=float, default=90, help="seconds per load")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mentorkit-tti-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        database_url = f"sqlite:///{folder / 'bench.db'}"
        mentorkit = str(BIN / "mentorkit")
        run([mentorkit, "--db", database_url, "demo"], cwd=ROOT)
        returning = prepare_returning_participant(database_url)
        bare = write_bare_notebook(folder / "bare")
        default_dir = folder / "default"
        default_dir.mkdir()

        ports = {"apps": free_port(), "same": free_port(), "default": free_port()}
        from mentorkit.cli import NOTEBOOKS_DIR

        launch = capture_serve(database_url, ports["same"], folder)
        same_command = point_at(launch.command, NOTEBOOKS_DIR, bare.parent)
        plain_env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("JUPYTER_", "MENTORKIT_", "VOILA_"))
        }
        servers = {
            "apps": start(
                "apps",
                [mentorkit, "--db", database_url, "serve", "--port", str(ports["apps"])],
                f"http://127.0.0.1:{ports['apps']}",
                folder,
                env=BENCH_ENV,
                cwd=ROOT,
            ),
            "same": start(
                "same",
                same_command,
                f"http://127.0.0.1:{ports['same']}",
                folder,
                env=launch.env,
                cwd=launch.cwd,
            ),
            "default": start(
                "default",
                [str(BIN / "voila"), str(bare), "--no-browser", f"--port={ports['default']}"],
                f"http://localhost:{ports['default']}",
                folder,
                env=plain_env,
                cwd=default_dir,
            ),
        }
        for server in servers.values():
            stack.callback(stop, server)
        print(f"serve command: {' '.join(launch.command)} (in {launch.cwd})")
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
        for server in servers.values():
            wait_until_answering(server)

        specs, same_spec, default_spec = pages(returning)
        everything = [default_spec, same_spec, *specs]
        results = {spec.label: Result(spec) for spec in everything}
        unsettled = 0
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            stack.callback(_quietly(browser.close))
            timeout_ms = args.timeout * 1000
            all_servers = list(servers.values())
            # One warm-up load per server (its first page: Voilà compiles its templates
            # then): shown in the table, not in the medians.
            for server_name in servers:
                spec = next(s for s in everything if s.server == server_name)
                unsettled += not settle(all_servers)
                results[spec.label].warmup = measure(
                    browser, servers[spec.server], spec, timeout_ms
                )
            for _ in range(args.loads):
                for spec in everything:
                    unsettled += not settle(all_servers)
                    load = measure(browser, servers[spec.server], spec, timeout_ms)
                    results[spec.label].loads.append(load)
            settle(all_servers)
            memory_by_server = {name: server_memory_now(s) for name, s in servers.items()}

        ordered = [results[s.label] for s in everything]
        times_met = print_times(ordered, results[same_spec.label], results[default_spec.label])
        memory_met = print_memory(ordered, all_servers, memory_by_server)
        failed = [
            f"{r.spec.label}: {load.error}" for r in ordered for load in r.loads if load.ms is None
        ]
        print()
        for line in failed:
            print(f"failed load: {line}")
        if unsettled:
            print(f"note: {unsettled} load(s) started while the servers were still busy (30 s)")
        print(
            f"{len(everything)} pages × {args.loads} loads (+1 warm-up per server) in "
            f"{time.monotonic() - started:.0f} s; load average now {os.getloadavg()[0]:.2f}"
        )
        print(
            textwrap.fill(
                f"Verdict: load-time targets {'met' if times_met else 'MISSED'}; kernel memory "
                f"target {'met' if memory_met else 'MISSED'}.",
                100,
            )
        )
        return 0 if times_met and memory_met else 1


def _quietly(action: Callable[[], object]) -> Callable[[], None]:
    def run_quietly() -> None:
        with suppress(Exception):
            action()

    return run_quietly


if __name__ == "__main__":
    sys.exit(main())

"""A room opening the link together: pool sizes for `mentorkit serve --expect`, and pool
kernels that start one at a time unless someone is waiting for one."""

from __future__ import annotations

import asyncio
import json

import pytest

from mentorkit.apps import APPS, JOURNEY_NOTEBOOK, LANDING_NOTEBOOK, pool_sizes
from mentorkit.cli import NOTEBOOKS_DIR, build_parser, serve_command
from mentorkit.jupyter import kernels
from mentorkit.jupyter.kernels import WorkshopKernelManager


def test_the_room_gets_a_journey_kernel_each_and_the_gallery_none():
    sizes = pool_sizes(30)
    assert sizes[JOURNEY_NOTEBOOK] == 30
    assert sizes[LANDING_NOTEBOOK] == 0  # the server renders the gallery itself
    assert sizes["01_self_assessment.ipynb"] == 1
    assert sizes["facilitator/dashboard.ipynb"] == 1
    assert set(sizes) == {LANDING_NOTEBOOK, JOURNEY_NOTEBOOK, *(app.notebook for app in APPS)}
    assert pool_sizes()[JOURNEY_NOTEBOOK] == 1


def test_every_pool_size_names_a_notebook_that_exists():
    assert all((NOTEBOOKS_DIR / name).exists() for name in pool_sizes(3))


def test_serve_expect_hands_voila_the_pool_sizes():
    args = build_parser().parse_args(["serve", "--expect", "12"])
    command = serve_command("127.0.0.1", 8866, expect=args.expect)
    (option,) = [arg for arg in command if "kernel_pools_config" in arg]
    pools = json.loads(option.split("=", 1)[1])
    assert pools[JOURNEY_NOTEBOOK] == {"pool_size": 12}
    assert pools["default"] == {"pool_size": 1}
    (option,) = [arg for arg in serve_command("127.0.0.1", 8866) if "kernel_pools_config" in arg]
    assert json.loads(option.split("=", 1)[1])[JOURNEY_NOTEBOOK] == {"pool_size": 1}


#: The spacing of pool starts in these tests (seconds).
SPACING = 0.5


def manager(
    monkeypatch, started: list[tuple[str, float]], quiet: float = 0.0
) -> WorkshopKernelManager:
    async def start(self, *args, **kwargs):
        started.append((kwargs["name"], asyncio.get_running_loop().time()))
        return kwargs["name"]

    monkeypatch.setattr(kernels.AsyncMappingKernelManager, "start_kernel", start)
    monkeypatch.setattr(kernels, "REFILL_SPACING", SPACING)
    monkeypatch.setattr(kernels, "REFILL_QUIET", quiet)
    return WorkshopKernelManager()


def test_pool_kernels_start_one_at_a_time_and_visitors_never_wait(monkeypatch):
    started: list[tuple[str, float]] = []
    pool = {"env": {"VOILA_PREHEAT": "True"}}
    visitor = {"env": {"VOILA_PREHEAT": "False"}}

    async def run() -> float:
        manager_ = manager(monkeypatch, started)
        loop = asyncio.get_running_loop()
        begin = loop.time()
        tasks = [
            loop.create_task(manager_.start_kernel(name=f"pool-{n}", **pool)) for n in range(3)
        ]
        manager_._pools = {"01_self_assessment.ipynb": list(tasks)}
        await asyncio.sleep(0.01)
        await manager_.start_kernel(name="visitor", **visitor)
        await asyncio.gather(*tasks)
        return begin

    begin = asyncio.run(run())
    # Orders and least gaps only: a busy machine can make a start late, never early.
    order = [name for name, _ in started]
    assert order == ["pool-0", "visitor", "pool-1", "pool-2"]
    at = {name: when - begin for name, when in started}
    assert at["pool-1"] - at["pool-0"] >= SPACING - 0.01
    assert at["pool-2"] - at["pool-1"] >= SPACING - 0.01


def test_a_pool_kernel_never_gets_the_address_of_another_visitors_request(monkeypatch):
    """Voilà starts the replacement of a handed-out pool kernel with the address of the
    request that took it, which may hold that visitor's ?token= or ?resume=."""
    envs: list[dict[str, str]] = []

    async def start(self, *args, **kwargs):
        envs.append(kwargs["env"])
        return "k"

    monkeypatch.setattr(kernels.AsyncMappingKernelManager, "start_kernel", start)
    monkeypatch.setattr(kernels, "REFILL_QUIET", 0.0)
    request = "http://127.0.0.1:8866/voila/render/journey.ipynb?resume=7KQM-2XPA-H9RD-4TZB"
    pool = {"VOILA_PREHEAT": "True", "VOILA_REQUEST_URL": request, "VOILA_BASE_URL": "/"}
    visitor = {"VOILA_PREHEAT": "False", "VOILA_REQUEST_URL": request}

    async def run() -> None:
        manager_ = WorkshopKernelManager()
        await manager_.start_kernel(env=pool)
        await manager_.start_kernel(env=visitor)

    asyncio.run(run())
    assert envs[0] == {"VOILA_PREHEAT": "True", "VOILA_BASE_URL": "/"}
    # A kernel started for the very request that names it keeps its own address.
    assert envs[1]["VOILA_REQUEST_URL"] == request


def test_a_pool_kernel_a_visitor_took_starts_at_once(monkeypatch):
    started: list[tuple[str, float]] = []
    pool = {"env": {"VOILA_PREHEAT": "True"}}

    async def run() -> None:
        manager_ = manager(monkeypatch, started)
        loop = asyncio.get_running_loop()
        tasks = [
            loop.create_task(manager_.start_kernel(name=f"pool-{n}", **pool)) for n in range(4)
        ]
        manager_._pools = {"01_self_assessment.ipynb": list(tasks)}
        await asyncio.sleep(0.05)
        manager_._pools["01_self_assessment.ipynb"].remove(tasks[3])  # a visitor took it
        await asyncio.gather(*tasks)

    asyncio.run(run())
    # Taken from the pool, the last one starts before the two still waiting their turn.
    assert [name for name, _ in started] == ["pool-0", "pool-3", "pool-1", "pool-2"]


@pytest.mark.slow
def test_pools_refill_only_once_the_room_has_stopped_asking(monkeypatch):
    """Voilà asks for a replacement after each kernel it hands out: while requests keep
    coming (a room signing in), no pool kernel starts."""
    started: list[tuple[str, float]] = []
    pool = {"env": {"VOILA_PREHEAT": "True"}}
    quiet = 0.4

    async def run() -> float:
        manager_ = manager(monkeypatch, started, quiet=quiet)
        loop = asyncio.get_running_loop()
        tasks = []
        for n in range(3):  # three people taking a kernel, 0.2 s apart
            tasks.append(loop.create_task(manager_.start_kernel(name=f"refill-{n}", **pool)))
            manager_._pools = {"journey.ipynb": list(tasks)}
            last = loop.time()
            await asyncio.sleep(0.2)
        await asyncio.gather(*tasks)
        return last

    last_request = asyncio.run(run())
    at = sorted(when for _, when in started)
    assert at[0] >= last_request + quiet - 0.01
    assert at[1] - at[0] >= SPACING - 0.01 and at[2] - at[1] >= SPACING - 0.01


@pytest.mark.slow
def test_pools_refill_only_once_every_page_sent_has_connected_and_had_time_to_draw(monkeypatch):
    """A page sent is still loading in its browser until it connects to its kernel, and
    then draws its widgets: a pool kernel starting meanwhile would take a core from it."""
    started: list[tuple[str, float]] = []
    pool = {"env": {"VOILA_PREHEAT": "True"}}
    quiet = 0.4

    async def run() -> tuple[float, float]:
        manager_ = manager(monkeypatch, started, quiet=quiet)
        manager_._kernels["page-kernel"] = object()  # the kernel a visitor's page holds
        loop = asyncio.get_running_loop()
        refill = loop.create_task(manager_.start_kernel(name="refill", **pool))
        manager_._pools = {"journey.ipynb": [refill]}
        await asyncio.sleep(0.05)
        manager_.page_sent("page-kernel")
        await asyncio.sleep(3 * quiet)
        waited_while_loading = not started
        connected = loop.time()
        manager_.notify_connect("page-kernel")
        await refill
        assert waited_while_loading, "a pool kernel started while a page was still loading"
        return connected, started[0][1]

    connected, refilled = asyncio.run(run())
    assert refilled >= connected + quiet - 0.01


def test_pool_kernels_waiting_for_their_turn_never_start_once_the_server_stops(monkeypatch):
    """Voilà's stop awaits every pool task after shutting the kernels down: one still
    waiting would otherwise start a kernel only to shut it down."""
    started: list[tuple[str, float]] = []
    pool = {"env": {"VOILA_PREHEAT": "True"}}

    async def shut_down_all(self, now=False):
        return None

    monkeypatch.setattr(kernels.AsyncMappingKernelManager, "shutdown_all", shut_down_all)

    async def run() -> list[object]:
        manager_ = manager(monkeypatch, started, quiet=60.0)
        loop = asyncio.get_running_loop()
        tasks = [
            loop.create_task(manager_.start_kernel(name=f"pool-{n}", **pool)) for n in range(2)
        ]
        manager_._pools = {"01_self_assessment.ipynb": list(tasks)}
        await asyncio.sleep(0.05)
        await manager_.shutdown_all()
        manager_._pools = {}  # as Voilà's stop does, before it awaits the tasks
        return await asyncio.gather(*tasks, return_exceptions=True)

    outcomes = asyncio.run(run())
    assert started == []
    assert all(isinstance(outcome, kernels.ServerStopping) for outcome in outcomes)


def test_a_broken_pool_kernel_leaves_the_pool_at_once_and_the_pool_refills(monkeypatch):
    """A pool kernel whose start fails, or whose notebook run fails (a kernel that dies
    before it answers), is never handed to the next visitor: it leaves the pool as soon as
    it fails, its kernel is shut down, and the pool is refilled."""
    started: list[tuple[str, float]] = []
    refills: list[str] = []
    shut_down: list[str] = []
    pool = {"env": {"VOILA_PREHEAT": "True"}}

    async def run() -> dict[str, list[str]]:
        manager_ = manager(monkeypatch, started)
        manager_.fill_if_needed = lambda delay, notebook_name: refills.append(notebook_name)

        async def shut_down_quietly(kernel_id: str) -> None:
            shut_down.append(kernel_id)

        manager_._shut_down_quietly = shut_down_quietly
        loop = asyncio.get_running_loop()
        render_failed = loop.create_future()
        render_fine = loop.create_future()

        async def initialize(name: str, render: asyncio.Future[object]) -> dict[str, object]:
            """As Voilà's pool task: start the kernel, then run the notebook in a task."""
            kernel_id = await manager_.start_kernel(name=name, **pool)
            manager_._kernels[kernel_id] = object()
            return {"kernel_id": kernel_id, "task": render}

        async def cannot_start() -> None:
            await manager_.start_kernel(name="no-kernel", **pool)
            raise RuntimeError("the kernel command is missing")

        tasks = {
            "dies": loop.create_task(initialize("dies", render_failed)),
            "fine": loop.create_task(initialize("fine", render_fine)),
            "missing": loop.create_task(cannot_start()),
        }
        manager_._pools = {"a.ipynb": [tasks["dies"], tasks["fine"]], "b.ipynb": [tasks["missing"]]}
        await asyncio.gather(*tasks.values(), return_exceptions=True)
        await asyncio.sleep(0)
        after_start = {name: list(pool) for name, pool in manager_._pools.items()}
        render_failed.set_exception(RuntimeError("Kernel died before replying to kernel_info"))
        render_fine.set_result(([], None))
        await asyncio.sleep(0.01)
        after_run = {
            name: [next(k for k, t in tasks.items() if t is task) for task in pool]
            for name, pool in manager_._pools.items()
        }
        assert after_start == {"a.ipynb": [tasks["dies"], tasks["fine"]], "b.ipynb": []}
        return after_run

    assert asyncio.run(run()) == {"a.ipynb": ["fine"], "b.ipynb": []}
    assert refills == ["b.ipynb", "a.ipynb"]
    assert shut_down == ["dies"]


def test_nothing_is_replaced_once_the_server_is_stopping(monkeypatch):
    """Stopping shuts every kernel down, which fails the pool kernels' notebook runs: none
    of them is shut down a second time or replaced."""
    started: list[tuple[str, float]] = []
    refills: list[str] = []

    async def shut_down_all(self, now=False):
        return None

    monkeypatch.setattr(kernels.AsyncMappingKernelManager, "shutdown_all", shut_down_all)

    async def run() -> list[str]:
        manager_ = manager(monkeypatch, started)
        manager_.fill_if_needed = lambda delay, notebook_name: refills.append(notebook_name)
        shut: list[str] = []

        async def shut_down_quietly(kernel_id: str) -> None:
            shut.append(kernel_id)

        manager_._shut_down_quietly = shut_down_quietly
        loop = asyncio.get_running_loop()
        render = loop.create_future()

        async def initialize() -> dict[str, object]:
            kernel_id = await manager_.start_kernel(name="pooled", env={"VOILA_PREHEAT": "True"})
            manager_._kernels[kernel_id] = object()
            return {"kernel_id": kernel_id, "task": render}

        task = loop.create_task(initialize())
        manager_._pools = {"a.ipynb": [task]}
        await task
        await manager_.shutdown_all()
        render.set_exception(RuntimeError("Kernel died before replying to kernel_info"))
        await asyncio.sleep(0.01)
        return shut

    assert asyncio.run(run()) == []
    assert refills == []

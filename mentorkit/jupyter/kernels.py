"""The kernel manager `mentorkit serve` gives Voilà (voila.json,
`VoilaConfiguration.multi_kernel_manager_class`; see docs/serving.md).

Jupyter Server's idle culler (`MappingKernelManager.cull_idle_timeout`) shuts down a kernel
that has sent nothing for that long, skipping kernels a tab is connected to
(`cull_connected` false). Voilà wraps the manager in its pre-heating one, which keeps the
kernels waiting in its pool (one per notebook, already running the notebook) out of the
culler's reach. Four things are added here:

* **A tab leaving restarts the idle clock.** The culler measures idleness from the kernel's
  last message, so a participant who reads a worksheet for longer than the timeout and
  whose Wi-Fi drops for a moment just when the culler looks would lose their kernel,
  although the tab comes back seconds later. Here a kernel goes only once no tab has been
  connected to it, and it has sent nothing, for the whole timeout.
* **Leaving the pool restarts the idle clock.** A pre-heated kernel may have waited in the
  pool for longer than the timeout; handed to a visitor, it has no connection until the
  page's scripts open one a second or two later, and the culler, looking in between, would
  shut it down under the page (seen with the gallery, whose kernel waits idle).
* **The pools refill at a pace, once the room is in.** Voilà starts a replacement a
  second after each kernel it hands out, so a room of thirty signing in together would
  have thirty kernels starting while the same thirty pages load. Here pre-heating kernels
  start only once the room is in: no page still waiting for its first connection, and no
  page asked for, sent or first connected in the last `REFILL_QUIET` seconds; then at most
  one every `REFILL_SPACING` seconds (a visitor's own kernel, when a pool is empty, never
  waits for them).
* **Page kernels are counted and reclaimed.** The kernels handed to pages are held per
  client address and in all within the limits `max_kernels_per_client` and `max_kernels`
  (`page_kernels`, kept by `mentorkit.jupyter.capacity`). A kernel handed to a page that
  never connects to it (a plain GET, a flood, a page on another site) is shut down
  `reclaim_unconnected` seconds after its page was sent (`page_sent`); a page that
  connected once is never reclaimed this way, and the pool's kernels never are.
  When the limits are reached, a kernel whose tab has been gone that long makes room
  (`reclaim_one_gone`).
* **A kernel is shut down without an interrupt.** Jupyter interrupts (SIGINT) every kernel
  before asking it to shut down. A pre-heated kernel waiting for its visitor is in the
  middle of running its notebook, and one still starting is importing: interrupted, the
  first fails its cell and then cannot send the reply over the sockets its shutdown has
  closed ("Exception in message handler … Socket operation on non-socket"), the second
  prints a KeyboardInterrupt traceback, a screenful per kernel when a facilitator stops
  the server. Without it, the shutdown request ends a kernel (one too busy to answer is
  terminated a few seconds later, as Jupyter does), and a kernel still starting, which
  would end in warnings of its own, is killed at once (`WorkshopKernel`).
  And once the server is stopping, a pool kernel still waiting for its turn does not start,
  and the kernels' shutdown logs no line per kernel.
* **Broken pool kernels are replaced.** A pool kernel can die while it starts (seen on a
  busy 2-core machine: a port taken by another process between being picked and bound) or
  fail to run its notebook; Voilà would hand it to the next visitor, whose page then never
  finishes. Such a kernel leaves the pool as soon as its start or its notebook run fails,
  and one that dies while waiting at the next culler pass; the pool is refilled.

The pool is Voilà's private `_pools` (notebook name → list of tasks, each giving
`{"kernel_id", "task", "renderer"}`), read as Voilà's own culler check reads it. Without it
(another Voilà version, or no pre-heating) the manager culls like Jupyter Server's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from jupyter_server.services.kernels.kernelmanager import (
    AsyncMappingKernelManager,
    ServerKernelManager,
)
from traitlets import Float, Int, default

from mentorkit.jupyter.capacity import (
    RECLAIM_UNCONNECTED_DEFAULT,
    TOTAL_MINIMUM,
    KernelPlaces,
)

#: Seconds between the starts of two pre-heating kernels (each takes about a second of
#: one core to start and run its notebook).
REFILL_SPACING = 1.0
#: Seconds without a page asked for, sent or first connected before pool kernels start:
#: while a room signs in and its pages load, the machine's cores go to the pages people are
#: waiting for, and the pools refill once they are in.
REFILL_QUIET = 10.0
#: The variable Voilà sets in the environment of a kernel it starts for a pool.
PREHEAT_VARIABLE = "VOILA_PREHEAT"
#: The variable in which Voilà passes a kernel the address of a page request.
REQUEST_URL_VARIABLE = "VOILA_REQUEST_URL"
#: The line jupyter_client logs for every kernel it shuts down.
KERNEL_SHUTDOWN_LINE = "Kernel shutdown: %s"


def not_a_kernel_shutdown(record: logging.LogRecord) -> bool:
    """Whether `record` is anything but jupyter_client's line for one kernel shut down."""
    return record.msg != KERNEL_SHUTDOWN_LINE


class ServerStopping(RuntimeError):
    """The server is stopping: a pool kernel that has not started yet will not."""


class WorkshopKernel(ServerKernelManager):
    """Jupyter Server's manager of one kernel, which shuts its kernel down without
    interrupting it first (see the module docstring); an interrupt asked for on its own
    still interrupts."""

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down:
            # Set by jupyter_client's shutdown (and restart) just before it interrupts; the
            # shutdown request that follows ends the kernel, and one that does not end in
            # time is terminated.
            return
        await super()._async_interrupt_kernel()

    async def shutdown_kernel(  # type: ignore[override]  # a coroutine in the async managers
        self, now: bool = False, restart: bool = False
    ) -> None:
        """Shut the kernel down; one that has not yet said it is idle or busy (the
        server's "starting") is killed at once. A kernel that gets its shutdown request
        midway through its own start ends with warnings about its unfinished tasks
        ("Task was destroyed but it is pending!"), and nothing has run in it yet."""
        if self.execution_state == "starting":
            now = True
        await super().shutdown_kernel(now=now, restart=restart)


class WorkshopKernelManager(AsyncMappingKernelManager):
    """Jupyter Server's kernel manager whose idle clock restarts when a tab disconnects or
    a kernel leaves Voilà's pool, which replaces broken pool kernels and paces the
    starts of pool kernels, and which counts and reclaims the kernels handed to pages."""

    max_kernels = Int(
        TOTAL_MINIMUM,
        config=True,
        help="Page kernels the server runs at most, pre-heated pool kernels not counted "
        "(0: no limit); beyond it a page says the workshop is full.",
    )
    max_kernels_per_client = Int(
        0,
        config=True,
        help="Page kernels one client address holds at most (0: no limit).",
    )
    reclaim_unconnected = Float(
        RECLAIM_UNCONNECTED_DEFAULT,
        config=True,
        help="Seconds after its page was sent after which a kernel whose page has not "
        "connected to it is shut down (0: never).",
    )

    @default("kernel_manager_class")
    def _default_kernel_manager_class(self) -> str:
        return f"{WorkshopKernel.__module__}.{WorkshopKernel.__qualname__}"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: The kernels handed to pages, by client address (`mentorkit.jupyter.capacity`).
        self.page_kernels = KernelPlaces(self.max_kernels, self.max_kernels_per_client)
        #: Kernels a page has connected to at least once.
        self._connected_once: set[str] = set()
        #: Kernels being shut down: still listed until their process has ended, but their
        #: page's place is already free.
        self._ending: set[str] = set()
        #: Kernels whose every tab has gone, and since when (event loop time).
        self._gone_since: dict[str, float] = {}
        #: The reclaim timers of kernels handed to a page that has not connected yet.
        self._reclaim_timers: dict[str, asyncio.TimerHandle] = {}
        #: The kernels in Voilà's pool when the culler last looked.
        self._pooled_kernels: set[str] = set()
        #: When the last pool kernel started (event loop time), and when a page was last
        #: asked for (a pool kernel taken), sent or first connected to its kernel.
        self._last_pool_start = float("-inf")
        self._last_page_activity = float("-inf")
        #: Shutdowns of broken pool kernels under way.
        self._shutdowns: set[asyncio.Future[None]] = set()
        #: Whether the server is stopping (`shutdown_all` has begun).
        self._stopping = False

    # jupyter_client types the synchronous manager's start_kernel and shutdown_kernel; in
    # the asynchronous managers, as here, they are coroutines.
    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:  # type: ignore[override]
        """Start a kernel; one for a pool waits its turn (see the module docstring)."""
        env = kwargs.get("env") or {}
        if env.get(PREHEAT_VARIABLE) == "True":
            # Voilà hands a pool kernel the address of the request that emptied its place:
            # another visitor's, with their ?token= or ?resume=. The kernel gets its own
            # visitor's request from voila/query once it is handed out; it needs none here.
            kwargs["env"] = {k: v for k, v in env.items() if k != REQUEST_URL_VARIABLE}
            await self._wait_for_turn()
            pool_task = asyncio.current_task()
            if pool_task is not None:
                pool_task.add_done_callback(self._watch_pool_kernel)
        return await super().start_kernel(*args, **kwargs)

    def _watch_pool_kernel(self, pool_task: asyncio.Future[Any]) -> None:
        """Once a pool task is done: if its kernel could not be started, or (then or later)
        running its notebook fails, the task leaves the pool at once, so that the next
        visitor gets a kernel of their own rather than the broken one."""
        if pool_task.cancelled():
            return
        if pool_task.exception() is not None:
            self._drop_from_pool(pool_task, "its kernel could not be started")
            return
        item = pool_task.result()
        render = item.get("task") if isinstance(item, dict) else None
        if not isinstance(render, asyncio.Future):
            return

        def rendered(done: asyncio.Future[Any]) -> None:
            if done.cancelled() or done.exception() is not None:
                self._drop_from_pool(pool_task, "running the notebook failed")

        render.add_done_callback(rendered)

    def _drop_from_pool(self, pool_task: asyncio.Future[Any], why: str) -> None:
        """Take `pool_task` out of its pool, if it is still in one, shut its kernel down if
        it still runs, and refill that pool (its kernels start at the pace of
        `_wait_for_turn`). Nothing once the server is stopping: its kernels are being shut
        down, which fails their notebook runs, and none is to be replaced."""
        if self._stopping:
            return
        for notebook, pool in self._voila_pools().items():
            if pool_task not in pool:
                continue
            self.log.warning("Replacing a pre-heated kernel of %s: %s", notebook, why)
            pool.remove(pool_task)
            if pool_task.done() and not pool_task.cancelled() and not pool_task.exception():
                kernel_id = (pool_task.result() or {}).get("kernel_id")
                if isinstance(kernel_id, str) and kernel_id in self:
                    ending = asyncio.ensure_future(self._shut_down_quietly(kernel_id))
                    self._shutdowns.add(ending)  # held until done: the loop keeps weak ones
                    ending.add_done_callback(self._shutdowns.discard)
            refill = getattr(self, "fill_if_needed", None)
            if refill is not None:
                refill(delay=0, notebook_name=notebook)
            return

    async def _wait_for_turn(self) -> None:
        """Wait for this pool kernel's turn to start: `REFILL_SPACING` after the last pool
        start, once the room has come in (`_room_is_in`). Voilà asks for a replacement a
        second after each kernel it hands out, so while requests keep coming a room is
        coming in, and its pages then load for many seconds more: a kernel starting then
        takes a core from them. A kernel a visitor has taken from the pool meanwhile starts
        at once: someone is waiting for it. Voilà runs each pool kernel's start in the task
        it keeps in the pool. Once the server is stopping, the kernel does not start at
        all (`ServerStopping`, which Voilà's stop expects of a pool task)."""
        loop = asyncio.get_running_loop()
        me = asyncio.current_task()
        self._page_activity()
        while not self._stopping and self._in_a_pool(me):
            now = loop.time()
            if now >= self._last_pool_start + REFILL_SPACING and self._room_is_in(now):
                break
            await asyncio.sleep(0.1)
        if self._stopping:
            raise ServerStopping("the server is stopping")
        self._last_pool_start = loop.time()

    def _page_activity(self) -> None:
        """Note that a page was asked for, sent or connected: the room is still coming in."""
        self._last_page_activity = asyncio.get_event_loop().time()

    def _room_is_in(self, now: float) -> bool:
        """Whether the room has come in: no page sent is still waiting for its first
        connection (its browser is loading Voilà's scripts), and none was asked for, sent or
        first connected in the last `REFILL_QUIET` seconds (a page that has just connected
        is drawing its widgets)."""
        return not self._reclaim_timers and now >= self._last_page_activity + REFILL_QUIET

    def _in_a_pool(self, task: asyncio.Future[Any] | None) -> bool:
        return any(task in pool for pool in self._voila_pools().values())

    def _voila_pools(self) -> dict[str, list[asyncio.Future[Any]]]:
        """Voilà's pools (notebook → tasks), or none without pre-heating."""
        return getattr(self, "_pools", None) or {}

    def notify_connect(self, kernel_id: str) -> None:
        """Count the connection: a page connected to this kernel, which is then never
        reclaimed as unconnected."""
        super().notify_connect(kernel_id)
        if kernel_id not in self._connected_once:
            self._page_activity()
        self._connected_once.add(kernel_id)
        self._gone_since.pop(kernel_id, None)
        timer = self._reclaim_timers.pop(kernel_id, None)
        if timer is not None:
            timer.cancel()

    def notify_disconnect(self, kernel_id: str) -> None:
        """Count the disconnection; when it was the last one, the kernel's idle time starts
        now, so that the culler waits the full timeout for the tab to come back."""
        super().notify_disconnect(kernel_id)
        if self._kernel_connections.get(kernel_id, 0) <= 0:
            self._restart_idle_clock(kernel_id)
            if kernel_id in self:
                self._gone_since[kernel_id] = asyncio.get_event_loop().time()

    def page_sent(self, kernel_id: str) -> None:
        """A page holding `kernel_id` has been sent: unless the page connects to it within
        `reclaim_unconnected` seconds (or has already), the kernel is shut down. The clock
        starts only now, so that a page slow to render under a crowd keeps its kernel."""
        self._page_activity()
        if (
            self.reclaim_unconnected <= 0
            or kernel_id in self._connected_once
            or kernel_id not in self
            or kernel_id in self._reclaim_timers
        ):
            return
        loop = asyncio.get_event_loop()
        self._reclaim_timers[kernel_id] = loop.call_later(
            self.reclaim_unconnected,
            lambda: asyncio.ensure_future(self._reclaim_if_unconnected(kernel_id)),
        )

    async def _reclaim_if_unconnected(self, kernel_id: str) -> None:
        self._reclaim_timers.pop(kernel_id, None)
        if kernel_id in self._connected_once or kernel_id not in self:
            return
        self.log.warning(
            "Reclaiming kernel %s: its page did not connect within %s s",
            kernel_id,
            self.reclaim_unconnected,
        )
        await self._shut_down_quietly(kernel_id)

    async def reclaim_one_gone(self, kernel_ids: Iterable[str]) -> bool:
        """Shut down, of `kernel_ids`, the kernel whose every tab has been gone longest,
        if for at least `reclaim_unconnected` seconds (a page that left without a goodbye,
        which the idle culler would take later); whether one was."""
        now = asyncio.get_event_loop().time()
        grace = max(self.reclaim_unconnected, 0)
        gone = [
            (since, kernel_id)
            for kernel_id in kernel_ids
            if (since := self._gone_since.get(kernel_id)) is not None
            and now - since >= grace
            and self._kernel_connections.get(kernel_id, 0) <= 0
            and kernel_id in self
        ]
        if not gone:
            return False
        _, kernel_id = min(gone)
        self.log.warning("Reclaiming kernel %s to make room: its tab has gone", kernel_id)
        await self._shut_down_quietly(kernel_id)
        return True

    async def _shut_down_quietly(self, kernel_id: str) -> None:
        try:
            await self.shutdown_kernel(kernel_id)
        except Exception:  # already gone: nothing left to reclaim
            self.log.debug("kernel %s was already gone", kernel_id, exc_info=True)

    async def shutdown_kernel(  # type: ignore[override]  # a coroutine, as start_kernel
        self, kernel_id: str, *args: Any, **kwargs: Any
    ) -> None:
        """Shut a kernel down, forgetting what was noted about its page."""
        self._connected_once.discard(kernel_id)
        self._gone_since.pop(kernel_id, None)
        timer = self._reclaim_timers.pop(kernel_id, None)
        if timer is not None:
            timer.cancel()
        self._ending.add(kernel_id)
        try:
            await super().shutdown_kernel(kernel_id, *args, **kwargs)
        finally:
            self._ending.discard(kernel_id)

    async def shutdown_all(self, now: bool = False) -> None:  # type: ignore[override]
        """Shut every kernel down as the server stops, without a line for each; pool
        kernels waiting for their turn never start."""
        self._stopping = True
        # A line per kernel, each with its id, is a screenful for a room, of no use to a
        # facilitator stopping the server (Voilà has said "Stopping...", `mentorkit serve`
        # says when it has stopped); a kernel shut down while the server runs (the culler,
        # a closed tab) keeps its line. The server is ending: the filter stays.
        self.log.addFilter(not_a_kernel_shutdown)
        await super().shutdown_all(now=now)

    def holds_page(self, kernel_id: str) -> bool:
        """Whether `kernel_id` still holds its page's place: listed, and not being shut
        down (the manager lists a kernel until its process has ended, which takes a
        moment after its page has lost it)."""
        return kernel_id in self and kernel_id not in self._ending

    async def cull_kernels(self) -> None:
        """One culler pass: note which kernels left the pool since the last pass (their
        idle time starts now), replace broken pool kernels, then cull as usual."""
        self._replace_dead_pool_kernels()
        pooled_now = set(self._pool_entries())
        for kernel_id in self._pooled_kernels - pooled_now:
            self._restart_idle_clock(kernel_id)
        self._pooled_kernels = pooled_now
        await super().cull_kernels()

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """Cull `kernel_id` if idle, unless it was in the pool when this pass began: it was
        handed to a visitor since, and its page may not have connected yet."""
        if kernel_id in self._pooled_kernels:
            self._restart_idle_clock(kernel_id)
            return
        await super().cull_kernel_if_idle(kernel_id)

    def _restart_idle_clock(self, kernel_id: str) -> None:
        kernel = self._kernels.get(kernel_id)
        if kernel is not None:
            kernel.last_activity = datetime.now(UTC)

    def _pool_entries(self) -> dict[str, tuple[str, dict[str, Any], asyncio.Future[Any]]]:
        """Kernel id → (notebook, Voilà's pool item, its task) for every kernel that has
        started in Voilà's pool."""
        found: dict[str, tuple[str, dict[str, Any], asyncio.Future[Any]]] = {}
        for notebook, pool in self._voila_pools().items():
            for task in list(pool):
                if not task.done() or task.cancelled() or task.exception() is not None:
                    continue
                item = task.result()
                if isinstance(item, dict) and item.get("kernel_id"):
                    found[item["kernel_id"]] = (notebook, item, task)
        return found

    def _replace_dead_pool_kernels(self) -> None:
        """Take out of the pool every kernel that has died while waiting in it (a failed
        start or notebook run leaves at once: `_watch_pool_kernel`) and refill the pools."""
        for kernel_id, (_, _, task) in self._pool_entries().items():
            if kernel_id not in self._kernels:
                self._drop_from_pool(task, "it died")

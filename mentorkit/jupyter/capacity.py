"""How many page kernels the standalone server runs: at most so many per client address and
so many in all (`mentorkit serve --max-kernels-per-client M --max-kernels N`).

Every Voilà page (`voila/render/<app>.ipynb`, the journey included) takes a kernel, about
90 MB, from the pool or by starting one. Without a limit a single client sending plain GETs
(no browser, no websocket; or a page on another site making the visitor's browser send
them) fills the machine's memory. So the page route is answered by `CappedVoilaHandler`,
which Voilà's own render handler becomes once it has a place for the page:

* a place is **reserved before anything is rendered**, so that many requests arriving at
  once from one client cannot all pass the check before any of them has a kernel;
* the kernel the page is given (from the pool or newly started) is recorded against the
  place; a page that ends without a kernel (an error, a redirect) gives its place back;
* a place is free again once its kernel is no longer listed by the kernel manager: the
  tab closed (Voilà's shutdown request), the culler reclaimed it, or its page never
  connected (`WorkshopKernelManager.page_sent`);
* over a limit the answer is a plain page, "The workshop is full right now — try again in
  a minute." (503, `Retry-After`), and no kernel is started or taken from the pool. Before
  refusing, a kernel whose tab has been gone for at least the reclaim time (connected
  once, no connection now: waiting for the idle culler) is shut down to make room: the
  client's own for the per-client limit, anyone's for the total.

The client address is read as the sign-in page reads it (`mentorkit.jupyter.pages`,
`TriesByAddress`): the request's `remote_ip`. Behind a proxy, or a room behind one router,
that is one address for everyone, which is why a server bound to a loopback address
(everyone reaching it comes from this machine or through a proxy on it) has no per-client
limit unless one is given (`default_caps`).

Pre-heated kernels waiting in Voilà's pool are not page kernels: they count in neither
limit (their number is the pools' size, `mentorkit serve --expect`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any, Literal

from jupyter_server.utils import url_path_join
from tornado import web
from voila.tornado.handler import TornadoVoilaHandler

from mentorkit.jupyter import client_address

#: Page kernels one client address may hold at once when the server is reachable from
#: other machines: a participant's journey, a worksheet or two opened in their own tabs,
#: and a reload whose old kernel is still being shut down.
PER_CLIENT_DEFAULT = 4
#: The fewest page kernels in all by default: a room of 15 with two pages each plus
#: facilitators, about 3.6 GB of kernels.
TOTAL_MINIMUM = 40
#: Seconds after its page was sent within which a page must connect to its kernel, or
#: the kernel is shut down.
RECLAIM_UNCONNECTED_DEFAULT = 60
#: What the "full" page asks a browser to wait (seconds, `Retry-After`).
RETRY_AFTER_SECONDS = 60

FULL_TITLE = "The workshop is full right now — try again in a minute."

Limit = Literal["total", "client"]


def is_loopback(host: str) -> bool:
    """Whether a bind address (`--host`) is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def default_caps(expect: int | None, host: str) -> tuple[int, int]:
    """(total, per client) page kernels for a room of `expect` people on a server bound to
    `host`.

    Total: two pages per person expected (the journey and one more tab, or a reload whose
    old kernel is on its way out) plus ten for facilitators and late arrivals, at least
    `TOTAL_MINIMUM`. Per client: `PER_CLIENT_DEFAULT`, except on a loopback host, where
    every visitor has the same address (a proxy on this machine, or the machine itself)
    and a per-client limit would be the whole room's: there it is 0, no limit."""
    total = max(TOTAL_MINIMUM, 2 * max(expect or 1, 1) + 10)
    per_client = 0 if is_loopback(host) else PER_CLIENT_DEFAULT
    return total, per_client


class Full(Exception):
    """No place for another page kernel: `limit` says which limit was reached."""

    def __init__(self, limit: Limit, address: str) -> None:
        super().__init__(f"the {limit} limit of page kernels is reached ({address})")
        self.limit = limit
        self.address = address


@dataclass(eq=False)
class Place:
    """One page's place: reserved for a client address, then holding the page's kernel."""

    address: str
    kernel_id: str | None = None


class KernelPlaces:
    """The page kernels of a server: which client address holds which kernel, and the
    places reserved by pages still looking for one. 0 as a limit means no limit.

    Pure bookkeeping, used on the server's event loop only (no locks): `live` tells
    whether the kernel manager still lists a kernel."""

    def __init__(self, total: int = 0, per_client: int = 0) -> None:
        self.total = total
        self.per_client = per_client
        self._places: list[Place] = []

    def reserve(self, address: str, live: Callable[[str], bool]) -> Place:
        """A place for a page from `address`, counted at once; `Full` when a limit is
        reached. Places whose kernel `live` no longer knows are freed first."""
        self.prune(live)
        if self.total and len(self._places) >= self.total:
            raise Full("total", address)
        if self.per_client and len(self.held_by(address)) >= self.per_client:
            raise Full("client", address)
        place = Place(address)
        self._places.append(place)
        return place

    def assign(self, place: Place, kernel_id: str) -> None:
        """Record the kernel the page of `place` was given."""
        place.kernel_id = kernel_id

    def release(self, place: Place) -> None:
        """Give a place back (its page ended without a kernel)."""
        if place in self._places:
            self._places.remove(place)

    def prune(self, live: Callable[[str], bool]) -> None:
        """Free every place whose kernel the kernel manager no longer lists."""
        self._places = [
            place for place in self._places if place.kernel_id is None or live(place.kernel_id)
        ]

    def held_by(self, address: str) -> list[Place]:
        """The places `address` holds, oldest first."""
        return [place for place in self._places if place.address == address]

    def kernels(self, address: str | None = None) -> list[str]:
        """The kernels held (by `address`, or by anyone), oldest first."""
        places = self._places if address is None else self.held_by(address)
        return [place.kernel_id for place in places if place.kernel_id is not None]

    def __len__(self) -> int:
        return len(self._places)


def full_page(limit: Limit, per_client: int) -> str:
    """The page answered over a limit, in the look of the server's own pages."""
    from mentorkit.jupyter.pages import document  # the pages import the database code

    if limit == "client":
        why = (
            f"Your connection already has {per_client} worksheet pages open. Closing a tab "
            "you no longer use makes room at once."
        )
    else:
        why = "Every place for a worksheet page is taken. A place frees up when someone "
        why += "closes a tab."
    body = (
        '<p class="mentorkit-brand"><a href="./">mentorkit · all worksheets</a></p>'
        f"<h1>{escape(FULL_TITLE)}</h1>"
        f"<p>{escape(why)}</p>"
        "<p>This page tries again by itself every minute. If it keeps saying this, tell "
        "your facilitator.</p>"
    )
    return document(
        "The workshop is full · mentorkit",
        body,
        classes="mentorkit-full",
        reload_after=RETRY_AFTER_SECONDS,
    )


class _RecordingKernelManager:
    """The kernel manager as one page's handler sees it: whichever kernel the page is
    given, from the pool or newly started, is recorded against the page's place."""

    def __init__(self, manager: Any, places: KernelPlaces, place: Place) -> None:
        self._manager = manager
        self._places = places
        self._place = place

    def __getattr__(self, name: str) -> Any:
        return getattr(self._manager, name)

    async def get_rendered_notebook(self, *args: Any, **kwargs: Any) -> Any:
        result = await self._manager.get_rendered_notebook(*args, **kwargs)
        self._places.assign(self._place, result[2])  # (render task, cache, kernel id)
        return result

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:
        kernel_id: str = await self._manager.start_kernel(*args, **kwargs)
        self._places.assign(self._place, kernel_id)
        return kernel_id


class CappedVoilaHandler(TornadoVoilaHandler):  # type: ignore[misc]  # Voilà: untyped
    """Voilà's page handler, given a page only when there is a place for its kernel (see
    the module docstring). Without `WorkshopKernelManager` (another kernel manager
    configured) it is Voilà's handler."""

    _place: Place | None = None

    @property
    def kernel_manager(self) -> Any:
        manager = self.settings["kernel_manager"]
        places = getattr(manager, "page_kernels", None)
        if self._place is None or places is None:
            return manager
        return _RecordingKernelManager(manager, places, self._place)

    @web.authenticated
    async def get(self, path: str | None = None) -> None:
        manager = self.settings["kernel_manager"]
        places: KernelPlaces | None = getattr(manager, "page_kernels", None)
        if places is None:
            await super().get(path)
            return
        address = client_address(self.request)
        try:
            self._place = await self._reserve(manager, places, address)
        except Full as full:
            self.log.warning("Refused a page of %s: %s", path, full)
            self.write_full(full.limit, places.per_client)
            return
        try:
            await super().get(path)
        finally:
            kernel_id = self._place.kernel_id
            if kernel_id is None:
                places.release(self._place)
            else:
                manager.page_sent(kernel_id)

    async def _reserve(self, manager: Any, places: KernelPlaces, address: str) -> Place:
        """A place for this page; when full, one kernel whose tab is gone makes room."""
        try:
            return places.reserve(address, live=manager.holds_page)
        except Full as full:
            holders = places.kernels(address if full.limit == "client" else None)
            if not await manager.reclaim_one_gone(holders):
                raise
        return places.reserve(address, live=manager.holds_page)

    def write_full(self, limit: Limit, per_client: int) -> None:
        self.set_status(503)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Retry-After", str(RETRY_AFTER_SECONDS))
        self.finish(full_page(limit, per_client))


def capped_page_routes(
    base_url: str, app_path: str, voila: Any
) -> list[tuple[str, type[web.RequestHandler], dict[str, Any]]]:
    """The app pages' route, answered by `CappedVoilaHandler` with the options Voilà gives
    its own handler; none when `voila` is not a Voilà application (a server extension)."""
    configuration = getattr(voila, "voila_configuration", None)
    if configuration is None:
        return []
    options = {
        "template_paths": voila.template_paths,
        "config": voila.config,
        "voila_configuration": configuration,
    }
    return [(url_path_join(base_url, rf"voila/render/({app_path})"), CappedVoilaHandler, options)]

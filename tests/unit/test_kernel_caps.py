"""The page kernels' bookkeeping: places per client address and in all, freed when their
kernel is gone; the defaults `mentorkit serve` derives; the kernel manager's reclaiming of
kernels whose page never connected (`mentorkit.jupyter.capacity`, `.kernels`)."""

from __future__ import annotations

import asyncio

import pytest

from mentorkit.cli import build_parser, serve_command
from mentorkit.jupyter.capacity import (
    FULL_TITLE,
    RETRY_AFTER_SECONDS,
    Full,
    KernelPlaces,
    default_caps,
    full_page,
)
from mentorkit.jupyter.kernels import WorkshopKernelManager

LIVE: set[str] = set()


def live(kernel_id: str) -> bool:
    return kernel_id in LIVE


@pytest.fixture(autouse=True)
def no_live_kernels():
    LIVE.clear()
    yield
    LIVE.clear()


def held(places: KernelPlaces, address: str, *kernel_ids: str) -> None:
    for kernel_id in kernel_ids:
        places.assign(places.reserve(address, live), kernel_id)
        LIVE.add(kernel_id)


def test_one_address_gets_only_its_share_and_another_is_still_served():
    places = KernelPlaces(total=10, per_client=2)
    held(places, "10.0.0.1", "a", "b")
    with pytest.raises(Full) as refused:
        places.reserve("10.0.0.1", live)
    assert refused.value.limit == "client"
    assert places.reserve("10.0.0.2", live).address == "10.0.0.2"


def test_a_reserved_place_counts_before_it_has_a_kernel():
    """Requests arriving together: each takes its place at once, so the third is refused
    although neither earlier page has a kernel yet."""
    places = KernelPlaces(total=10, per_client=2)
    places.reserve("10.0.0.1", live)
    places.reserve("10.0.0.1", live)
    with pytest.raises(Full):
        places.reserve("10.0.0.1", live)


def test_the_total_limit_holds_across_addresses():
    places = KernelPlaces(total=3, per_client=0)
    held(places, "10.0.0.1", "a")
    held(places, "10.0.0.2", "b")
    held(places, "10.0.0.3", "c")
    with pytest.raises(Full) as refused:
        places.reserve("10.0.0.4", live)
    assert refused.value.limit == "total"


def test_a_kernel_no_longer_listed_frees_its_place():
    places = KernelPlaces(total=10, per_client=2)
    held(places, "10.0.0.1", "a", "b")
    LIVE.discard("a")  # its tab closed, or it was reclaimed
    places.reserve("10.0.0.1", live)
    assert places.kernels("10.0.0.1") == ["b"]


def test_a_page_that_ends_without_a_kernel_gives_its_place_back():
    places = KernelPlaces(total=1, per_client=0)
    place = places.reserve("10.0.0.1", live)
    places.release(place)
    assert len(places) == 0
    places.reserve("10.0.0.2", live)


def test_a_place_still_waiting_for_its_kernel_is_not_pruned():
    places = KernelPlaces(total=1)
    places.reserve("10.0.0.1", live)
    places.prune(live)
    with pytest.raises(Full):
        places.reserve("10.0.0.2", live)


def test_zero_means_no_limit():
    places = KernelPlaces(total=0, per_client=0)
    for _ in range(200):
        places.reserve("10.0.0.1", live)
    assert len(places) == 200


def test_defaults_grow_with_the_room_and_skip_the_per_client_limit_on_loopback():
    assert default_caps(None, "0.0.0.0") == (40, 4)
    assert default_caps(30, "0.0.0.0") == (70, 4)
    assert default_caps(100, "192.168.1.5") == (210, 4)
    assert default_caps(None, "127.0.0.1") == (40, 0)
    assert default_caps(None, "localhost") == (40, 0)
    assert default_caps(None, "::1") == (40, 0)


def limits(command: list[str]) -> dict[str, str]:
    prefix = "--WorkshopKernelManager."
    return dict(arg.removeprefix(prefix).split("=", 1) for arg in command if arg.startswith(prefix))


def test_serve_hands_voila_the_limits_given_or_derived():
    args = build_parser().parse_args(
        ["serve", "--max-kernels", "12", "--max-kernels-per-client", "3"]
    )
    command = serve_command(
        "0.0.0.0",
        8866,
        max_kernels=args.max_kernels,
        max_kernels_per_client=args.max_kernels_per_client,
        reclaim_unconnected=20,
    )
    assert limits(command) == {
        "max_kernels": "12",
        "max_kernels_per_client": "3",
        "reclaim_unconnected": "20",
    }
    derived = limits(serve_command("0.0.0.0", 8866, expect=30))
    assert derived == {"max_kernels": "70", "max_kernels_per_client": "4"}


def test_a_negative_limit_is_refused_by_name(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--max-kernels", "-1"])
    assert "--max-kernels" in capsys.readouterr().err


def test_the_full_page_says_so_in_plain_words():
    page = full_page("client", 4)
    assert FULL_TITLE in page
    assert "4 worksheet pages open" in page
    assert "<script" not in page


@pytest.mark.parametrize("limit", ["client", "total"])
def test_the_full_page_tries_again_by_itself_after_the_time_it_asks_for(limit):
    page = full_page(limit, 4)
    assert f'<meta http-equiv="refresh" content="{RETRY_AFTER_SECONDS}">' in page
    assert "tries again by itself every minute" in page


# -- the kernel manager: kernels whose page never connected ---------------------------


class Manager(WorkshopKernelManager):
    """The kernel manager with kernels that are names in a set: shutting one down
    removes it, nothing is started."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.running: set[str] = set()
        self.shut_down: list[str] = []

    def __contains__(self, kernel_id: object) -> bool:
        return kernel_id in self.running

    def run(self, kernel_id: str) -> None:
        self.running.add(kernel_id)
        self._kernel_connections[kernel_id] = 0

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs) -> None:
        self._connected_once.discard(kernel_id)
        self.running.discard(kernel_id)
        self.shut_down.append(kernel_id)


RECLAIM = 0.2


def test_a_kernel_whose_page_never_connects_is_shut_down():
    async def scenario() -> list[str]:
        manager = Manager(reclaim_unconnected=RECLAIM)
        manager.run("flood")
        manager.page_sent("flood")
        await asyncio.sleep(RECLAIM + 0.2)
        return manager.shut_down

    assert asyncio.run(scenario()) == ["flood"]


def test_a_page_that_connected_once_keeps_its_kernel_after_leaving():
    async def scenario() -> list[str]:
        manager = Manager(reclaim_unconnected=RECLAIM)
        manager.run("page")
        manager.page_sent("page")
        manager.notify_connect("page")
        manager.notify_disconnect("page")
        await asyncio.sleep(RECLAIM + 0.2)
        return manager.shut_down

    assert asyncio.run(scenario()) == []


def test_a_page_connected_before_it_finished_is_not_timed():
    async def scenario() -> list[str]:
        manager = Manager(reclaim_unconnected=RECLAIM)
        manager.run("page")
        manager.notify_connect("page")
        manager.page_sent("page")
        await asyncio.sleep(RECLAIM + 0.2)
        return manager.shut_down

    assert asyncio.run(scenario()) == []


def test_a_kernel_never_handed_to_a_page_is_never_reclaimed_this_way():
    async def scenario() -> list[str]:
        manager = Manager(reclaim_unconnected=RECLAIM)
        manager.run("pool")
        await asyncio.sleep(RECLAIM + 0.2)
        return manager.shut_down

    assert asyncio.run(scenario()) == []


def test_to_make_room_the_kernel_gone_longest_goes_and_a_connected_one_never():
    async def scenario() -> tuple[bool, bool, list[str]]:
        manager = Manager(reclaim_unconnected=0)
        for kernel_id in ("connected", "gone-first", "gone-later", "never-connected"):
            manager.run(kernel_id)
        for kernel_id in ("connected", "gone-first", "gone-later"):
            manager.notify_connect(kernel_id)
        manager.notify_disconnect("gone-first")
        await asyncio.sleep(0.01)
        manager.notify_disconnect("gone-later")
        everyone = ["connected", "gone-later", "gone-first", "never-connected"]
        first = await manager.reclaim_one_gone(everyone)
        second = await manager.reclaim_one_gone(everyone)
        third = await manager.reclaim_one_gone(["connected", "never-connected"])
        return first and second, third, manager.shut_down

    made_room, again, shut_down = asyncio.run(scenario())
    assert made_room and not again
    assert shut_down == ["gone-first", "gone-later"]


def test_a_tab_gone_only_a_moment_is_not_taken_to_make_room():
    async def scenario() -> bool:
        manager = Manager(reclaim_unconnected=60)
        manager.run("blip")
        manager.notify_connect("blip")
        manager.notify_disconnect("blip")
        return await manager.reclaim_one_gone(["blip"])

    assert asyncio.run(scenario()) is False


def test_a_kernel_being_shut_down_no_longer_holds_its_pages_place(monkeypatch):
    """The manager lists a kernel until its process has ended; its place is free from the
    moment the shutdown begins, so a page asked for meanwhile is not refused."""
    from mentorkit.jupyter import kernels

    release = asyncio.Event()

    async def slow_shutdown(self, kernel_id, *args, **kwargs):
        await release.wait()
        self.listed.discard(kernel_id)

    monkeypatch.setattr(kernels.AsyncMappingKernelManager, "shutdown_kernel", slow_shutdown)

    class Listing(WorkshopKernelManager):
        def __init__(self, **kwargs) -> None:
            super().__init__(**kwargs)
            self.listed = {"k1"}

        def __contains__(self, kernel_id: object) -> bool:
            return kernel_id in self.listed

    async def run() -> tuple[bool, bool, bool]:
        manager = Listing()
        before = manager.holds_page("k1")
        ending = asyncio.ensure_future(manager.shutdown_kernel("k1"))
        await asyncio.sleep(0)
        during = manager.holds_page("k1") or "k1" not in manager
        release.set()
        await ending
        return before, during, manager.holds_page("k1")

    assert asyncio.run(run()) == (True, False, False)

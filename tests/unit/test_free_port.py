"""The port a test gives a server is one no kernel started meanwhile can take first."""

import socket

from mentorkit.testing import _ephemeral_ports, free_port


def test_a_free_port_is_below_the_range_kernels_take_their_ports_from_and_is_free():
    low, _high = _ephemeral_ports()
    for _ in range(20):
        port = free_port()
        assert 20000 <= port < low
        with socket.socket() as server:
            server.bind(("127.0.0.1", port))  # nothing holds it


def test_a_port_something_listens_on_is_never_handed_out(monkeypatch):
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    taken = held.getsockname()[1]
    try:
        picks = iter([taken, taken, 23456])
        monkeypatch.setattr("random.SystemRandom.randrange", lambda self, a, b: next(picks))
        assert free_port() == 23456
    finally:
        held.close()

"""Which host names the standalone server answers to (mentorkit.jupyter.hosts), how
`mentorkit serve --public-url` is read, and why 1 MiB websocket messages are enough."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest

from mentorkit import models
from mentorkit.cli import UserError, build_parser, public_url_of
from mentorkit.jupyter import kernel_proof
from mentorkit.jupyter.hosts import (
    ALLOWED_HOSTS_VARIABLE,
    host_of_url,
    host_policy,
    normalise_host,
    parse_host_list,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("127.0.0.1:8866", "127.0.0.1"),
        ("LocalHost:8866", "localhost"),
        ("localhost.", "localhost"),
        ("[::1]:8866", "[::1]"),
        ("[0:0:0:0:0:0:0:1]", "[::1]"),
        ("::1", "[::1]"),
        ("Workshop.Example.org", "workshop.example.org"),
        ("", ""),
        ("evil.example/x", ""),
        ("[::1", ""),
        ("[not-an-address]:80", ""),
        ("user@host", ""),
    ],
)
def test_a_host_is_compared_without_port_case_or_trailing_dot(given, expected):
    assert normalise_host(given) == expected


def test_by_default_only_this_machines_names_are_served():
    policy = host_policy("127.0.0.1", environ={})
    for host in ["127.0.0.1:8866", "localhost:8866", "[::1]:8866", "LOCALHOST"]:
        assert policy.allows(host), host
    for host in ["evil.example", "evil.example:8866", "127.0.0.1.evil.example", "", "10.0.0.5"]:
        assert not policy.allows(host), host


def test_the_bound_address_and_the_listed_names_are_served_too():
    environ = {ALLOWED_HOSTS_VARIABLE: "workshop.example.org, Other.Example"}
    policy = host_policy("192.168.1.20", environ=environ)
    for host in ["192.168.1.20:8866", "workshop.example.org", "other.example:443", "localhost"]:
        assert policy.allows(host), host
    assert not policy.allows("192.168.1.21:8866")
    assert not policy.allows("example.org")


def test_a_server_bound_to_every_address_answers_to_any_ip_address_but_no_other_name():
    for wildcard in ["0.0.0.0", "::", ""]:
        policy = host_policy(wildcard, environ={})
        assert policy.allows("192.168.1.20:8866") and policy.allows("[fe80::1]:8866")
        assert not policy.allows("evil.example:8866"), wildcard


def test_a_name_given_to_host_is_served():
    assert host_policy("workshop-laptop.local", environ={}).allows("workshop-laptop.local:8866")


def test_a_host_list_keeps_only_host_names():
    assert parse_host_list(" a.example ,b.example:443 http://c.example/ ,, ") == {
        "a.example",
        "b.example",
    }


def test_the_host_of_a_public_url_is_its_name():
    assert host_of_url("https://Workshop.example.org/") == "workshop.example.org"
    assert host_of_url("http://workshop.example.org:8080") == "workshop.example.org"
    assert host_of_url("https://[2001:db8::1]:8443/") == "[2001:db8::1]"
    assert host_of_url("workshop.example.org") == ""
    assert host_of_url("ftp://workshop.example.org/") == ""


def test_public_url_is_printed_as_the_root_address_and_nothing_else_is_taken():
    assert public_url_of("") == ""
    assert public_url_of("https://workshop.example.org") == "https://workshop.example.org/"
    assert public_url_of(" http://10.0.0.5:8866/ ") == "http://10.0.0.5:8866/"
    for wrong in ["workshop.example.org", "https://workshop.example.org/apps/", "https:///"]:
        with pytest.raises(UserError, match="--public-url"):
            public_url_of(wrong)


def test_serve_takes_a_public_url():
    args = build_parser().parse_args(["serve", "--public-url", "https://workshop.example.org/"])
    assert args.public_url == "https://workshop.example.org/"
    assert build_parser().parse_args(["serve"]).public_url == ""


def test_a_kernels_proof_depends_on_its_key_and_its_id():
    proof = kernel_proof(b"key-1", "kernel-a")
    assert proof == kernel_proof(b"key-1", "kernel-a")
    assert proof != kernel_proof(b"key-2", "kernel-a")
    assert proof != kernel_proof(b"key-1", "kernel-b")


def _text_limits(model: type) -> list[int]:
    """The length limits of every string field of `model` and of the models it holds."""
    limits: list[int] = []
    for field in model.model_fields.values():
        for metadata in field.metadata:
            if getattr(metadata, "max_length", None) and field.annotation is str:
                limits.append(metadata.max_length)
        for inner in typing.get_args(field.annotation) or (field.annotation,):
            if isinstance(inner, type) and issubclass(inner, models.BaseModel):
                limits.extend(_text_limits(inner))
    return limits


def test_the_longest_text_a_field_takes_fits_a_websocket_message_many_times_over():
    """voila.json caps a websocket message at 1 MiB; a widget's value arrives as JSON, at
    most 12 bytes a character (a surrogate pair escaped as two \\uXXXX)."""
    settings = json.loads((ROOT / "voila.json").read_text())["Voila"]["tornado_settings"]
    limit = settings["websocket_max_message_size"]
    assert 512 * 1024 <= limit <= 2 * 1024 * 1024
    longest = max(
        max(_text_limits(model), default=0)
        for model in vars(models).values()
        if isinstance(model, type) and issubclass(model, models.BaseModel)
    )
    assert longest >= 1000  # the limits were found
    assert longest * 12 * 4 < limit

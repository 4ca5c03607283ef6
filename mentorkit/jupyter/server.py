"""Standalone Voilà serving the workshop apps and nothing else (see docs/serving.md).

Voilà serving a folder also answers with a file listing (`/`, `/voila/tree`), a listing
API (`/voila/api/contents`) and raw files (`/voila/files/…`: the notebooks' sources,
anything an allowlist lets through). A participant needs none of them: they start at the
gallery, which the server renders itself at its base URL, and sign in on its own page,
`start` (`mentorkit.jupyter.pages`: no kernel, no widgets). Voilà has no setting that
removes its routes, but it does add the handlers of its identity provider ahead of them
(for `/login`), and Tornado answers a request with the first route that matches.
`AppsOnlyIdentityProvider` is the usual token identity provider plus those two pages and
routes that send the listings (and the notebook gallery's old address) to the gallery and
answer 404 to every raw file, listing or non-app path. The repo-root voila.json selects it
(`Voila.identity_provider_class`).

A participant stays signed in: the identity provider, which every page request passes
first, hands the page's kernel the resume code kept in the `mentorkit_resume` cookie, and
nothing else of the request's cookies (see `hand_over_resume_code`).

The token: `voila --token=…` as usual, or MENTORKIT_TOKEN in the environment, which is
how `mentorkit serve --token` hands it over: other users of the machine can list command
lines, not environments, and the variable is removed before any kernel starts.
"""

from __future__ import annotations

import os
import re
from html import escape
from typing import Any

from jupyter_server.auth.identity import PasswordIdentityProvider
from jupyter_server.utils import url_path_join
from tornado import httputil, web

from mentorkit.jupyter import RESUME_COOKIE, RESUME_HEADER, TOKEN_VARIABLE
from mentorkit.jupyter.capacity import capped_page_routes
from mentorkit.jupyter.pages import page_routes

#: The notebook gallery's address, which JupyterLab and JupyterHub still serve; the
#: standalone server sends it to its own gallery, at the base URL.
NOTEBOOK_GALLERY = "voila/render/index.ipynb"

#: A path under voila/render/ that is an app: plain names ('01_self_assessment',
#: 'facilitator/dashboard') ending in .ipynb. No '..', no hidden folders, no other files.
APP_PATH = r"(?:[\w-]+/)*[\w-]+\.ipynb"


class GalleryRedirect(web.RequestHandler):
    """Sends a listing page to the gallery, keeping the query (e.g. `?token=`). The gallery
    is the server's own page at the base URL, which no guard route redirects: no loop."""

    def initialize(self, gallery: str) -> None:
        self.gallery = gallery

    def get(self, *_: str) -> None:
        query = self.request.query
        self.redirect(f"{self.gallery}?{query}" if query else self.gallery, permanent=False)

    head = get


class NotServed(web.RequestHandler):
    """Answers 404, whatever the method, with a link to the gallery and nothing else."""

    def initialize(self, gallery: str) -> None:
        self.gallery = gallery

    def prepare(self) -> None:
        raise web.HTTPError(404)

    def write_error(self, status_code: int, **_: Any) -> None:
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(
            "<!doctype html><title>Not found</title><p>There is nothing here. "
            f'The workshop\'s apps start at <a href="{escape(self.gallery)}">the gallery</a>.</p>'
        )


def guard_routes(base_url: str) -> list[tuple[str, type[web.RequestHandler], dict[str, str]]]:
    """Routes answered before Voilà's own: listings and the notebook gallery go to the
    gallery at `base_url`, and raw files, the contents API and any non-app path under
    voila/render/ are not found. (`base_url` itself is the gallery: `page_routes`.)"""
    options = {"gallery": base_url}

    def route(pattern: str) -> str:
        return url_path_join(base_url, pattern)

    return [
        (route(r"voila/?"), GalleryRedirect, options),
        (route(r"voila/tree(?:/.*)?"), GalleryRedirect, options),
        (route(r"voila/render/?"), GalleryRedirect, options),
        (route(re.escape(NOTEBOOK_GALLERY)), GalleryRedirect, options),
        (route(r"voila/files(?:/.*)?"), NotServed, options),
        (route(r"voila/api/contents(?:/.*)?"), NotServed, options),
        (route(rf"voila/render/(?!{APP_PATH}$).*"), NotServed, options),
    ]


#: What a resume code cookie may hold: a code as issued (or typed), nothing else.
_RESUME_VALUE = re.compile(r"[0-9A-Za-z-]{1,40}")


def hand_over_resume_code(request: httputil.HTTPServerRequest) -> None:
    """Put the resume code of the request's `mentorkit_resume` cookie in its
    `X-Mentorkit-Resume` header, the one header Voilà hands to the page's kernel.

    Voilà can hand a kernel request headers (`http_header_envs`) but not one cookie: the
    whole Cookie header would carry the login cookie and `_xsrf` into the kernel, whose
    environment outlives the request. So only this value goes, checked to look like a
    code; a header of that name sent by the browser itself is dropped. The header is always
    set, empty without the cookie, so that the kernel knows this server remembers
    sign-ins (plain Jupyter Server does not: there, links between apps carry the code).
    """
    request.headers.pop(RESUME_HEADER, None)
    morsel = request.cookies.get(RESUME_COOKIE)
    value = morsel.value if morsel is not None else ""
    request.headers[RESUME_HEADER] = value if _RESUME_VALUE.fullmatch(value) else ""


#: The token `mentorkit.jupyter.launch` took out of the environment before Voilà started.
STARTUP_TOKEN = ""


class AppsOnlyIdentityProvider(PasswordIdentityProvider):
    """Voilà's token identity provider (`--token`) that also closes every route but the
    apps, their assets and the kernel and widget APIs, and hands a page's kernel the
    participant's remembered resume code."""

    def __init__(self, **kwargs: Any) -> None:
        token = STARTUP_TOKEN or os.environ.pop(TOKEN_VARIABLE, "")
        if token and not kwargs.get("token"):
            kwargs["token"] = token
        super().__init__(**kwargs)

    def get_user(self, handler: web.RequestHandler) -> Any:
        """The token check, after handing the resume code cookie on (see
        `hand_over_resume_code`): every app page request passes here before Voilà reads it."""
        hand_over_resume_code(handler.request)
        return super().get_user(handler)

    def get_handlers(self) -> list[tuple[str, object]]:
        """The login handlers, the server's own pages (the gallery, sign-in), the guard
        routes, then the app pages within the kernel limits (`mentorkit.jupyter.capacity`):
        Voilà adds them all before its own."""
        parent: Any = self.parent
        base_url = getattr(parent, "server_url", None) or getattr(parent, "base_url", "/")
        return [
            *super().get_handlers(),
            *page_routes(base_url),
            *guard_routes(base_url),
            *capped_page_routes(base_url, APP_PATH, parent),
        ]

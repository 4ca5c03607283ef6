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

Only the server's own host names are served (`mentorkit.jupyter.hosts`: against DNS
rebinding): the identity provider puts a rule ahead of every route of the Tornado
application that answers any other `Host` with a plain 403 page, and refuses such a request
again when it authenticates it (should the rule be missing, e.g. another Voilà version).

`voila/query/<kernel id>`, where a pre-heated kernel receives its visitor's request (query
string, resume code), answers only the kernel itself (`KernelRequestSocket`) and forgets the
request once it has been read.

`voila notebooks/<worksheet>.ipynb` (one notebook, at the base URL): no gallery and no
sign-in page, which would hide the notebook; the worksheet signs in on its own form. Links
to it by name go to the base URL, and another notebook's address says in one sentence how
to serve them all (`single_notebook_routes`).
"""

from __future__ import annotations

import hmac
import os
import re
from html import escape
from typing import Any, ClassVar

from jupyter_server.auth.identity import PasswordIdentityProvider
from jupyter_server.utils import url_path_join
from tornado import httputil, web
from tornado.routing import Matcher, Rule
from tornado.websocket import WebSocketClosedError
from voila.request_info_handler import RequestInfoSocketHandler

from mentorkit.jupyter import (
    KEPT_SIGN_INS,
    KERNEL_PROOF_HEADER,
    TOKEN_VARIABLE,
    kernel_proof,
)
from mentorkit.jupyter.capacity import capped_page_routes
from mentorkit.jupyter.hosts import HostPolicy, host_policy
from mentorkit.jupyter.pages import page_routes
from mentorkit.jupyter.voila_paths import use_mentorkit_templates

# Voilà imports this module while it reads voila.json (which names the identity provider
# below), before it looks for the `mentorkit` template that voila.json also names: so
# `voila notebooks/` started in the repository finds the template without JUPYTER_PATH.
use_mentorkit_templates()

#: The notebook gallery's address, which JupyterLab and JupyterHub still serve; the
#: standalone server sends it to its own gallery, at the base URL.
NOTEBOOK_GALLERY = "voila/render/index.ipynb"

#: A path under voila/render/ that is an app: plain names ('01_self_assessment',
#: 'facilitator/dashboard') ending in .ipynb. No '..', no hidden folders, no other files.
APP_PATH = r"(?:[\w-]+/)*[\w-]+\.ipynb"


class GalleryRedirect(web.RequestHandler):
    """Sends a listing page to the gallery, keeping the query (e.g. `?token=`). The gallery
    is the server's own page at the base URL, which no guard route redirects: no loop.
    (Serving one notebook, it sends the notebook's name to the base URL, where it is.)"""

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
    `X-Mentorkit-Resume` header, the one header Voilà hands to the page's kernel (and a
    mentor's, `mentorkit_mentor`, in `X-Mentorkit-Mentor`).

    Voilà can hand a kernel request headers (`http_header_envs`) but not one cookie: the
    whole Cookie header would carry the login cookie and `_xsrf` into the kernel, whose
    environment outlives the request. So only this value goes, checked to look like a
    code; a header of that name sent by the browser itself is dropped. The header is always
    set, empty without the cookie, so that the kernel knows this server remembers
    sign-ins (plain Jupyter Server does not: there, links between apps carry the code).
    """
    for cookie, header in KEPT_SIGN_INS.items():
        request.headers.pop(header, None)
        morsel = request.cookies.get(cookie)
        value = morsel.value if morsel is not None else ""
        request.headers[header] = value if _RESUME_VALUE.fullmatch(value) else ""


class OnlyOneNotebook(web.RequestHandler):
    """Answers 404 to another notebook's address when Voilà serves a single notebook
    (`voila notebooks/01_self_assessment.ipynb`), where Voilà itself would render the one
    notebook at every address: a link to the next worksheet would reopen this one. The
    page says, in one sentence, how to serve every worksheet."""

    def initialize(self, served: str) -> None:
        self.served = served

    def prepare(self) -> None:
        raise web.HTTPError(404)

    def write_error(self, status_code: int, **_: Any) -> None:
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(
            '<!doctype html><html lang="en"><title>Not served here</title>'
            f"<p>This server shows only {escape(self.served)}: to open every worksheet, "
            "start <code>voila notebooks/</code> (or <code>mentorkit serve</code>) in the "
            "repository instead.</p></html>"
        )


def single_notebook_routes(
    base_url: str, served: str
) -> list[tuple[str, type[web.RequestHandler], dict[str, str]]]:
    """Routes answered before Voilà's own when it serves the one notebook `served` (a file
    name) at `base_url`: any other notebook's address says it is not served here, and raw
    files and the contents API are not found, as in a folder. Voilà renders the notebook at
    `base_url` only (any other path is sent to its raw file): links to it by name (the
    journey strip, a personal link's `?resume=`) go there with their query."""
    options = {"gallery": base_url}
    other = rf"(?!{re.escape(served)}$)(?:[^/]+/)*[^/]+\.ipynb"
    return [
        (url_path_join(base_url, re.escape(served)), GalleryRedirect, options),
        (url_path_join(base_url, other), OnlyOneNotebook, {"served": served}),
        (url_path_join(base_url, r"voila/files(?:/.*)?"), NotServed, options),
        (url_path_join(base_url, r"voila/api/contents(?:/.*)?"), NotServed, options),
    ]


class ForeignHost(web.RequestHandler):
    """Answers 403 with a plain page to a request for a host name the server does not
    serve, whatever its method or path, before anything else reads it."""

    def prepare(self) -> None:
        raise web.HTTPError(403)

    def write_error(self, status_code: int, **_: Any) -> None:
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.finish("This server does not answer to that host name.\n")


class ForeignHostMatcher(Matcher):
    """Matches every request whose `Host` the policy does not allow (see `ForeignHost`)."""

    def __init__(self, policy: HostPolicy) -> None:
        self.policy = policy

    def match(self, request: httputil.HTTPServerRequest) -> dict[str, Any] | None:
        return None if self.policy.allows(request.host) else {}


def refuse_foreign_hosts(application: web.Application, policy: HostPolicy) -> None:
    """Put the rule refusing foreign host names ahead of every other route of
    `application`, once: its pages, kernels, websockets and static files alike."""
    rules = application.default_router.rules
    if not any(isinstance(rule.matcher, ForeignHostMatcher) for rule in rules):
        rules.insert(0, Rule(ForeignHostMatcher(policy), ForeignHost))


#: The kernel id in a route (as Voilà's own routes spell it).
KERNEL_ID = r"(?P<kernel_id>\w+-\w+-\w+-\w+-\w+)"


class KernelRequestSocket(RequestInfoSocketHandler):  # type: ignore[misc]  # Voilà: untyped
    """`voila/query/<kernel id>` for the kernel itself, once.

    Voilà hands a pre-heated kernel its visitor's request (the query string, which may hold
    `?token=` or `?resume=`, and the resume code header) through this websocket, keeps it
    in a cache until the kernel connects, and gives it to anyone who connects, without the
    token. Here only a client proving it is that kernel is answered (`KERNEL_PROOF_HEADER`:
    an HMAC under the key that signs the kernel's messages, see `kernel_proof`), the
    request is dropped from the cache when it is sent, and once a kernel has received its
    request, any later connection for it is closed with nothing. Voilà's own handler and
    its `send_updates` keep working on the same class-level waiters and cache.
    """

    #: Kernels that have received their request (forgotten when the kernel goes).
    delivered: ClassVar[set[str]] = set()

    def initialize(self) -> None:
        self.kernel_id = ""

    async def get(self, *args: Any, **kwargs: Any) -> None:
        kernel_id = kwargs.get("kernel_id") or (args[0] if args else "")
        if not self._proves_kernel(kernel_id):
            raise web.HTTPError(403)
        await super().get(*args, **kwargs)

    def _proves_kernel(self, kernel_id: str) -> bool:
        manager = self.settings.get("kernel_manager")
        try:
            key: bytes = manager.get_kernel(kernel_id).session.key
        except (AttributeError, KeyError):
            return False
        given = self.request.headers.get(KERNEL_PROOF_HEADER, "")
        return bool(key) and hmac.compare_digest(given, kernel_proof(key, kernel_id))

    def open(self, kernel_id: str) -> None:
        self.kernel_id = kernel_id
        self._forget_gone_kernels()
        if kernel_id in self.delivered:
            self.close()
            return
        cached = RequestInfoSocketHandler._cache.pop(kernel_id, None)
        if cached is not None:
            self.write_message(cached)
            return
        RequestInfoSocketHandler._waiters[kernel_id] = self

    def write_message(self, message: Any, binary: bool = False) -> Any:
        """Send the request (Voilà's `send_updates` calls this on a waiting kernel), note
        it as delivered and close: nothing is kept, nothing is sent twice."""
        self._leave()
        try:
            sent = super().write_message(message, binary)
        except WebSocketClosedError:
            RequestInfoSocketHandler._cache[self.kernel_id] = message  # for a reconnection
            raise
        self.delivered.add(self.kernel_id)
        self.close()
        return sent

    def on_close(self) -> None:
        self._leave()

    def _leave(self) -> None:
        if RequestInfoSocketHandler._waiters.get(self.kernel_id) is self:
            del RequestInfoSocketHandler._waiters[self.kernel_id]

    def _forget_gone_kernels(self) -> None:
        """Drop the cached requests and delivery notes of kernels that have shut down."""
        manager = self.settings.get("kernel_manager")
        running = set(manager.list_kernel_ids()) if manager is not None else set()
        for kernel_id in set(RequestInfoSocketHandler._cache) - running:
            RequestInfoSocketHandler._cache.pop(kernel_id, None)
        self.delivered.intersection_update(running)


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
        #: The host names served (see mentorkit.jupyter.hosts).
        self.hosts = host_policy(str(getattr(self.parent, "ip", "localhost")))

    def get_user(self, handler: web.RequestHandler) -> Any:
        """The token check, after refusing a foreign host name and handing the resume code
        cookie on (see `hand_over_resume_code`): every app page, kernel and kernel websocket
        request passes here before Voilà reads it."""
        if not self.hosts.allows(handler.request.host):
            raise web.HTTPError(403)
        hand_over_resume_code(handler.request)
        return super().get_user(handler)

    def get_handlers(self) -> list[tuple[Any, ...]]:  # (pattern, handler[, options])
        """The login handlers, the server's own pages (the gallery, sign-in), the guard
        routes, the kernels' request socket, then the app pages within the kernel limits
        (`mentorkit.jupyter.capacity`): Voilà adds them all before its own. Serving a single
        notebook, only the routes that say other notebooks are not served there
        (`single_notebook_routes`) and the request socket. The Tornado
        application exists by then: the rule refusing foreign host names goes ahead of all
        its routes."""
        parent: Any = self.parent
        base_url = str(getattr(parent, "server_url", None) or getattr(parent, "base_url", "/"))
        application = getattr(parent, "app", None)
        if isinstance(application, web.Application):
            refuse_foreign_hosts(application, self.hosts)
        query = (url_path_join(base_url, rf"voila/query/{KERNEL_ID}"), KernelRequestSocket)
        # Tornado routes: (pattern, handler) or (pattern, handler, options).
        handlers: list[Any] = super().get_handlers()
        notebook = str(getattr(parent, "notebook_path", "") or "")
        if notebook:
            # `voila <notebook>`: Voilà renders it at the base URL; no gallery, no sign-in
            # page (the worksheet's own form signs in), no other app.
            served = os.path.basename(notebook)
            return [*handlers, *single_notebook_routes(base_url, served), query]
        return [
            *handlers,
            *page_routes(base_url),
            *guard_routes(base_url),
            query,
            *capped_page_routes(base_url, APP_PATH, parent),
        ]

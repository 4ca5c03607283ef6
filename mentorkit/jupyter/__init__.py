"""What Jupyter loads from mentorkit: the Voilà page template (voila/templates/mentorkit,
found through JUPYTER_PATH, which `mentorkit.jupyter.voila_paths` sets), the identity
provider that keeps every route but the apps closed (`mentorkit.jupyter.server`) and the
kernel manager that reclaims kernels of closed tabs (`mentorkit.jupyter.kernels`). The
repo-root voila.json selects all three.

Staying signed in: after a participant signs in, the page keeps their resume code in the
cookie `RESUME_COOKIE` (the template's session.js). The server hands that one cookie, and
no other, to the page's kernel: the identity provider copies its value into the request
header `RESUME_HEADER` (empty when there is no such cookie), which voila.json lists in
`VoilaConfiguration.http_header_envs`, so the kernel finds it as `RESUME_ENVIRON`. A
mentor's sign-in goes the same way in `MENTOR_COOKIE`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tornado.httputil import HTTPServerRequest

#: The token `mentorkit serve --token` hands to the Voilà server, through the environment.
TOKEN_VARIABLE = "MENTORKIT_TOKEN"

#: The cookie in which a participant's browser keeps their resume code.
RESUME_COOKIE = "mentorkit_resume"
#: The request header the server fills from that cookie for Voilà to hand to the kernel.
RESUME_HEADER = "X-Mentorkit-Resume"
#: How the kernel receives it (Voilà's name for a handed-on header, RFC 3875).
RESUME_ENVIRON = "HTTP_X_MENTORKIT_RESUME"

#: A mentor's resume code is kept apart, in a cookie of its own, so that someone who is a
#: mentor and a participant of the workshop stays signed in on both sides; it reaches the
#: mentor page's kernel the same way.
MENTOR_COOKIE = "mentorkit_mentor"
MENTOR_HEADER = "X-Mentorkit-Mentor"
MENTOR_ENVIRON = "HTTP_X_MENTORKIT_MENTOR"

#: Each kept sign-in: its cookie and the header the server fills from it.
KEPT_SIGN_INS = {RESUME_COOKIE: RESUME_HEADER, MENTOR_COOKIE: MENTOR_HEADER}

#: The header in which a pre-heated kernel proves who it is when it asks the server for its
#: visitor's request (`voila/query/<kernel id>`; see `kernel_proof`).
KERNEL_PROOF_HEADER = "X-Mentorkit-Kernel-Proof"


def kernel_proof(session_key: bytes, kernel_id: str) -> str:
    """What a kernel sends in `KERNEL_PROOF_HEADER`: an HMAC of its id under the key that
    signs its messages, which only the kernel and the server hold (not the page, not the
    token's holders), so that only the kernel itself reads the request handed to it."""
    import hashlib
    import hmac

    message = f"voila/query/{kernel_id}".encode()
    return hmac.new(session_key, message, hashlib.sha256).hexdigest()


def client_address(request: HTTPServerRequest) -> str:
    """The address a request is counted against (wrong sign-in tries, newcomers, page
    kernels): its `remote_ip`."""
    return request.remote_ip or ""

"""What Jupyter loads from mentorkit: the Voilà page template (voila/templates/mentorkit,
found through JUPYTER_PATH), the identity provider that keeps every route but the apps
closed (`mentorkit.jupyter.server`) and the kernel manager that reclaims kernels of closed
tabs (`mentorkit.jupyter.kernels`). The repo-root voila.json selects all three.

Staying signed in: after a participant signs in, the page keeps their resume code in the
cookie `RESUME_COOKIE` (the template's session.js). The server hands that one cookie, and
no other, to the page's kernel: the identity provider copies its value into the request
header `RESUME_HEADER` (empty when there is no such cookie), which voila.json lists in
`VoilaConfiguration.http_header_envs`, so the kernel finds it as `RESUME_ENVIRON`.
"""

#: The token `mentorkit serve --token` hands to the Voilà server, through the environment.
TOKEN_VARIABLE = "MENTORKIT_TOKEN"

#: The cookie in which a participant's browser keeps their resume code.
RESUME_COOKIE = "mentorkit_resume"
#: The request header the server fills from that cookie for Voilà to hand to the kernel.
RESUME_HEADER = "X-Mentorkit-Resume"
#: How the kernel receives it (Voilà's name for a handed-on header, RFC 3875).
RESUME_ENVIRON = "HTTP_X_MENTORKIT_RESUME"

"""What Jupyter loads from mentorkit: the Voilà page template (voila/templates/mentorkit,
found through JUPYTER_PATH), the identity provider that keeps every route but the apps
closed (`mentorkit.jupyter.server`) and the kernel manager that reclaims kernels of closed
tabs (`mentorkit.jupyter.kernels`). The repo-root voila.json selects all three."""

#: The token `mentorkit serve --token` hands to the Voilà server, through the environment.
TOKEN_VARIABLE = "MENTORKIT_TOKEN"

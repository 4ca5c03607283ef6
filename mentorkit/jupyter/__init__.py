"""What Jupyter loads from mentorkit: the Voilà page template (voila/templates/mentorkit,
found through JUPYTER_PATH) and the identity provider that keeps every route but the apps
closed (`mentorkit.jupyter.server`). The repo-root voila.json selects both."""

#: The token `mentorkit serve --token` hands to the Voilà server, through the environment.
TOKEN_VARIABLE = "MENTORKIT_TOKEN"

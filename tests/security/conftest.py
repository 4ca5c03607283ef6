"""Attacks performed for real: a hostile visitor against `mentorkit serve`, a curious
participant with code against the shared JupyterHub and its PostgreSQL database.

Each test performs the attack it is named after and checks that it gets nothing. In CI
(CI=true) a missing browser, proxy or database is a failure, never a skip.
"""

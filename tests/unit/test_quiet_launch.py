"""What `mentorkit serve`'s Voilà (mentorkit.jupyter.launch) adds to its configuration so
that it prints only what a facilitator needs: the served notebooks trusted for the run, and
the kernel pools as configuration rather than a deprecated command-line form."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import nbformat
import pytest
from jupyter_server.services.contents.filemanager import FileContentsManager
from traitlets.config import Config

from mentorkit.jupyter.launch import POOLS_OPTION, split_pools, trusted_for_this_run


def write_notebook(path, source: str) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source)]
    nbformat.write(notebook, path)


def contents_manager(root, config: Config) -> FileContentsManager:
    return FileContentsManager(root_dir=str(root), config=config)


def test_served_notebooks_are_trusted_for_the_run_without_a_warning(tmp_path, caplog):
    (tmp_path / "facilitator").mkdir()
    write_notebook(tmp_path / "app.ipynb", "print('app')")
    write_notebook(tmp_path / "facilitator" / "setup.ipynb", "print('setup')")
    manager = contents_manager(tmp_path, trusted_for_this_run(tmp_path))
    with caplog.at_level(logging.WARNING):
        for path in ("app.ipynb", "facilitator/setup.ipynb"):
            cell = manager.get(path)["content"].cells[0]
            assert cell.metadata["trusted"] is True
    assert "not trusted" not in caplog.text


def test_a_notebook_changed_after_the_start_is_not_trusted(tmp_path):
    write_notebook(tmp_path / "app.ipynb", "print('app')")
    config = trusted_for_this_run(tmp_path)
    write_notebook(tmp_path / "app.ipynb", "print('changed')")
    cell = contents_manager(tmp_path, config).get("app.ipynb")["content"].cells[0]
    assert cell.metadata["trusted"] is False


def test_trust_is_for_this_run_only(tmp_path):
    write_notebook(tmp_path / "app.ipynb", "print('app')")
    trusted_for_this_run(tmp_path)
    later = trusted_for_this_run(tmp_path / "elsewhere")  # another run, another secret
    cell = contents_manager(tmp_path, later).get("app.ipynb")["content"].cells[0]
    assert cell.metadata["trusted"] is False


def test_the_pools_option_is_taken_out_of_voilas_arguments_as_configuration():
    pools = {"01_self_assessment.ipynb": {"pool_size": 3}, "default": {"pool_size": 1}}
    argv = ["notebooks", f"{POOLS_OPTION}{json.dumps(pools)}", "--Voila.port=8866"]
    assert split_pools(argv) == (["notebooks", "--Voila.port=8866"], pools)
    assert split_pools(["notebooks"]) == (["notebooks"], None)


#: Ctrl+C in a terminal: SIGINT, and at once SIGTERM from `mentorkit serve`, both arriving
#: before the server handles the first.
CTRL_C_RACE = """
import os, signal
from mentorkit.jupyter.launch import STOP_SIGNALS, stop_like_ctrl_c
for signum in STOP_SIGNALS:
    signal.signal(signum, stop_like_ctrl_c)
both = {signal.SIGINT, signal.SIGTERM}
signal.pthread_sigmask(signal.SIG_BLOCK, both)
os.kill(os.getpid(), signal.SIGINT)
os.kill(os.getpid(), signal.SIGTERM)
try:
    signal.pthread_sigmask(signal.SIG_UNBLOCK, both)
    for _ in range(1000):
        pass
except KeyboardInterrupt:
    print("stopping")
for _ in range(1000):
    pass
print("stopped")
"""


@pytest.mark.slow
def test_a_second_stop_signal_during_the_stop_prints_no_traceback():
    ended = subprocess.run(
        [sys.executable, "-c", CTRL_C_RACE], capture_output=True, text=True, timeout=60
    )
    assert ended.stdout.split() == ["stopping", "stopped"]
    assert ended.stderr == ""

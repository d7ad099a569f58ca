"""Installs the losslint runtime hook in every Python process started with this directory on
PYTHONPATH (pytest and any child process), before any test code imports Keras."""

import losslint

losslint.install()

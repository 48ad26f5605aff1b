"""Where cfggen lives: its own directory and the repository root above it."""

import os

TOOL_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(TOOL_DIR))


def source_label(path):
    """`path` relative to the repository when inside it (stable across checkouts)."""
    relative = os.path.relpath(path, REPO_ROOT)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return path
    return relative

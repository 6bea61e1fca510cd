"""Seeded random command generator and runner for the differential tests.

Families live in one module each (strings, bits, keys, misc); a later issue
adds e.g. `lists.py` with `@family("lists")` functions and lists it in
FAMILY_MODULES.  See core.py for the determinism rules every family keeps.
"""

import importlib

from .core import FAMILIES, Cmd, Gen, cmd, family, generate

__all__ = ["FAMILIES", "Cmd", "Gen", "cmd", "family", "generate", "load_families"]

FAMILY_MODULES = ["strings", "bits", "keys", "misc", "lists", "sets", "sort", "zsets", "hashes", "zsetops",
                 "multi", "expire", "scripts", "streams"]

_loaded = False


def load_families():
    global _loaded
    if not _loaded:
        for m in FAMILY_MODULES:
            importlib.import_module(f"{__name__}.{m}")
        _loaded = True

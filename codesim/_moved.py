"""Where the modules of codesim's first layout went: their old import paths keep working.

``import codesim.markov`` (or ``from codesim.memory import projection``) finds the module in
its new room through the table below, so code, notebooks and docs written against the old
layout run unchanged.  A row naming several modules gives a module that holds the public names
of each (``codesim.context`` held both the context models and the coder they drive).
New code imports from the new homes.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types

#: old module -> the module(s) now holding its names
MOVED = {
    "codesim.distributions": ("codesim.sources.distributions",),
    "codesim.markov": ("codesim.sources.markov",),
    "codesim.continuous": ("codesim.sources.continuous",),
    "codesim.texts": ("codesim.sources.corpora",),
    "codesim.parsing": ("codesim.sources.notation",),
    "codesim.coders.sequential": ("codesim.models.adaptive",),
    "codesim.context": ("codesim.models.context", "codesim.coders.context"),
    "codesim.ctw": ("codesim.models.ctw",),
    "codesim.pool": ("codesim.parallel.pool",),
    "codesim.memory": ("codesim.simulation.with_memory", "codesim.sources.markov",
                       "codesim.models.context"),
    "codesim.divergence": ("codesim.simulation.divergence",),
    "codesim.check": ("codesim.simulation.check",),
    "codesim.testing": ("codesim.simulation.testing",),
    "codesim.textcoding": ("codesim.simulation.text",),
    "codesim.views": ("codesim.present.views",),
    "codesim.experiment": ("codesim.experiments.runner",),
    "codesim.report": ("codesim.experiments.report",),
}


def _merged(name: str, homes: tuple[str, ...]) -> types.ModuleType:
    modules = [importlib.import_module(home) for home in homes]
    if len(modules) == 1:
        return modules[0]
    merged = types.ModuleType(name, f"The names of {', '.join(homes)} (codesim's old layout).")
    for module in reversed(modules):          # the first home wins a name both hold
        merged.__dict__.update({k: v for k, v in vars(module).items() if not k.startswith("__")})
    merged.__all__ = sorted({n for m in modules for n in getattr(m, "__all__", ())})
    return merged


class _OldPaths(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds a moved module under its old name (consulted after the real finders)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in MOVED:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        return _merged(spec.name, MOVED[spec.name])

    def exec_module(self, module):
        pass


def install() -> None:
    """Let the old paths import (once per process)."""
    if not any(isinstance(f, _OldPaths) for f in sys.meta_path):
        sys.meta_path.append(_OldPaths())


def old_module(attribute: str):
    """``codesim.<attribute>`` for a moved module (``cs.memory`` of the old layout), or None."""
    name = f"codesim.{attribute}"
    return importlib.import_module(name) if name in MOVED else None

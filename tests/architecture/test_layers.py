"""The house's rules, read from the import graph: layers import only downward, no circles, and
no import hidden inside a function to dodge one (only optional heavy libraries load late)."""

import ast
from pathlib import Path

import pytest

from tests.helpers import REPOSITORY

PACKAGE = REPOSITORY / "codesim"

#: low to high: a module may import its own layer and the layers before it
LAYERS = [
    ("foundations", ["errors", "limits", "validate", "tables", "files", "container", "measures",
                     "backends", "kernels"]),
    ("sources", ["sources"]),
    ("models", ["models"]),
    ("coders", ["coders"]),
    ("parallel", ["parallel"]),
    ("simulation", ["simulation"]),
    ("api", ["__init__", "_moved"]),
    ("present", ["present"]),
    ("experiments", ["experiments"]),
    ("commands", ["commands", "__main__"]),
]
#: what may be imported inside a function: optional or heavy libraries, loaded on first use
#: (llvmlite: numba's own code generator, which the fast extra installs with it)
LATE = {"matplotlib", "dask", "distributed", "constriction", "selenium", "numba", "llvmlite", "ipywidgets",
        "pandas", "pyppmd", "IPython", "pydoc_data", "scipy"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    first = module.split(".")[1] if "." in module else "__init__"
    for i, (_, names) in enumerate(LAYERS):
        if first in names:
            return i
    raise AssertionError(f"{module} is in no layer: add it to LAYERS and docs/ARCHITECTURE.md")


def imports(path: Path):
    """(imported codesim module, line, inside a function) for each import in the file."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    late = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            late.update(id(n) for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, id(node) in late
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:      # `from . import views` imports a module
                sub = f"{target}.{alias.name}"
                yield (sub if (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists()
                       or (PACKAGE.parent / sub.replace(".", "/")).is_dir() else target), \
                    node.lineno, id(node) in late


FILES = sorted(p for p in PACKAGE.rglob("*.py"))
GRAPH = {module_name(p): [(t, line, late) for t, line, late in imports(p)] for p in FILES}


def test_every_module_has_a_layer():
    for module in GRAPH:
        layer_of(module)


def test_layers_import_only_downward():
    upward = [f"{m} (layer {LAYERS[layer_of(m)][0]}) imports {t} (layer {LAYERS[layer_of(t)][0]}) "
              f"at line {line}"
              for m, edges in GRAPH.items() for t, line, _ in edges
              if t.split(".")[0] == "codesim" and layer_of(t) > layer_of(m)]
    assert not upward, "\n".join(upward)


def test_no_import_circles():
    edges = {m: {t for t, _, _ in es if t in GRAPH and t != m} for m, es in GRAPH.items()}
    # a package's __init__ is imported with any of its modules: an edge to codesim.x.y is also
    # an edge to codesim.x
    for m, targets in edges.items():
        for t in list(targets):
            parent = t.rpartition(".")[0]
            if parent in GRAPH and not m.startswith(parent + ".") and parent != m:
                targets.add(parent)
    done, stack, cycles = set(), [], []

    def visit(m):
        if m in stack:
            cycles.append(stack[stack.index(m):] + [m])
            return
        if m in done:
            return
        stack.append(m)
        for t in sorted(edges[m]):
            visit(t)
        stack.pop()
        done.add(m)

    for m in sorted(edges):
        visit(m)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles[:5])


def test_only_optional_libraries_are_imported_inside_functions():
    late = [f"{m}:{line} imports {t} inside a function"
            for m, es in GRAPH.items() for t, line, inside in es
            if inside and t.split(".")[0] not in LATE]
    assert not late, f"{len(late)} late imports:\n" + "\n".join(late)


@pytest.mark.parametrize("library", ["argparse"])
def test_only_the_commands_parse_options(library):
    users = [m for m, es in GRAPH.items() for t, _, _ in es
             if t.split(".")[0] == library and not m.startswith("codesim.commands")]
    assert not users, users

"""The import graph shows the pipeline: no cycles, and no stage imports a later one.

Every module's imports are read with `ast` (those inside functions too: a lazy import is
still a dependency), so this fails on the commit that adds a wrong one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import briefgen

PACKAGE = Path(briefgen.__file__).resolve().parent

# The stages in the order data flows; a module may import its own stage or an earlier one.
STAGES: list[tuple[str, ...]] = [
    ("briefgen", "briefgen.urls", "briefgen.diagnostics"),
    ("briefgen.content",),
    ("briefgen.document",),
    ("briefgen.site",),
    # failures explains what rendering and writing raise (it names the theme's templates).
    ("briefgen.theme", "briefgen.exports", "briefgen.failures"),
    ("briefgen.search",),
    ("briefgen.build",),
    (
        "briefgen.serve",
        "briefgen.scaffold",
        "briefgen.cli",
        "briefgen.console",
        "briefgen.__main__",
        "briefgen.resident",
    ),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The briefgen modules `name` imports (a package's name when no module matches)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            if target in known and target != name:
                found.add(target)
                break
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _stage(name: str) -> int:
    best = (-1, -1)  # (length of the matching prefix, stage)
    for index, prefixes in enumerate(STAGES):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best[0]:
                best = (len(prefix), index)
    assert best[1] >= 0, f"{name} belongs to no stage: add it to STAGES"
    return best[1]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_checker_sees_imports() -> None:
    graph = _graph()
    assert "briefgen.urls" in graph["briefgen.site.pages"]
    assert "briefgen.build.prepare" in graph["briefgen.build.pipeline"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_no_stage_imports_a_later_stage() -> None:
    wrong = [
        f"{name} (stage {_stage(name)}) imports {target} (stage {_stage(target)})"
        for name, targets in sorted(_graph().items())
        for target in sorted(targets)
        if _stage(target) > _stage(name)
    ]
    assert wrong == []


def test_no_test_imports_another_test_module() -> None:
    """Shared helpers live in tests/support; a test module (or conftest) is nobody's library."""
    tests = Path(__file__).resolve().parent
    wrong = []
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] if not node.level else [f".{node.module}"]
            for name in names:
                if name.startswith(".") or (
                    name.startswith("tests.") and not name.startswith("tests.support")
                ):
                    wrong.append(f"{path.relative_to(tests)} imports {name}")
    assert wrong == []

"""Import contracts (grimp): no import cycles between modules of agent/ and api/, nor between the agent
packages; the layers point one way. Run-time imports only (``if TYPE_CHECKING:`` imports are for type
hints). Known exceptions are listed with their reason; one that disappears must be removed here."""

from __future__ import annotations

import sys
from functools import cache

import grimp
import pytest

from tests.conftest import REPO

# Cycles still to remove (the integrator / the owning engineer deletes an entry when it is gone).
KNOWN_MODULE_CYCLES: dict[frozenset[str], str] = {}  # none left: add one only with the reason it must stay
# Package-level edges that are entry points, not dependencies of the package's modules.
IGNORED_PACKAGE_EDGES = {
    ("agent.drafting", "agent.runtime"): "agent.drafting.draft(), the documented one-call Python API, starts a runtime",
}
# (importer package, imported package): forbidden at run time.
FORBIDDEN = [
    ("agent", "api"),
    ("agent.guard", "agent.drafting"), ("agent.guard", "agent.llm"), ("agent.guard", "agent.runtime"),
    ("agent.guard", "agent.qa"), ("agent.drafting", "agent.llm"), ("agent.llm", "agent.runtime"),
    ("agent.calendar", "agent.guard"), ("agent.calendar", "agent.drafting"), ("agent.notes", "agent.drafting"),
]


@cache
def graph() -> grimp.ImportGraph:
    sys.path.insert(0, str(REPO))
    # grimp skips namespace packages (a folder without __init__.py, e.g. agent/qa): name them as roots
    namespaces = sorted(".".join(d.relative_to(REPO).parts) for top in ("agent", "api") for d in (REPO / top).rglob("*")
                        if d.is_dir() and not (d / "__init__.py").exists() and any(d.glob("*.py")))
    return grimp.build_graph("agent", "api", *namespaces, include_external_packages=False, cache_dir=None,
                             exclude_type_checking_imports=True)


def test_the_graph_covers_every_module() -> None:
    files = {".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
             for top in ("agent", "api") for p in (REPO / top).rglob("*.py")}
    assert files - set(graph().modules) == set()


def _sccs(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[frozenset[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = set()
                while True:
                    x = stack.pop()
                    on.discard(x)
                    comp.add(x)
                    if x == v:
                        break
                if len(comp) > 1:
                    out.append(frozenset(comp))
    return out


def _top(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "agent" and len(parts) > 1 else parts[0]


def test_the_cycle_finder_finds_cycles() -> None:
    assert _sccs({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]
    assert _sccs({"a": {"b"}, "b": set()}) == []


def test_no_module_cycles() -> None:
    g = graph()
    edges = {m: set(g.find_modules_directly_imported_by(m)) for m in g.modules}
    found = set(_sccs(edges))
    assert found - set(KNOWN_MODULE_CYCLES) == set(), "new import cycle(s): " + "; ".join(
        " <-> ".join(sorted(c)) for c in found - set(KNOWN_MODULE_CYCLES))
    gone = set(KNOWN_MODULE_CYCLES) - found
    assert not gone, f"remove from KNOWN_MODULE_CYCLES, they are fixed: {[sorted(c) for c in gone]}"


def test_no_cycles_between_agent_packages() -> None:
    g = graph()
    edges: dict[str, set[str]] = {}
    for m in g.modules:
        for imp in g.find_modules_directly_imported_by(m):
            a, b = _top(m), _top(imp)
            if a != b and (m, b) not in IGNORED_PACKAGE_EDGES:
                edges.setdefault(a, set()).add(b)
    allowed = {frozenset(_top(x) for x in c) for c in KNOWN_MODULE_CYCLES}
    cycles = [c for c in _sccs(edges) if c not in allowed]
    assert cycles == [], f"package cycles: {[sorted(c) for c in cycles]}"
    # the cycles issue 16 named are gone
    for pair in (("agent.drafting", "agent.llm"), ("agent.drafting", "agent.runtime"), ("agent.llm", "agent.runtime")):
        assert not any(set(pair) <= c for c in _sccs(edges)), pair


@pytest.mark.parametrize(("importer", "imported"), FORBIDDEN)
def test_layers(importer: str, imported: str) -> None:
    g = graph()
    chains = [(m, i) for m in g.modules if m == importer or m.startswith(importer + ".")
              for i in g.find_modules_directly_imported_by(m) if i == imported or i.startswith(imported + ".")]
    assert chains == [], f"{importer} must not import {imported}: {chains}"

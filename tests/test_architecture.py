"""The layout of ``src/neuronlab`` as rules a test can check.

Every module is read with ``ast`` and every import it makes is collected: at the top of the file,
inside functions and classes, under ``if TYPE_CHECKING:``, relative (``from ..losses import get``) and
absolute (``import neuronlab.plots``), and ``importlib.import_module("...")`` with a literal name.
Each module stands on a floor; a module may import from its own floor or below:

1. ``errors``, ``_util``                                      plumbing
2. ``activations``, ``initializers``, ``losses``, ``optimizers``  the math, NumPy only
3. ``neuron``, ``layers``, ``workspace``, ``network``         the model
4. ``training``, ``perceptron``, ``inspect``, ``callbacks``   learning and looking
5. ``serialize``, ``datasets``, ``plots``, ``sklearn``, ``sweep``  the faces
6. ``cli``

The package's ``__init__`` and ``__main__`` are the public face and may import anything; nothing
inside the package imports the public face (but for ``__version__``, which is written there once). The one declared way up: ``Network``'s façades
(``FACADES``) import floors 4-5 inside the call.

Optional dependencies (``OPTIONAL``): floors 1-4 never import one themselves; they ask
``neuronlab._util.extras`` (``require`` for what must be there, ``optional`` for the accelerators
neuronlab runs without: numba, threadpoolctl, tqdm), which imports by name, so no import statement
appears here; ``LAZY_EXTRAS`` may declare an exception, imported inside a function. The faces (floors 5-6) import them where they are used;
``import neuronlab`` loads none of them (checked in a fresh interpreter).

Every failure names the file, the line and the rule.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "neuronlab"
SRC = Path(__file__).resolve().parents[1] / "src" / PACKAGE

FLOORS = {
    "errors": 1, "_util": 1,
    "activations": 2, "initializers": 2, "losses": 2, "optimizers": 2,
    "neuron": 3, "layers": 3, "workspace": 3, "network": 3,
    "training": 4, "perceptron": 4, "inspect": 4, "callbacks": 4,
    "serialize": 5, "datasets": 5, "plots": 5, "sklearn": 5, "sweep": 5, "interop": 5, "playground": 5,
    "cli": 6,
}
PUBLIC_FACE = {PACKAGE, f"{PACKAGE}.__main__"}
#: the version is written once, in the public face; ``from neuronlab import __version__`` is allowed anywhere
VERSION = f"{PACKAGE}.__version__"
FACES_FLOOR = 5

#: (module, function) pairs that may import floors 4-5 inside the call: Network's façades
FACADES = {(f"{PACKAGE}.network", name) for name in ("fit", "trace", "explain", "explain_gradient", "save", "to_json", "from_json",
                                                       "to_torch", "to_onnx")}
FACADE_FLOORS = {4, 5}
#: the module of the façades; it may also name their types under ``if TYPE_CHECKING:``
FACADE_MODULE = f"{PACKAGE}.network"

#: the one import cycle allowed: a model file is saved from a Network and loads into one
ALLOWED_CYCLES = [{f"{PACKAGE}.network", f"{PACKAGE}.serialize"}]

#: optional dependencies (the extras in pyproject.toml, and what the tests compare against)
OPTIONAL = {"matplotlib", "sklearn", "dask", "distributed", "torch", "numba", "tqdm", "pandas", "threadpoolctl",
            "joblib", "scipy", "onnx", "onnxruntime", "starlette", "uvicorn", "websockets", "playwright", "jax",
            "optax", "IPython", "ipywidgets", "nbclient", "nbformat"}
#: what ``import neuronlab`` must not load
NOT_IN_CORE = ("matplotlib", "sklearn", "dask", "distributed", "torch", "numba", "tqdm", "pandas", "onnx",
               "onnxruntime", "starlette", "uvicorn")
#: below the faces, an optional dependency is imported only inside a function, and only these
LAZY_EXTRAS: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Import:
    importer: str          # dotted module name of the importing file
    path: Path
    line: int
    target: str            # dotted name of what is imported (a module, or a package's name)
    function: str | None   # the outermost function (or method) it stands in, None at module level
    type_only: bool        # under ``if TYPE_CHECKING:``

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(SRC.parent)}:{self.line}"

    @property
    def place(self) -> str:
        return f" in {self.function}()" if self.function else " at module level"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _resolve(importer: str, level: int, name: str | None) -> str:
    """The absolute dotted name of ``from <level dots><name> import ...`` written in ``importer``."""
    base = importer.split(".")
    if not _is_package(importer):
        base = base[:-1]
    if level > 1:
        base = base[:-(level - 1)]
    return ".".join(base + ([name] if name else []))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(module: str) -> list[Import]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Import] = []

    def add(node, target, function, type_only):
        found.append(Import(module, path, node.lineno, target, function, type_only))

    def visit(node, function, type_only):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(node, alias.name, function, type_only)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node.level, node.module) if node.level else node.module
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub == VERSION:
                    continue
                # ``from . import losses`` imports the module neuronlab.losses; ``from .x import f`` imports x
                add(node, sub if sub in MODULES else base, function, type_only)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            name = node.args[0].value
            if name.startswith("."):
                level = len(name) - len(name.lstrip("."))
                name = _resolve(module, level, name.lstrip(".") or None)
            add(node, name, function, type_only)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and function is None:
            function = node.name
        for child in ast.iter_child_nodes(node):
            child_type_only = type_only or (isinstance(node, ast.If) and _is_type_checking(node.test)
                                            and child in node.body)
            visit(child, function, child_type_only)

    visit(tree, None, False)
    return found


ALL_IMPORTS = [imp for module in MODULES for imp in imports_of(module)]


def concept(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def floor(module: str) -> int | None:
    return FLOORS.get(concept(module))


def internal(imp: Import) -> bool:
    return imp.target == PACKAGE or imp.target.startswith(PACKAGE + ".")


def _report(violations: list[str]) -> str:
    return f"{len(violations)} violation(s):\n" + "\n".join(sorted(violations))


# ---------------------------------------------------------------------------------------------
# the floors
# ---------------------------------------------------------------------------------------------

def test_the_walk_sees_every_module_and_its_imports_inside_functions():
    assert f"{PACKAGE}.network" in MODULES and f"{PACKAGE}.cli" in MODULES
    lazy = [i for i in ALL_IMPORTS if i.importer == f"{PACKAGE}.network" and i.target == f"{PACKAGE}.training"]
    assert lazy and all(i.function == "fit" for i in lazy)


def test_every_module_stands_on_a_floor():
    violations = [f"{path.relative_to(SRC.parent)}:1: rule 'every module stands on a floor': "
                  f"{module!r} belongs to none of {sorted(FLOORS)}"
                  for module, path in MODULES.items() if module not in PUBLIC_FACE and floor(module) is None]
    assert not violations, _report(violations)


def test_no_module_imports_from_a_higher_floor():
    violations = []
    for imp in ALL_IMPORTS:
        if imp.importer in PUBLIC_FACE or not internal(imp) or floor(imp.importer) is None:
            continue
        own = floor(imp.importer)
        if imp.target in PUBLIC_FACE:
            violations.append(f"{imp.where}: rule 'nothing inside the package imports the public face': "
                              f"{imp.importer} imports {imp.target}; import from the module that defines the name")
            continue
        theirs = floor(imp.target)
        if theirs is None or theirs <= own:
            continue
        if (imp.importer, imp.function) in FACADES and theirs in FACADE_FLOORS:
            continue
        if imp.type_only and imp.importer == FACADE_MODULE and theirs in FACADE_FLOORS:
            continue          # the façades' parameter and return types, for type checkers only
        violations.append(f"{imp.where}: rule 'import only from your own floor or below': {imp.importer} "
                          f"(floor {own}) imports {imp.target} (floor {theirs}){imp.place}")
    assert not violations, _report(violations)


def test_the_facades_are_functions_of_network():
    import neuronlab as nl
    for module, name in FACADES:
        assert module == f"{PACKAGE}.network" and callable(getattr(nl.Network, name)), name


# ---------------------------------------------------------------------------------------------
# cycles, the sweep and the CLI, the layout
# ---------------------------------------------------------------------------------------------

def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for imp in ALL_IMPORTS:
        if internal(imp) and not imp.type_only and imp.target in MODULES and imp.target != imp.importer:
            graph[imp.importer].add(imp.target)
    return graph


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that import each other round a cycle."""
    index, low, on_stack, stack, groups, counter = {}, {}, set(), [], [], [0]

    def connect(root):
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    groups.append(group)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [g for g in groups if len(g) > 1]


def test_no_import_cycles_except_network_and_serialize():
    graph = _graph()
    violations = []
    for group in _strongly_connected(graph):
        if group in ALLOWED_CYCLES:
            continue
        for imp in ALL_IMPORTS:
            if imp.importer in group and imp.target in group and not imp.type_only and imp.target != imp.importer:
                violations.append(f"{imp.where}: rule 'no import cycles (except network <-> serialize)': "
                                  f"{imp.importer} imports {imp.target}, and {imp.target} leads back round "
                                  f"{{{', '.join(sorted(group))}}}")
    assert not violations, _report(violations)


def test_the_sweep_package_does_not_know_the_cli():
    violations = [f"{imp.where}: rule 'the sweep package does not import cli': {imp.importer} imports {imp.target}"
                  for imp in ALL_IMPORTS
                  if concept(imp.importer) == "sweep" and internal(imp) and concept(imp.target) == "cli"]
    assert not violations, _report(violations)


def test_no_flat_private_part_files_at_the_top_of_the_package():
    violations = [f"{path.relative_to(SRC.parent)}:1: rule 'a folder is a concept: no flat private _*.py part "
                  f"files at the top of the package': move {path.name} into the folder of its concept"
                  for path in sorted(SRC.glob("_*.py")) if path.name not in ("__init__.py", "__main__.py")]
    assert not violations, _report(violations)


# ---------------------------------------------------------------------------------------------
# optional dependencies
# ---------------------------------------------------------------------------------------------

def test_optional_dependencies_are_imported_only_by_the_faces_or_lazily_where_declared():
    violations = []
    for imp in ALL_IMPORTS:
        top = imp.target.split(".")[0]
        if top not in OPTIONAL or imp.importer in PUBLIC_FACE:
            continue
        own = floor(imp.importer)
        if own is None or own >= FACES_FLOOR:
            continue
        if (concept(imp.importer), top) in LAZY_EXTRAS and imp.function:
            continue
        violations.append(f"{imp.where}: rule 'below the faces an optional dependency comes from "
                          f"_util.extras.require()': {imp.importer} (floor {own}) imports {imp.target}{imp.place}")
    assert not violations, _report(violations)


def test_import_neuronlab_loads_no_optional_dependency():
    code = ("import sys, neuronlab; "
            f"print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(NOT_IN_CORE)!r}))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = result.stdout.split()
    assert not loaded, (f"src/neuronlab/__init__.py:1: rule 'the core imports no optional dependency': "
                        f"import neuronlab loaded {', '.join(loaded)}")


# ---------------------------------------------------------------------------------------------
# the public face
# ---------------------------------------------------------------------------------------------

def test_dir_lists_the_public_names_and_each_one_resolves():
    import neuronlab as nl
    names = dir(nl)
    assert names == sorted(names)
    for name in ("Network", "Dense", "Neuron", "Perceptron", "gradcheck", "sweep", "load", "activations",
                 "losses", "optimizers", "inspect", "callbacks", "datasets", "plots", "sklearn", "__version__"):
        assert name in names, name
    assert not [n for n in names if n.startswith("_") and n != "__version__"]
    optional = {"plots", "sklearn"}            # these need their extra to import
    for name in set(names) - optional:
        getattr(nl, name)
    assert set(nl.__all__) <= set(names)


def test_the_package_says_it_is_typed():
    assert (SRC / "py.typed").is_file()

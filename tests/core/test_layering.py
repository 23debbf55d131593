"""Core sits at the bottom: no module under participation/core imports accounts."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import participation

PACKAGE_DIR = Path(participation.__file__).resolve().parent
CORE_DIR = PACKAGE_DIR / "core"
FORBIDDEN = "participation.accounts"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, *, is_package: bool) -> Iterator[str]:
    """Every module *source* imports, relative imports resolved against *module*."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield target
            # "from .. import accounts" imports the module participation.accounts.
            yield from (f"{target}.{alias.name}" for alias in node.names)


def offenders(path: Path, source: str) -> list[str]:
    found = imported_modules(
        source, module_name(path), is_package=path.name == "__init__.py"
    )
    return sorted(
        {
            name
            for name in found
            if name == FORBIDDEN or name.startswith(FORBIDDEN + ".")
        }
    )


def test_no_core_module_imports_accounts():
    paths = sorted(CORE_DIR.rglob("*.py"))
    assert len(paths) > 10  # the scan really reads core

    found = {
        str(path.relative_to(PACKAGE_DIR)): names
        for path in paths
        if (names := offenders(path, path.read_text(encoding="utf-8")))
    }

    assert found == {}


def test_the_scan_sees_every_way_of_importing_accounts():
    path = CORE_DIR / "views.py"
    sources = [
        "from ..accounts.models import User",
        "from .. import accounts",
        "import participation.accounts.demo",
        "from participation.accounts import services",
        "def home():\n    from ..accounts.demo import DEMO_PEOPLE\n",
    ]

    assert all(offenders(path, source) for source in sources)
    assert offenders(path, "from ..territories.models import Commune") == []
    assert offenders(path, "from .audit import record") == []
    # Relative imports resolve from the package of the module that makes them.
    init = CORE_DIR / "__init__.py"
    assert offenders(init, "from . import accounts") == []
    assert offenders(init, "from .. import accounts") == [FORBIDDEN]

"""Nothing but the transition applier writes a workflow's state (an AST scan).

``core.workflow.apply_transition`` is the one writer of ``.state``: it checks the
table and the permission, stamps the dates, writes the history row and the audit
entry. This test reads every module of ``participation/`` and fails on any other
place that writes a state: an assignment to ``<something>.state``, a
``setattr(..., "state", ...)``, a model with a ``state`` column built with
``state=...`` (a row born in a later state, as an import or a demo might do), or an
SQL ``.values(state=...)``. A new row takes its initial state from the column's
default.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from flask import Flask

from participation import PROJECT_ROOT
from participation.extensions import Base

PACKAGE = PROJECT_ROOT / "participation"
#: The one module allowed to write a state.
APPLIER = Path("core/workflow.py")


def _state_targets(target: ast.expr) -> Iterator[ast.Attribute]:
    """The ``<x>.state`` attributes among an assignment's targets (tuples too)."""
    if isinstance(target, ast.Attribute) and target.attr == "state":
        yield target
    elif isinstance(target, ast.Tuple | ast.List):
        for item in target.elts:
            yield from _state_targets(item)
    elif isinstance(target, ast.Starred):
        yield from _state_targets(target.value)


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def workflow_models() -> frozenset[str]:
    """Names of the models with a ``state`` column (every feature is imported)."""
    return frozenset(
        mapper.class_.__name__
        for mapper in Base.registry.mappers
        if "state" in mapper.columns
    )


def _writes_state(call: ast.Call, models: frozenset[str]) -> bool:
    """``setattr(x, "state", v)``, ``Model(state=v)`` or ``.values(state=v)``."""
    name = _callee(call)
    if name == "setattr":
        return (
            len(call.args) >= 2
            and isinstance(call.args[1], ast.Constant)
            and call.args[1].value == "state"
        )
    if name not in models and name != "values":
        return False
    if any(keyword.arg == "state" for keyword in call.keywords):
        return True
    return name == "values" and any(
        isinstance(arg, ast.Dict)
        and any(isinstance(k, ast.Constant) and k.value == "state" for k in arg.keys)
        for arg in call.args
    )


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        return f"{_callee(node)}(state=...)"
    assert isinstance(node, ast.Attribute)
    return f"{ast.unparse(node)} = ..."


def state_writers(source: str, models: frozenset[str]) -> list[tuple[int, str]]:
    """(line, what) of every place in *source* that writes a ``state``; *models*
    are the classes whose constructor sets one."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for attribute in _state_targets(target):
                found.append((attribute.lineno, _describe(attribute)))
        if isinstance(node, ast.Call) and _writes_state(node, models):
            found.append((node.lineno, _describe(node)))
    return sorted(found)


def _package_writers() -> dict[str, list[int]]:
    """``"<module>: <what>"`` → lines, for every module but the applier."""
    models = workflow_models()
    writers: dict[str, list[int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative == APPLIER:
            continue
        for line, what in state_writers(path.read_text(encoding="utf-8"), models):
            writers.setdefault(f"{relative.as_posix()}: {what}", []).append(line)
    return writers


def test_only_the_applier_writes_a_workflow_state(app: Flask):
    writers = _package_writers()

    unexpected = writers
    assert not unexpected, "state written outside core.workflow.apply_transition:\n" + (
        "\n".join(
            f"  {key} (line {', '.join(map(str, v))})" for key, v in unexpected.items()
        )
    )


def test_the_scan_finds_every_kind_of_state_write():
    source = """
idea.state = IdeaState.SELECTED
a, (b.state, c) = 1, (2, 3)
result.state: ResultState = ResultState.PUBLISHED
setattr(batch, "state", BatchState.DEPOSITED)
Idea(title="x", state=IdeaState.ELIGIBLE)
sa.update(PaperBatch).values(state=new)
sa.update(PaperBatch).values({"state": new})
"""
    lines = [line for line, _what in state_writers(source, frozenset({"Idea"}))]

    assert lines == [2, 3, 4, 5, 6, 7, 8]


def test_the_scan_leaves_reads_and_other_keywords_alone():
    source = """
if idea.state is IdeaState.DRAFT:
    flash(_("Now: %(state)s.", state=idea.state.label))
render_template("x.html", state=state)
history = IdeaStateChange(from_state=old, to_state=new)
getattr(obj, "state")
obj.state_changed_at = now
IdeaFilters(state=IdeaState.DRAFT)
"""
    assert state_writers(source, frozenset({"Idea"})) == []


def test_the_models_with_a_state_are_the_workflows(app: Flask):
    assert {"Idea", "VoteResult", "PaperBatch"} <= workflow_models()

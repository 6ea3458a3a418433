"""The shape of the package: its layers (import-linter contracts in pyproject.toml), no import
cycles, a cheap `import whitepaper`, every rule declared once in the catalogue."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import grimp

from conftest import REPO, run_cli
from whitepaper import checks, rules

SOURCE = REPO / "src" / "whitepaper"
HEAVY = ("jinja2", "pydantic", "pypdf", "weasyprint")


def test_the_layers_hold() -> None:
    """A stage never imports a later stage; the pipeline never imports review or redline (pyproject.toml)."""
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_import_cycle_anywhere() -> None:
    graph = grimp.build_graph("whitepaper", cache_dir=None)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = stack[stack.index(module) :]
            del stack[stack.index(module) :]
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    assert cycles == []


def loaded_after(code: str) -> list[str]:
    """The heavy packages a fresh interpreter has imported after running `code`."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_the_package_and_help_load_no_heavy_library() -> None:
    assert loaded_after("import whitepaper; whitepaper.__version__") == []
    help_code = "from whitepaper.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    assert loaded_after(help_code) == []


def test_the_public_names_are_the_library() -> None:
    import whitepaper

    assert callable(whitepaper.build) and whitepaper.build.__module__ == "whitepaper.pipeline.stages"
    assert whitepaper.BuildOptions().formats is None
    assert issubclass(whitepaper.DiagnosticError, Exception)


def rule_names_used() -> set[tuple[str, str]]:
    """Every `rules.NAME` the source names, with the file it is in."""
    used = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "rules" and node.attr.isupper():
                used.add((node.attr, str(path.relative_to(SOURCE))))
    return used


def test_every_rule_named_in_the_code_is_in_the_catalogue() -> None:
    unknown = sorted((name, where) for name, where in rule_names_used() if name not in vars(rules))
    assert unknown == []
    # and no module passes a rule id as a bare string: a diagnostic is raised with its rule
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add" and node.args:
                assert not isinstance(node.args[0], ast.Constant), f"{path}: a rule id as a string"


def test_every_check_rule_belongs_to_one_registered_check() -> None:
    registered = [rule.id for check in (*checks.CHAPTER_CHECKS, *checks.PAPER_CHECKS) for rule in check.rules]
    assert len(registered) == len(set(registered))
    of_stage = {rule.id for rule in rules.CATALOGUE.values() if rule.stage == "checks"}
    assert set(registered) == of_stage


def test_rules_lists_the_catalogue() -> None:
    text = run_cli("rules")
    assert text.exit_code == 0
    for rule in rules.CATALOGUE.values():
        assert rule.id in text.output
    assert "xref-unknown" in text.output and "todo-marker" in text.output
    listed = json.loads(run_cli("rules", "--format", "json").output)
    assert {entry["id"] for entry in listed} == set(rules.CATALOGUE)
    assert {"id": "todo-marker", "severity": "warning", "stage": "checks", "summary": rules.TODO_MARKER.summary} in listed


def test_project_folder_names_are_spelled_in_project_py_only() -> None:
    names = {"whitepaper.yaml", "build/.cache", "comments.yaml", "round.yaml"}
    for path in SOURCE.rglob("*.py"):
        if path.name == "project.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert node.value not in names, f"{path.relative_to(SOURCE)} spells out {node.value!r}"
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and isinstance(node.right, ast.Constant):
                assert node.right.value not in ("build", "review", "templates", "chapters"), f"{path.relative_to(SOURCE)}: / {node.right.value!r}"


def test_the_readme_map_names_every_package_and_module() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Where things are", 1)[1].split("\n## ", 1)[0]
    for entry in sorted(SOURCE.iterdir()):
        if (entry / "__init__.py").is_file():
            assert f"`{entry.name}/`" in section, f"the README's map does not name {entry.name}/"
        elif entry.suffix == ".py" and entry.name not in ("__init__.py", "__main__.py"):
            assert f"`{entry.name}`" in section, f"the README's map does not name {entry.name}"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = next(line.split("#")[0].strip() for line in readme.splitlines() if "-m pytest" in line and "#" in line)
    assert command in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()

"""Load `.github/incident-ops.yml` into frozen dataclasses; every problem names its key path."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incident_ops import lazy
from incident_ops.config.schema import ConfigReader
from incident_ops.config.types import (
    Config,
    Problem,
    child,
    key_text,
)

if TYPE_CHECKING:
    import yaml

DEFAULT_CONFIG_PATH = ".github/incident-ops.yml"
MAX_CONFIG_CHARS = 1_000_000  # far beyond any config; a bigger file is a mistake, or an attack on the reader
MAX_DEPTH = 6  # the deepest a config goes: severity.levels.NAME.escalation.mention[i]


class ConfigError(Exception):
    """A config with mistakes; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        """Keep the problems and the file they came from (workspace-relative when possible)."""
        self.problems = list(problems)
        self.source = source
        super().__init__("\n".join(self._located(p) for p in self.problems))

    def _located(self, problem: Problem) -> str:
        """One problem prefixed with its file and line when known."""
        where = ":".join(str(part) for part in (self.source, problem.line) if part is not None)
        return f"{where}: {problem}" if where else str(problem)


class ConfigUnreadable(Exception):
    """A config file that was named explicitly (or exists) but cannot be read."""


@functools.cache
def _loader_class() -> type[yaml.SafeLoader]:
    """The YAML loader class, built on first use so runs without a config file never import yaml."""
    yaml = lazy.load("yaml")

    class _Loader(yaml.SafeLoader):
        """SafeLoader that leaves impossible dates (2024-02-30) as text for the checks to report."""

        def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
            """Construct a date/datetime, or return the scalar's text when it is not a real one."""
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError:
                return self.construct_scalar(node)

    _Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
    return _Loader


def find_workspace(given: str | None, cwd: Path) -> Path:
    """The workspace: GITHUB_WORKSPACE when set, else the nearest folder at or above `cwd` holding a
    `.github/` (as git finds a repository from inside it), else `cwd`."""
    if given:
        return Path(given)
    here = cwd.resolve()
    return next((folder for folder in (here, *here.parents) if (folder / ".github").is_dir()), cwd)


def repository_root(path: Path, otherwise: Path) -> Path:
    """The repository a config file belongs to (the folder holding its `.github/`), else `otherwise`.

    Paths in the config, such as report.template, count from there, for every subcommand alike.
    """
    folder = path.resolve().parent
    return folder.parent if folder.name == ".github" else otherwise


def parse_config(data: object, workspace: Path | None = None) -> Config:
    """Turn already-loaded YAML data into a Config; raise ConfigError listing all problems."""
    return _build(data, workspace, {}, [], None)


def load_config(workspace: Path, path: str | None = None) -> Config:
    """Load the config: path None means the default file (absent = defaults); else path from cwd."""
    if path is None:
        file = workspace / DEFAULT_CONFIG_PATH
        if not file.exists():
            return Config()
    else:
        file = Path(path)
    source = _source_name(file, workspace)
    data, lines, problems = _read_yaml(_read_text(file, source))
    return _build(data, workspace, lines, problems, source)


def validate_config_file(path: Path, workspace: Path) -> list[Problem]:
    """Every problem in the file at path ([] when valid); ConfigUnreadable if it cannot be read."""
    source = _source_name(path, workspace)
    data, lines, problems = _read_yaml(_read_text(path, source))
    try:
        _build(data, workspace, lines, problems, source)
    except ConfigError as err:
        return err.problems
    return []


def _build(
    data: object,
    workspace: Path | None,
    lines: dict[str, int],
    problems: list[Problem],
    source: str | None,
) -> Config:
    """Read data with the schema; raise ConfigError if it or loading found any problem."""
    reader = ConfigReader(workspace, lines)
    config = reader.read(data)
    found = sorted(problems + reader.problems, key=lambda p: (p.line is None, p.line or 0))
    if found:
        raise ConfigError(found, source)
    return config


def _read_text(file: Path, source: str) -> str:
    """Read a config file as text; unreadable files raise ConfigUnreadable."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigUnreadable(f"cannot read config file {file}: {reason}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = Problem("", f"the file is not UTF-8 text (byte {exc.start})")
        raise ConfigError([problem], source) from None


def _read_yaml(text: str) -> tuple[object, dict[str, int], list[Problem]]:
    """Load YAML text; return the data, each key path's 1-based line, and structural problems."""
    yaml = lazy.load("yaml")

    if len(text) > MAX_CONFIG_CHARS:
        return (
            None,
            {},
            [Problem("", f"the file has {len(text):,} characters; a config has at most 1,000,000")],
        )
    try:
        loader = _loader_class()(text)
    except yaml.YAMLError as exc:  # a control character the YAML reader refuses outright
        return None, {}, [_syntax_problem(exc)]
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        # Index before constructing: construction flattens `<<` merges into the nodes.
        lines, problems = _index(loader, node)
        return loader.construct_document(node), lines, problems
    except yaml.YAMLError as exc:
        return None, {}, [_syntax_problem(exc)]
    except RecursionError:
        why = f"lists or mappings nested too deeply to read (a config needs at most {MAX_DEPTH} levels)"
        return None, {}, [Problem("", why)]
    finally:
        loader.dispose()


def _index(loader: yaml.SafeLoader, root: yaml.Node) -> tuple[dict[str, int], list[Problem]]:
    """Map every key path to its 1-based line, and report keys given twice in one mapping."""
    yaml = lazy.load("yaml")

    lines: dict[str, int] = {"": root.start_mark.line + 1}
    problems: list[Problem] = []
    walked: set[int] = set()

    def visit(node: yaml.Node, path: str) -> None:
        """Index the children of node, which sits at path."""
        if id(node) in walked:
            return  # an alias of a node already indexed (it may even contain itself)
        walked.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines.setdefault(child(path, index), item.start_mark.line + 1)
                visit(item, child(path, index))
        elif isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                here = child(path, key_text(loader.construct_object(key_node, deep=True)))
                line = key_node.start_mark.line + 1
                if here in seen:
                    message = f"given twice (lines {seen[here]} and {line}); keep one"
                    problems.append(Problem(here, message, line))
                    continue
                seen[here] = line
                lines.setdefault(here, line)
                visit(value_node, here)

    visit(root, "")
    return lines, problems


def _syntax_problem(exc: yaml.YAMLError) -> Problem:
    """Describe a YAML syntax error with its line and column."""
    yaml = lazy.load("yaml")

    if not isinstance(exc, yaml.MarkedYAMLError):
        return Problem("", f"invalid YAML: {str(exc).splitlines()[0]}")
    mark = exc.problem_mark or exc.context_mark
    what = ": ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
    if mark is None:
        return Problem("", f"invalid YAML: {what}")
    line, column = mark.line + 1, mark.column + 1
    return Problem("", f"invalid YAML at line {line}, column {column}: {what}", line)


def _source_name(file: Path, workspace: Path) -> str:
    """The file's name for messages and annotations: workspace-relative when inside it."""
    try:
        return file.resolve().relative_to(workspace.resolve()).as_posix()
    except (ValueError, OSError):
        return str(file)

"""Tests for the config package: defaults, every kind of mistake, loading, and the annotations of problems."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_ops.cli.workflow_commands import config_problems_as_annotations
from incident_ops.config.load import (
    DEFAULT_CONFIG_PATH,
    ConfigError,
    ConfigUnreadable,
    load_config,
    parse_config,
    validate_config_file,
)
from incident_ops.config.types import (
    Config,
    EscalationConfig,
    FreshdeskConfig,
    Problem,
    StatusPageConfig,
    TeamConfig,
    WorkingHoursConfig,
)
from incident_ops.config.values import parse_duration

KEYS = [
    "team",
    "escalation",
    "updates",
    "close",
    "working_hours",
    "report",
    "integrations",
    "users",
    "after",
    "mention",
    "every",
    "days",
    "start",
    "end",
    "holidays",
    "country",
    "subdivision",
    "template",
    "templates_dir",
    "freshdesk",
    "domain_env",
    "incident_label",
    "status_page",
    "history_days",
]
BUNDLED = Path(__file__).parents[2] / "incident_ops" / "bundled" / "incident-ops.yml"
LAZY_MODULES = ("yaml", "difflib", "statistics")
# Run in a fresh interpreter: this test process has already imported yaml and friends.
LAZY_IMPORT_SCRIPT = """
import sys
from pathlib import Path

import incident_ops.cli
from incident_ops.config.load import DEFAULT_CONFIG_PATH, ConfigError, load_config
from incident_ops.config.types import Config

workspace = Path(sys.argv[1])
lazy = sys.argv[2:]
assert load_config(workspace) == Config()
loaded = [name for name in lazy if name in sys.modules]
assert not loaded, f"imported without a config file: {loaded}"

file = workspace / DEFAULT_CONFIG_PATH
file.parent.mkdir(parents=True)
file.write_text("working_hours:\\n  holidays: [2024-02-30]\\nupdates:\\n  evry: 1h\\n  evry: 2h\\n")
try:
    load_config(workspace)
except ConfigError as err:
    found, message = [(p.path, p.line) for p in err.problems], str(err)
else:
    raise AssertionError("the bad config file loaded")
assert found == [("working_hours.holidays[0]", 2), ("updates.evry", 4), ("updates.evry", 5)], found
assert "did you mean 'every'?" in message, message
file.write_text("escalation:\\n  after: 1h\\n")
assert load_config(workspace).escalation.after.total_seconds() == 3600
"""


def problems_of(text: str, workspace: Path | None = None) -> list[Problem]:
    """Parse YAML text and return the problems parse_config raises (none: fail)."""
    with pytest.raises(ConfigError) as info:
        parse_config(yaml.safe_load(text), workspace)
    return info.value.problems


def write(workspace: Path, text: str, name: str = DEFAULT_CONFIG_PATH) -> Path:
    """Write a config file under the workspace."""
    file = workspace / name
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return file


# (YAML text, the key path the problem must name, a fragment of its message)
MISTAKES = [
    ("surprise: 1", "surprise", "unknown key"),
    ("escalation: {aftr: 1h}", "escalation.aftr", "did you mean 'after'?"),
    ("team: {usres: [a]}", "team.usres", "did you mean 'users'?"),
    ("working_hours: {tz: UTC}", "working_hours.tz", "unknown key"),
    ("integrations: {slack: X}", "integrations.slack", "unknown key"),
    ("integrations: {freshdesk: {domain_env: A, api_key_env: B, x: C}}", "freshdesk.x", "unknown"),
    ("on: 1", "true", "quote it"),
    ("- a\n- b", "", "mapping"),
    ("team: [alice]", "team", "expected this section to be a mapping"),
    ("incident_label: yes", "incident_label", "quote it"),
    ("incident_label: 123", "incident_label", "expected a label name"),
    ("incident_label: ''", "incident_label", "empty"),
    ("stale_label: " + "x" * 51, "stale_label", "at most 50"),
    ("resolved_label: 'type: Hub Incident'", "resolved_label", "must differ from incident_label"),
    ("team: {min_permission: owner}", "team.min_permission", "read, triage, write"),
    ("team: {min_permission: true}", "team.min_permission", "boolean"),
    ("team: {users: alice}", "team.users", "expected a list, got a string"),
    ("team: {users: [ok, -bad]}", "team.users[1]", "not a valid GitHub login"),
    ("team: {users: [a--b]}", "team.users[0]", "not a valid GitHub login"),
    ("team: {users: [" + "a" * 40 + "]}", "team.users[0]", "not a valid GitHub login"),
    ("team: {users: [1234]}", "team.users[0]", "a number"),
    ("escalation: {after: soon}", "escalation.after", "expected a duration like 30m, 4h or 2d"),
    ("escalation: {after: 30}", "escalation.after", "expected a duration"),
    ("escalation: {after: 0m}", "escalation.after", "longer than zero"),
    ("escalation: {after: null}", "escalation.after", "nothing"),
    ("escalation: {mention: '@x'}", "escalation.mention", "expected a list"),
    ("escalation: {mention: ['@org/']}", "escalation.mention[0]", "@org/team"),
    ("escalation: {mention: ['@a b']}", "escalation.mention[0]", "@org/team"),
    ("updates: {every: 4 hours}", "updates.every", "expected a duration"),
    ("updates: {every: -4h}", "updates.every", "expected a duration"),
    ("close: {after_working_hours: 0}", "close.after_working_hours", "positive"),
    ("close: {after_working_hours: -1}", "close.after_working_hours", "positive"),
    ("close: {after_working_hours: true}", "close.after_working_hours", "boolean"),
    ("close: {after_working_hours: 48h}", "close.after_working_hours", "number of working hours"),
    ("close: {after_working_hours: .inf}", "close.after_working_hours", "positive"),
    ("working_hours: {timezone: Mars/Olympus}", "working_hours.timezone", "IANA"),
    ("working_hours: {timezone: CEST}", "working_hours.timezone", "IANA"),
    ("working_hours: {days: mon}", "working_hours.days", "expected a list"),
    ("working_hours: {days: [mon, tue, funday]}", "working_hours.days[2]", "weekday"),
    ("working_hours: {days: [mon, Monday]}", "working_hours.days[1]", "listed twice"),
    ("working_hours: {days: []}", "working_hours.days", "at least one"),
    ("working_hours: {start: 17:00}", "working_hours.start", 'quote it: "17:00"'),
    ("working_hours: {start: 09:00, end: 9:30}", "working_hours.end", 'quote it: "09:30"'),
    ("working_hours: {end: 24:00}", "working_hours.end", "quote it"),
    ("working_hours: {start: '24:00'}", "working_hours.start", '"23:59"'),
    ("working_hours: {end: '25:00'}", "working_hours.end", "expected a time"),
    ("working_hours: {start: '9am'}", "working_hours.start", "expected a time"),
    ("working_hours: {start: '17:00', end: '09:00'}", "working_hours.end", "before end"),
    ("working_hours: {holidays: 2024-12-25}", "working_hours.holidays", "expected a list"),
    ("working_hours: {holidays: [2024-12-25, xmas]}", "working_hours.holidays[1]", "date"),
    ("working_hours: {holidays: ['2024-02-30']}", "working_hours.holidays[0]", "date"),
    ("working_hours: {holidays: [2024-12-25 10:00:00]}", "working_hours.holidays[0]", "time"),
    ("working_hours: {country: XX}", "working_hours.country", "holidays package"),
    ("working_hours: {country: NO}", "working_hours.country", "quote it"),
    ("working_hours: {country: US, subdivision: ZZ}", "working_hours.subdivision", "of US"),
    (
        "working_hours: {subdivision: CA}",
        "working_hours.subdivision",
        "needs working_hours.country",
    ),
    ("report: {template: /etc/passwd}", "report.template", "not absolute"),
    ("report: {template: ../x.md}", "report.template", "inside the workspace"),
    ("report: {template: 5}", "report.template", "path"),
    ("templates_dir: C:\\templates", "templates_dir", "not absolute"),
    ("templates_dir: a/../../b", "templates_dir", "inside the workspace"),
    ("integrations: {slack_webhook_env: 'MY-HOOK'}", "integrations.slack_webhook_env", "name"),
    ("integrations: {slack_webhook_env: true}", "integrations.slack_webhook_env", "name"),
    ("integrations: {freshdesk: FRESHDESK}", "integrations.freshdesk", "mapping"),
    (
        "integrations: {freshdesk: {domain_env: D}}",
        "integrations.freshdesk.api_key_env",
        "required",
    ),
    (
        "integrations: {freshdesk: {domain_env: 1X, api_key_env: K}}",
        "integrations.freshdesk.domain_env",
        "environment variable",
    ),
    ("status_page: {titel: x}", "status_page.titel", "did you mean 'title'?"),
    ("status_page: {title: ''}", "status_page.title", "empty"),
    ("status_page: {title: 12}", "status_page.title", "quote it"),
    ("status_page: {history_days: 0}", "status_page.history_days", "positive"),
    ("status_page: {history_days: -3}", "status_page.history_days", "positive"),
    ("status_page: {history_days: 7.5}", "status_page.history_days", "whole number"),
    ("status_page: {history_days: 30d}", "status_page.history_days", "whole number"),
    ("status_page: {history_days: true}", "status_page.history_days", "boolean"),
    ("status_page: {history_days: null}", "status_page.history_days", "nothing"),
    ("status_page: on", "status_page", "mapping"),
]


@pytest.mark.parametrize(("text", "path", "fragment"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_named_by_its_key_path(text: str, path: str, fragment: str) -> None:
    """Each kind of mistake yields a problem that names its key path and says what is wrong."""
    problems = problems_of(text)
    matching = [str(p) for p in problems if path in p.path and fragment in str(p)]
    assert matching, [str(p) for p in problems]


def test_problem_renders_path_and_message() -> None:
    """str(Problem) is 'path: message', quoting what was given."""
    [problem] = problems_of("escalation: {after: soon}")
    expected = "escalation.after: expected a duration like 30m, 4h or 2d, got 'soon'"
    assert str(problem) == expected


def test_unknown_key_without_close_match_lists_the_keys() -> None:
    """An unknown key that resembles nothing lists the allowed keys."""
    [problem] = problems_of("updates: {zzz: 1}")
    assert str(problem) == "updates.zzz: unknown key (expected one of: every)"


def test_every_mistake_is_reported_at_once() -> None:
    """Several mistakes in one file are all reported together, each with its path."""
    text = """
escalation:
  aftr: 1h
  after: soon
team:
  users: [ok, -bad-]
working_hours:
  days: [mon, tue, funday]
  start: 10:00
close:
  after_working_hours: yes
"""
    paths = {p.path for p in problems_of(text)}
    assert paths == {
        "escalation.aftr",
        "escalation.after",
        "team.users[1]",
        "working_hours.days[2]",
        "working_hours.start",
        "close.after_working_hours",
    }


def test_env_var_values_are_never_echoed() -> None:
    """A secret pasted where an env-var name belongs does not appear in the message."""
    secret = "https://hooks.slack.com/services/T000/B000/XXXXSECRET"
    problems = problems_of(f"integrations: {{slack_webhook_env: '{secret}'}}")
    assert problems and all("SECRET" not in str(p) for p in problems)


@pytest.mark.parametrize("data", [None, {}, {"team": None, "escalation": {}}])
def test_empty_means_defaults(data: object) -> None:
    """An empty document, an empty mapping and empty sections all mean the defaults."""
    assert parse_config(data) == Config()


def test_defaults() -> None:
    """Config() carries the documented defaults."""
    config = Config()
    assert config.incident_label == "type: Hub Incident"
    assert config.resolved_label == "incident: resolved"
    assert config.stale_label == "incident: update overdue"
    assert config.team == TeamConfig("triage", ())
    assert config.escalation == EscalationConfig(timedelta(minutes=30), ())
    assert config.updates.every == timedelta(hours=4)
    assert config.close.after_working_hours == 48
    assert config.working_hours == WorkingHoursConfig(
        "UTC", ("mon", "tue", "wed", "thu", "fri"), "00:00", "24:00", (), None, None
    )
    assert config.report.template is None
    assert config.templates_dir is None
    assert config.integrations.slack_webhook_env is None
    assert config.integrations.freshdesk is None
    assert config.status_page == StatusPageConfig(title=None, history_days=90)


def test_status_page_settings_are_read() -> None:
    """A title (trimmed) and a number of days; null title means the repository's name."""
    config = parse_config({"status_page": {"title": "  Example Hub status ", "history_days": 30}})
    assert config.status_page == StatusPageConfig("Example Hub status", 30)
    assert parse_config({"status_page": {"title": None}}).status_page.title is None


def test_bundled_file_parses_to_the_defaults() -> None:
    """The commented config shipped with the package is exactly the defaults."""
    assert parse_config(yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))) == Config()


def test_bundled_file_lists_every_key() -> None:
    """The commented config names every key of every section."""
    data = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    defaults = Config()
    for name in Config.__dataclass_fields__:
        assert name in data
        section = getattr(defaults, name)
        for key in getattr(section, "__dataclass_fields__", {}):
            assert key in data[name], f"{name}.{key}"


def test_values_are_normalised(tmp_path: Path) -> None:
    """Logins, mentions, days, times, dates, country and subdivision come out normalised."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "report.md").write_text("# Report\n")
    text = """
team: {min_permission: Write, users: ["@Alice", bob, alice]}
escalation: {after: 1h30m, mention: [eng-lead, "@my-org/engineering"]}
updates: {every: 2d}
close: {after_working_hours: 16.5}
working_hours:
  timezone: Europe/Berlin
  days: [Friday, MON, wed]
  start: "9:00"
  end: "17:30"
  holidays: [2024-12-26, "2024-12-25", 2024-12-26]
  country: de
  subdivision: be
report: {template: docs/report.md}
templates_dir: docs
integrations:
  slack_webhook_env: SLACK_WEBHOOK_URL
  freshdesk: {domain_env: FRESHDESK_DOMAIN, api_key_env: FRESHDESK_API_KEY}
"""
    config = parse_config(yaml.safe_load(text), tmp_path)
    assert config.team == TeamConfig("write", ("alice", "bob"))
    assert config.escalation == EscalationConfig(
        timedelta(hours=1, minutes=30), ("@eng-lead", "@my-org/engineering")
    )
    assert config.updates.every == timedelta(days=2)
    assert config.close.after_working_hours == 16.5
    hours = config.working_hours
    assert hours.days == ("mon", "wed", "fri")
    assert (hours.start, hours.end) == ("09:00", "17:30")
    assert hours.holidays == (date(2024, 12, 25), date(2024, 12, 26))
    assert (hours.country, hours.subdivision) == ("DE", "BE")
    assert config.report.template == "docs/report.md"
    assert config.templates_dir == "docs"
    assert config.integrations.freshdesk == FreshdeskConfig("FRESHDESK_DOMAIN", "FRESHDESK_API_KEY")


def test_paths_must_exist_in_the_workspace(tmp_path: Path) -> None:
    """With a workspace, template and templates_dir must exist there (file and folder)."""
    (tmp_path / "file.md").write_text("x")
    problems = problems_of("report: {template: nope.md}\ntemplates_dir: file.md", tmp_path)
    assert {p.path for p in problems} == {"report.template", "templates_dir"}


def test_paths_may_not_leave_the_workspace_through_a_symlink(tmp_path: Path) -> None:
    """A symlink pointing outside the workspace is refused."""
    outside = tmp_path / "outside"
    outside.mkdir()
    workspace = tmp_path / "ws"
    workspace.mkdir()
    os.symlink(outside, workspace / "link")
    [problem] = problems_of("templates_dir: link", workspace)
    assert problem.path == "templates_dir" and "outside the workspace" in problem.message


DURATIONS = [
    ("30m", timedelta(minutes=30)),
    ("4h", timedelta(hours=4)),
    ("2d", timedelta(days=2)),
    ("1w", timedelta(weeks=1)),
    ("45s", timedelta(seconds=45)),
    ("1h30m", timedelta(hours=1, minutes=30)),
    ("1h 30m", timedelta(hours=1, minutes=30)),
    (" 2D ", timedelta(days=2)),
    ("1.5h", timedelta(minutes=90)),
    ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
]


@pytest.mark.parametrize(("text", "expected"), DURATIONS)
def test_parse_duration(text: str, expected: timedelta) -> None:
    """Durations in the documented forms parse to the right length."""
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "30", "m", "soon", "-5m", "0m", "0h0m", "30m1h", "1h1h", "4 hours", "1y"]
)
def test_parse_duration_rejects(text: str) -> None:
    """Anything else is a ValueError with a message saying what a duration looks like."""
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_missing_default_file_means_defaults(tmp_path: Path) -> None:
    """No file at the default path: the defaults."""
    assert load_config(tmp_path) == Config()


def test_default_file_is_loaded(tmp_path: Path) -> None:
    """The file at .github/incident-ops.yml under the workspace is read."""
    write(tmp_path, "escalation:\n  after: 1h\n")
    assert load_config(tmp_path).escalation.after == timedelta(hours=1)


def test_no_config_file_imports_no_yaml_difflib_or_statistics(tmp_path: Path) -> None:
    """Importing the CLI and loading the defaults leaves the lazy modules unloaded; files still load."""
    done = subprocess.run(
        [sys.executable, "-c", LAZY_IMPORT_SCRIPT, str(tmp_path), *LAZY_MODULES],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_empty_file_means_defaults(tmp_path: Path) -> None:
    """An empty or comment-only file means the defaults."""
    write(tmp_path, "# nothing here\n")
    assert load_config(tmp_path) == Config()


def test_explicit_missing_path_is_unreadable(tmp_path: Path) -> None:
    """A file named explicitly that does not exist raises ConfigUnreadable."""
    with pytest.raises(ConfigUnreadable, match="nope.yml"):
        load_config(tmp_path, str(tmp_path / "nope.yml"))


def test_explicit_directory_is_unreadable(tmp_path: Path) -> None:
    """A folder named as the config raises ConfigUnreadable."""
    with pytest.raises(ConfigUnreadable):
        load_config(tmp_path, str(tmp_path))


def test_explicit_relative_path_is_from_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative explicit path is taken from the current folder, not the workspace."""
    write(tmp_path, "updates: {every: 1h}", "here.yml")
    monkeypatch.chdir(tmp_path)
    assert load_config(tmp_path / "elsewhere", "here.yml").updates.every == timedelta(hours=1)


def test_load_reports_lines_and_source(tmp_path: Path) -> None:
    """Problems from a file carry their line, and the error its workspace-relative source."""
    write(tmp_path, "team:\n  min_permission: triage\nescalation:\n  after: soon\n  aftr: 1h\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    err = info.value
    assert err.source == ".github/incident-ops.yml"
    assert [(p.path, p.line) for p in err.problems] == [
        ("escalation.after", 4),
        ("escalation.aftr", 5),
    ]
    assert str(err).splitlines() == [
        ".github/incident-ops.yml:4: escalation.after: expected a duration like 30m, 4h or 2d, got 'soon'",
        ".github/incident-ops.yml:5: escalation.aftr: unknown key (did you mean 'after'?)",
    ]


def test_list_entries_carry_their_line(tmp_path: Path) -> None:
    """A bad list entry is reported on its own line."""
    write(tmp_path, "working_hours:\n  days:\n    - mon\n    - funday\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    [problem] = info.value.problems
    assert (problem.path, problem.line) == ("working_hours.days[1]", 4)


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    """Broken YAML is a ConfigError naming the line and column."""
    write(tmp_path, "team:\n  users: [a, b\nescalation: 1\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    [problem] = info.value.problems
    assert problem.line is not None
    assert f"line {problem.line}, column" in problem.message


def test_duplicate_keys_are_reported(tmp_path: Path) -> None:
    """A key given twice in one mapping is a problem (YAML would silently keep the last)."""
    write(tmp_path, "updates:\n  every: 1h\n  every: 2h\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    [problem] = info.value.problems
    assert (problem.path, problem.line) == ("updates.every", 3)
    assert "lines 2 and 3" in problem.message


def test_validate_config_file(tmp_path: Path) -> None:
    """validate_config_file returns every problem, or none for a valid file."""
    good = write(tmp_path, "updates: {every: 1h}\n", "good.yml")
    bad = write(tmp_path, "updates: {every: x}\nclose: {after_working_hours: 0}\n", "bad.yml")
    assert validate_config_file(good, tmp_path) == []
    assert [p.path for p in validate_config_file(bad, tmp_path)] == [
        "updates.every",
        "close.after_working_hours",
    ]
    with pytest.raises(ConfigUnreadable):
        validate_config_file(tmp_path / "missing.yml", tmp_path)


def test_annotations(tmp_path: Path) -> None:
    """Problems become ::error workflow commands with file and line."""
    write(tmp_path, "escalation:\n  after: soon\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert config_problems_as_annotations(info.value) == [
        "::error file=.github/incident-ops.yml,line=2::escalation.after: "
        "expected a duration like 30m, 4h or 2d, got 'soon'"
    ]


def test_annotations_without_source_or_line_escape_the_message() -> None:
    """Without a file the command is a bare ::error, and newlines and % are escaped."""
    err = ConfigError([Problem("a.b", "50% wrong\nreally")])
    assert config_problems_as_annotations(err) == ["::error::a.b: 50%25 wrong%0Areally"]


YAML_DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | st.dates(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.sampled_from(KEYS), YAML_DATA, max_size=5))
def test_parse_config_only_ever_raises_config_error(data: dict) -> None:
    """Whatever the data, parse_config returns a Config or raises ConfigError."""
    try:
        assert isinstance(parse_config(data), Config)
    except ConfigError as err:
        assert err.problems and all(isinstance(p, Problem) for p in err.problems)


@settings(deadline=None)
@given(st.text(alphabet="ab:-[]{}@&*!#'\"\n 0123 \t\x00\x85", max_size=40))
def test_any_text_loads_or_raises_config_error(text: str) -> None:
    """Whatever the file holds, load_config returns a Config or raises ConfigError."""
    with tempfile.TemporaryDirectory() as folder:
        write(Path(folder), text)
        try:
            load_config(Path(folder))
        except ConfigError as err:
            assert err.problems


def test_recursive_aliases_do_not_hang(tmp_path: Path) -> None:
    """A self-referencing alias is reported, not walked forever."""
    write(tmp_path, "team:\n  users: &u [a, *u]\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert [p.path for p in info.value.problems] == ["team.users[1]"]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"team:\n\tusers: [a]\n", "invalid YAML at line 2"),
        (b"team: {users: [a]\n", "invalid YAML"),
        (b"incident_label: a\nincident_label: b\n", "incident_label"),
        (b"- just\n- a list\n", "mapping"),
        (b"incident_label: " + b"[" * 600 + b"]" * 600 + b"\n", "nested too deeply"),
        (b"team: {users: [" + b"a, " * 400_000 + b"b]}\n", "at most 1,000,000"),
    ],
    ids=["binary", "tab", "unclosed", "duplicate key", "a list", "600 nested lists", "too large"],
)
def test_a_file_that_cannot_be_read_as_yaml_is_one_named_problem(
    tmp_path: Path, content: bytes, says: str
) -> None:
    path = write(tmp_path, "")
    path.write_bytes(content)

    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path, str(path))

    assert says in str(raised.value)

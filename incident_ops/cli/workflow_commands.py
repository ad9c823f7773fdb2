"""GitHub Actions workflow commands (`::error file=…::message`): escaping; config problems as annotations."""

from __future__ import annotations

from incident_ops.config.load import ConfigError


def escape_data(text: str) -> str:
    """Escape text for a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (file=…, line=…)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def config_problems_as_annotations(err: ConfigError) -> list[str]:
    """GitHub workflow commands (`::error file=...,line=...::message`), one per problem."""
    commands = []
    for problem in err.problems:
        props = []
        if err.source:
            props.append(f"file={escape_property(err.source)}")
            if problem.line is not None:
                props.append(f"line={problem.line}")
        head = "::error " + ",".join(props) if props else "::error"
        commands.append(f"{head}::{escape_data(str(problem))}")
    return commands

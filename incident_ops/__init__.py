"""incident-ops: incident response run inside GitHub issues."""

__version__ = "0.1.0"

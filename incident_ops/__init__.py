"""incident-ops: incident response run inside GitHub issues."""

__version__ = "1.0.0"
# Where the action is published: `init` writes workflows that call it here, at the moving major tag.
ACTION_HOME = "incident-ops/incident-ops"
ACTION_REF = "v" + __version__.split(".")[0]

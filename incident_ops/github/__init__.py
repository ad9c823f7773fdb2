"""The GitHub port: `port` (the interface, its failures and call counting) and `convert` (GitHub's JSON as
the core's data) use the standard library and `incident_ops.core.model` only; `adapter` implements the port
over PyGithub, with `answers` reading GitHub's error answers; they are the only modules that import it. Only
the CLI builds the adapter.
"""

"""The pure decisions: an issue's history in, the incident's state and the writes it needs out.

Model, state, the fold of the history, commands and their effects, timers on working hours, the report
check, the cache, the status view and the rendering of comments, metrics. No I/O: it may import
`incident_ops.config` (the parsed config), `incident_ops.lazy` and pure libraries (Jinja2's sandbox,
markdown-it, holidays, zoneinfo), never PyGithub, `requests`, serving, the CLI or the emulator.
"""

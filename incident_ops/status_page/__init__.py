"""The community status page: what the public may see of the incidents, and the static site that shows it.

`extract` takes a folded incident to the messages the team made public, `site` renders the pages, the Atom
feed and the JSON. Pure: no GitHub, no clock (the build time comes in), no files but its own templates. It may
import `incident_ops.core`, `incident_ops.config` and pure libraries (Jinja2's sandbox, markdown-it), never
PyGithub, `requests`, serving, the CLI or the emulator.
"""

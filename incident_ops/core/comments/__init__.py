"""The tool's own comments: their kinds, keys and hidden markers, the facts they record, the status comment's
cache, and rendering them from templates.

Pure, like all of the core: it may import the core's model, report and text, never commands, history, planning
or views.
"""

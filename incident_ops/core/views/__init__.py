"""What people read beyond the messages: the status comment's view, the Mermaid pictures, the metrics.

Pure, like all of the core: it may import anything of the core below it (state, comments, planning's timers),
nothing above it.
"""

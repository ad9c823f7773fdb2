"""Text in and out: Markdown read as blocks, team text relayed safely, wording, digests, secrets masked.

Pure, like all of the core: it imports nothing else of the core.
"""

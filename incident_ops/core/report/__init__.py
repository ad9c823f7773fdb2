"""The incident report: its template's sections and tasks, how complete an issue body is (and that check
remembered by a digest), FreshDesk ticket references.

Pure, like all of the core: it may import only the core's text.
"""

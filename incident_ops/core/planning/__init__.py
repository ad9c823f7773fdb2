"""Planning the writes an incident needs now: the plan, the answers to command comments, records of edited
comments, the timers.

Pure, like all of the core: it may import the core's model, state, actions, comments, commands, report and
text, never history or views.
"""

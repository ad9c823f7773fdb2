"""The slash commands: the registry (name, who may run it, help, effect, writes), finding command lines,
parsing their arguments, each command's effect on the state and the writes it asks for, severity levels.

Pure, like all of the core: it may import the core's model, state, actions, comments and text, never history,
planning or views.
"""

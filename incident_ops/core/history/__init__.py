"""Reading an incident's history into its state: the fold, the evidence it rests on (the tool's records and
reactions), the declaration, closes made on GitHub, the reply budget of people outside the team, known roles.

Pure, like all of the core: it may import the core's model, state, comments, commands, report and text, never
planning or views.
"""

"""Serving incidents: read an issue's history through the GitHub port, fold and plan with the core, make the
writes once (`executor`), tell chat and FreshDesk, refresh the status comment; `sweep` serves every open
incident. May import the core, config, the port's interface and the integrations, never PyGithub.
"""

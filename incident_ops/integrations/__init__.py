"""Chat (a Slack incoming webhook) and the FreshDesk ticket, told of the tool's comments once each.

May import the core, config and `requests`; never GitHub (the port or PyGithub) nor serving.
"""

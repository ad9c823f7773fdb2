"""Chat (a Slack incoming webhook), the FreshDesk ticket and PagerDuty, told of the tool's comments once each.

May import the core, config and `requests`; never GitHub (the port or PyGithub) nor serving.
"""

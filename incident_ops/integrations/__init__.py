"""Optional integrations: a chat ping (Slack incoming webhook) and the FreshDesk ticket."""

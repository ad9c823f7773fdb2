"""The incident report the demo's Support Steward writes with the bundled report template."""

REPORT = """### Summary
Users of the example hub could not log in: the authenticator timed out.

### Impact on users
Every user of the example hub, from 08:40 to 09:55 UTC; running sessions were unaffected.

### Important information
Hub URL: https://hub.example.org
Support ticket ref: 4242

### Tasks and updates
- [x] Discuss and address the incident, leaving updates as comments on this issue
- [x] The incident has been dealt with or is over
- [x] The after-action report below is filled in
- [x] The issue title is accurate and easy to find by searching
- [x] Every follow-up action has a linked issue

### Timeline
- 08:40 UTC: logins start failing
- 09:00 UTC: incident declared; 09:05 UTC: Incident Commander named
- 09:55 UTC: authenticator restarted with a longer timeout; logins work

### What went wrong
The identity provider slowed down and our authenticator's timeout was shorter than its answers.

### Where we got lucky
It happened on a Monday morning with the whole team online.

### Follow-up actions
- Process: none
- Documentation: document the authenticator timeout (#12)
- Technical improvements: alert on login failures (#13)
"""

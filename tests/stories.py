"""Hand-made incident histories (stories) for the metrics and report tests, folded as the tool folds them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from incident_ops.core.comments.markers import marker_lines
from incident_ops.core.history.fold import fold
from incident_ops.core.model import Comment, Issue, IssueEvent, IssueHistory, User
from incident_ops.core.state import IncidentState

LABEL = "type: Hub Incident"
REPO = "hub-org/support"
TEAM = {"steward", "engineer", "lead"}
BOT = User("github-actions[bot]", "Bot")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
EVERY = timedelta(hours=4)
HOSTILE = (
    'Hub "down": <script>x</script> %%{init: {"theme":"dark"}}%% #1; ``` | @everyone\nﬂ°°58¶ß 🔥 ; --> end'
)


def minutes(value: float) -> timedelta:
    """A number of minutes."""
    return timedelta(minutes=value)


class Story:
    """A hand-made incident: comments and events added in time order, folded like a real run."""

    def __init__(self, number: int = 1, title: str = "Hub down", at: datetime = T0, created: datetime = T0):
        self.number, self.title, self.declared = number, title, at
        self.created = created
        self.comments: list[Comment] = []
        self.events = [IssueEvent(1, "labeled", "steward", at, LABEL)]
        self.closed_at: datetime | None = None
        self._id = number * 100_000

    def _add(self, author: User, body: str, after: timedelta) -> Story:
        self._id += 1
        when = self.declared + after
        url = f"https://github.com/{REPO}/issues/{self.number}#issuecomment-{self._id}"
        self.comments.append(Comment(self._id, author, body, when, when, url))
        return self

    def bot(self, kind: str, key: str, after: timedelta) -> Story:
        """The tool's comment of `kind` answering `key`."""
        return self._add(BOT, marker_lines(kind, key) + f"\n{kind}", after)

    def say(self, login: str, body: str, after: timedelta) -> Story:
        """A person's comment."""
        return self._add(User(login), body, after)

    def ack(self, after: timedelta | None = None) -> Story:
        """The acknowledgement (a minute after the declaration unless told)."""
        return self.bot("acknowledgement", "acknowledgement", minutes(1) if after is None else after)

    def update(self, after: timedelta, login: str = "engineer") -> Story:
        """`/update` and the update message the tool posts for it."""
        self.say(login, "/update We are on it.", after)
        return self.bot("update", f"update/{self._id}", after)

    def close(self, after: timedelta) -> Story:
        """The issue is closed."""
        self.closed_at = self.declared + after
        return self

    def history(self) -> IssueHistory:
        """The issue's history as a run reads it."""
        issue = Issue(
            number=self.number,
            title=self.title,
            body="",
            state="closed" if self.closed_at else "open",
            author=User("reporter"),
            created_at=self.created,
            updated_at=max(
                [self.declared, *(c.created_at for c in self.comments), self.closed_at or self.declared]
            ),
            labels=(LABEL,),
            html_url=f"https://github.com/{REPO}/issues/{self.number}",
            closed_at=self.closed_at,
        )
        return IssueHistory(REPO, issue, tuple(self.comments), tuple(self.events))

    def state(self) -> IncidentState:
        """The folded state."""
        return fold(self.history(), LABEL, lambda c: c.author.login in TEAM)


def quick() -> Story:
    """Acknowledged, IC after 10 minutes, two updates, resolved after 5 hours, closed two days later."""
    story = Story(1, "Hub down").ack().say("engineer", "/commander", minutes(10))
    story.update(minutes(30)).update(timedelta(hours=3))
    return story.say("engineer", "/resolved Fixed.", timedelta(hours=5)).close(timedelta(days=2))


def reopened() -> Story:
    """Resolved after 2 hours, reopened at 6, late update at 12, resolved again at 13; no IC, still open."""
    story = Story(2, "Logins fail", at=T0 + timedelta(days=31)).ack().update(timedelta(hours=1))
    story.say("lead", "/resolved", timedelta(hours=2)).say("lead", "/reopen", timedelta(hours=6))
    return story.update(timedelta(hours=12)).say("lead", "/resolved again", timedelta(hours=13))


def active() -> Story:
    """Never acknowledged, no IC, one update at 2 hours, still active."""
    return Story(3, "Slow notebooks").update(timedelta(hours=2))


def long(updates: int = 400) -> Story:
    """Hundreds of updates three hours apart (every tenth five hours after the last), reminders, resolved."""
    story = Story(4, HOSTILE).ack().say("steward", "/commander @lead", minutes(5))
    at = timedelta(0)
    for i in range(updates):
        at += timedelta(hours=5 if i % 10 == 9 else 3)
        if i % 10 == 9:
            story.bot("update-reminder", f"update-reminder/{i}", at - timedelta(hours=1))
        story.update(at)
    story.say("lead", "/resolved", at + timedelta(hours=1))
    return story.close(at + timedelta(days=3))


def many_reopens(cycles: int = 40) -> Story:
    """Resolved and reopened again and again."""
    story = Story(5, "Flapping DNS").ack()
    for i in range(cycles):
        story.say("lead", "/resolved", timedelta(hours=2 * i + 1)).say(
            "lead", "/reopen", timedelta(hours=2 * i + 2)
        )
    return story.say("lead", "/resolved", timedelta(hours=2 * cycles + 1))


def closed_unresolved() -> Story:
    """Closed while still active (never `/resolved`)."""
    return Story(6, "Duplicate").ack().close(timedelta(hours=1))


def late_label() -> Story:
    """Opened a day before anyone labelled it an incident."""
    story = Story(7, "Quota exceeded", at=T0 + timedelta(days=1), created=T0)
    return story.ack().say("steward", "/commander", timedelta(hours=1))


NOW = T0 + timedelta(days=40)

"""The GitHub emulator, driven over real HTTP by PyGithub and requests."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from github import Auth, Github, GithubException, RateLimitExceededException

from incident_ops.emulator import GitHubEmulator

REPO = "acme/hub"
LABEL = "type: Hub Incident"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def emu() -> Iterator[GitHubEmulator]:
    """A running emulator with a repository, a writer, a triager, an outsider and the bot."""
    with GitHubEmulator(now=T0) as emulator:
        emulator.create_repo(REPO)
        emulator.add_user("alice")
        emulator.set_permission(REPO, "alice", "write")
        emulator.add_user("tom")
        emulator.set_permission(REPO, "tom", "triage")
        emulator.add_user("carol")
        emulator.add_user("github-actions[bot]", type="Bot")
        emulator.add_token("alice-token", "alice")
        emulator.add_token("bot-token", "github-actions[bot]")
        yield emulator


def client(emu: GitHubEmulator, token: str = "alice-token") -> Github:
    """Real PyGithub pointed at the emulator, without retries or throttling."""
    return Github(
        base_url=emu.api_url,
        auth=Auth.Token(token),
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )


def call(emu: GitHubEmulator, method: str, path: str, token: str | None = "alice-token", **kw):
    """A plain HTTP request to the emulator."""
    headers = {"Authorization": f"token {token}"} if token else {}
    return requests.request(method, emu.api_url + path, headers=headers, timeout=5, **kw)


def test_issue_lifecycle_with_state_reason(emu: GitHubEmulator) -> None:
    repo = client(emu).get_repo(REPO)
    issue = repo.create_issue("Hub down", "It is down.", labels=[LABEL])
    assert issue.number == 1 and issue.user.login == "alice" and issue.state == "open"
    assert [lb.name for lb in issue.labels] == [LABEL]
    assert emu.label_json(REPO, LABEL)["color"] == "ededed"

    emu.advance(timedelta(minutes=5))
    issue.edit(title="Hub is down", state="closed", state_reason="not_planned")
    fetched = repo.get_issue(1)
    assert fetched.state == "closed" and fetched.state_reason == "not_planned"
    assert fetched.closed_by.login == "alice"
    assert fetched.closed_at == T0 + timedelta(minutes=5)
    assert fetched.updated_at == T0 + timedelta(minutes=5)
    assert [i.number for i in repo.get_issues(state="closed")] == [1]
    assert list(repo.get_issues()) == []

    issue.edit(state="open")
    data = emu.issue(REPO, 1)
    assert data["state_reason"] == "reopened" and data["closed_at"] is None
    assert "pull_request" not in data and data["author_association"] == "COLLABORATOR"
    events = emu.events(REPO, 1)
    assert [e["event"] for e in events] == ["labeled", "renamed", "closed", "reopened"]
    assert events[1]["rename"] == {"from": "Hub down", "to": "Hub is down"}
    assert events[2]["state_reason"] == "not_planned"
    assert events[0]["label"] == {"name": LABEL, "color": "ededed"}

    bad = call(emu, "PATCH", f"/repos/{REPO}/issues/1", json={"state_reason": "bored"})
    assert bad.status_code == 422 and bad.json()["message"] == "Validation Failed"
    assert bad.json()["errors"][0]["field"] == "state_reason"
    missing = call(emu, "POST", f"/repos/{REPO}/issues", json={"body": "no title"})
    assert missing.status_code == 422


def test_list_by_label_across_pages(emu: GitHubEmulator) -> None:
    for n in range(35):
        labels = [LABEL] if n % 7 else []
        emu.create_issue(REPO, f"issue {n}", "", "carol", labels=labels)
    repo = client(emu).get_repo(REPO)
    found = list(repo.get_issues(labels=[repo.get_label(LABEL.upper())]))
    assert len(found) == 30 and found[0].number == 35  # newest first, as GitHub

    page1 = call(emu, "GET", f"/repos/{REPO}/issues", params={"per_page": 10})
    assert len(page1.json()) == 10
    assert set(page1.links) == {"next", "last"}
    assert "page=4" in page1.links["last"]["url"] and "per_page=10" in page1.links["next"]["url"]
    page2 = requests.get(page1.links["next"]["url"], timeout=5)
    assert set(page2.links) == {"prev", "next", "last", "first"}
    page4 = call(emu, "GET", f"/repos/{REPO}/issues", params={"per_page": 10, "page": 4})
    assert len(page4.json()) == 5 and set(page4.links) == {"prev", "first"}
    assert "Link" not in call(emu, "GET", f"/repos/{REPO}/labels").headers


def test_filters_and_sorting(emu: GitHubEmulator) -> None:
    emu.create_issue(REPO, "first", "", "carol", assignees=["alice"])
    emu.advance(timedelta(hours=1))
    emu.create_issue(REPO, "second", "", "alice")
    emu.add_comment(REPO, 1, "carol", "bump")
    query = {"since": "2026-03-02T09:30:00Z", "sort": "updated", "direction": "asc"}
    assert [i["number"] for i in call(emu, "GET", f"/repos/{REPO}/issues", params=query).json()] == [
        1,
        2,
    ]
    offset = {"since": "2026-03-02T10:30:00+01:00"}
    assert len(call(emu, "GET", f"/repos/{REPO}/issues", params=offset).json()) == 2
    by_creator = call(emu, "GET", f"/repos/{REPO}/issues", params={"creator": "carol"}).json()
    assert [i["number"] for i in by_creator] == [1]
    none = call(emu, "GET", f"/repos/{REPO}/issues", params={"assignee": "none"}).json()
    assert [i["number"] for i in none] == [2]
    assert call(emu, "GET", f"/repos/{REPO}/issues", params={"state": "x"}).status_code == 422


def test_comments_since_edit_delete(emu: GitHubEmulator) -> None:
    number = emu.create_issue(REPO, "Hub down", "", "carol")
    first = emu.add_comment(REPO, number, "carol", "first")
    emu.advance(timedelta(minutes=10))
    issue = client(emu).get_repo(REPO).get_issue(number)
    second = issue.create_comment("second")
    assert second.user.login == "alice" and second.created_at == T0 + timedelta(minutes=10)
    assert [c.id for c in issue.get_comments()] == [first, second.id]
    assert [c.body for c in issue.get_comments(since=T0 + timedelta(minutes=5))] == ["second"]

    emu.advance(timedelta(minutes=10))
    emu.edit_comment(REPO, first, "first, edited")
    since = T0 + timedelta(minutes=15)
    assert [c.body for c in issue.get_comments(since=since)] == ["first, edited"]
    assert emu.issue(REPO, number)["updated_at"] == "2026-03-02T09:20:00Z"
    assert emu.issue(REPO, number)["comments"] == 2

    second.edit("second, edited")
    assert emu.comment(REPO, second.id)["body"] == "second, edited"
    second.delete()
    assert [c["id"] for c in emu.comments(REPO, number)] == [first]
    assert call(emu, "GET", f"/repos/{REPO}/issues/comments/{second.id}").status_code == 404
    repo_wide = call(emu, "GET", f"/repos/{REPO}/issues/comments", params={"since": since})
    assert [c["id"] for c in repo_wide.json()] == [first]

    path = f"/repos/{REPO}/issues/{number}/comments"
    empty = call(emu, "POST", path, json={"body": ""})
    assert empty.status_code == 422
    long = call(emu, "POST", path, json={"body": "x" * 65537})
    assert long.status_code == 422
    assert long.json()["errors"][0]["message"] == "Body is too long (maximum is 65536 characters)"
    assert call(emu, "POST", path, json={"body": "x" * 65536}).status_code == 201


def test_labels_add_remove_with_events(emu: GitHubEmulator) -> None:
    number = emu.create_issue(REPO, "Hub down", "", "carol")
    repo = client(emu).get_repo(REPO)
    issue = repo.get_issue(number)
    issue.add_to_labels(LABEL, "bug")
    assert {lb.name for lb in issue.get_labels()} == {LABEL, "bug"}
    issue.remove_from_labels(LABEL)
    with pytest.raises(GithubException) as missing:
        issue.remove_from_labels(LABEL)
    assert missing.value.status == 404
    issue.set_labels("question")
    events = [(e["event"], e["label"]["name"], e["actor"]["login"]) for e in emu.events(REPO, 1)]
    assert events == [
        ("labeled", LABEL, "alice"),
        ("labeled", "bug", "alice"),
        ("unlabeled", LABEL, "alice"),
        ("unlabeled", "bug", "alice"),
        ("labeled", "question", "alice"),
    ]

    encoded = call(emu, "GET", f"/repos/{REPO}/labels/type%3A%20Hub%20Incident")
    assert encoded.status_code == 200 and encoded.json()["name"] == LABEL
    created = call(emu, "POST", f"/repos/{REPO}/labels", json={"name": "sev1", "color": "B60205"})
    assert created.status_code == 201 and created.json()["color"] == "b60205"
    again = call(emu, "POST", f"/repos/{REPO}/labels", json={"name": "SEV1"})
    assert again.status_code == 422 and again.json()["errors"][0]["code"] == "already_exists"
    renamed = call(emu, "PATCH", f"/repos/{REPO}/labels/question", json={"new_name": "Q"})
    assert renamed.json()["name"] == "Q" and issue.get_labels()[0].name == "Q"
    assert call(emu, "DELETE", f"/repos/{REPO}/labels/sev1").status_code == 204
    assert call(emu, "GET", f"/repos/{REPO}/labels/sev1").status_code == 404
    defaults = {lb.name for lb in repo.get_labels()}
    assert {"bug", "good first issue", "wontfix"} <= defaults


def test_assignees_with_events(emu: GitHubEmulator) -> None:
    number = emu.create_issue(REPO, "Hub down", "", "carol")
    issue = client(emu).get_repo(REPO).get_issue(number)
    issue.add_to_assignees("alice", "tom", "nobody-here")
    assert [a.login for a in issue.assignees] == ["alice", "tom"]
    issue.remove_from_assignees("alice")
    assert [a["login"] for a in emu.issue(REPO, number)["assignees"]] == ["tom"]
    events = [(e["event"], e["assignee"]["login"]) for e in emu.events(REPO, number)]
    assert events == [("assigned", "alice"), ("assigned", "tom"), ("unassigned", "alice")]
    bad = call(emu, "PATCH", f"/repos/{REPO}/issues/{number}", json={"assignees": ["ghost"]})
    assert bad.status_code == 422


def test_permission_mapping(emu: GitHubEmulator) -> None:
    repo = client(emu).get_repo(REPO)
    emu.add_user("mia")
    emu.set_permission(REPO, "mia", "maintain")
    assert repo.get_collaborator_permission("tom") == "read"
    assert repo.get_collaborator_permission("mia") == "write"
    assert repo.get_collaborator_permission("acme") == "admin"
    triage = call(emu, "GET", f"/repos/{REPO}/collaborators/tom/permission").json()
    assert (triage["permission"], triage["role_name"]) == ("read", "triage")
    assert triage["user"]["login"] == "tom"
    outsider = call(emu, "GET", f"/repos/{REPO}/collaborators/carol/permission").json()
    assert (outsider["permission"], outsider["role_name"]) == ("none", "none")
    assert call(emu, "GET", f"/repos/{REPO}/collaborators/ghost/permission").status_code == 404


def test_reactions(emu: GitHubEmulator) -> None:
    number = emu.create_issue(REPO, "Hub down", "", "carol")
    comment_id = emu.add_comment(REPO, number, "carol", "/commander")
    path = f"/repos/{REPO}/issues/comments/{comment_id}/reactions"
    first = call(emu, "POST", path, json={"content": "eyes"})
    again = call(emu, "POST", path, json={"content": "eyes"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert call(emu, "POST", path, json={"content": "wave"}).status_code == 422
    comment = client(emu).get_repo(REPO).get_issue(number).get_comment(comment_id)
    comment.create_reaction("+1")
    assert [r["content"] for r in emu.reactions(REPO, comment_id)] == ["eyes", "+1"]
    summary = emu.comment(REPO, comment_id)["reactions"]
    assert summary["total_count"] == 2 and summary["eyes"] == 1 and summary["+1"] == 1
    issue_path = f"/repos/{REPO}/issues/{number}/reactions"
    assert call(emu, "POST", issue_path, json={"content": "rocket"}).status_code == 201
    assert emu.issue(REPO, number)["reactions"]["rocket"] == 1


def test_authentication(emu: GitHubEmulator) -> None:
    assert call(emu, "GET", "/user").json()["login"] == "alice"
    bot = call(emu, "GET", "/user", token="bot-token")
    assert bot.status_code == 403
    assert bot.json()["message"] == "Resource not accessible by integration"
    bad = call(emu, "GET", f"/repos/{REPO}", token="nope")
    assert bad.status_code == 401 and bad.json()["message"] == "Bad credentials"
    assert call(emu, "GET", f"/repos/{REPO}/issues", token=None).status_code == 200
    anonymous = call(emu, "POST", f"/repos/{REPO}/issues", token=None, json={"title": "x"})
    assert anonymous.status_code == 401
    via_bearer = requests.get(
        emu.api_url + "/user", headers={"Authorization": "Bearer alice-token"}, timeout=5
    )
    assert via_bearer.json()["login"] == "alice"
    assert client(emu, "bot-token").get_user("github-actions[bot]").type == "Bot"


def test_not_found_shape_and_headers(emu: GitHubEmulator) -> None:
    missing = call(emu, "GET", f"/repos/{REPO}/issues/99")
    assert missing.status_code == 404
    assert missing.json()["message"] == "Not Found" and "documentation_url" in missing.json()
    assert missing.headers["Content-Type"] == "application/json; charset=utf-8"
    assert call(emu, "GET", "/repos/acme/other").status_code == 404
    assert call(emu, "GET", "/nowhere").status_code == 404
    ok = call(emu, "GET", f"/repos/{REPO}")
    assert ok.headers["X-RateLimit-Limit"] == "5000"
    assert ok.headers["X-RateLimit-Resource"] == "core"
    used = int(ok.headers["X-RateLimit-Used"])
    assert int(call(emu, "GET", f"/repos/{REPO}").headers["X-RateLimit-Used"]) == used + 1
    assert int(ok.headers["X-RateLimit-Remaining"]) == 5000 - used
    assert call(emu, "GET", "/rate_limit").json()["resources"]["core"]["used"] == used + 1


def test_fault_then_success(emu: GitHubEmulator) -> None:
    number = emu.create_issue(REPO, "Hub down", "", "carol")
    issue = client(emu).get_repo(REPO).get_issue(number)
    emu.inject_fault("POST", r"/issues/\d+/comments$", status=502, times=2)
    for _ in range(2):
        with pytest.raises(GithubException) as failed:
            issue.create_comment("hello")
        assert failed.value.status == 502
    assert emu.comments(REPO, number) == []
    issue.create_comment("hello")
    assert [c["body"] for c in emu.comments(REPO, number)] == ["hello"]


def test_fault_after_apply_is_a_lost_response(emu: GitHubEmulator) -> None:
    number = emu.create_issue(REPO, "Hub down", "", "carol")
    issue = client(emu).get_repo(REPO).get_issue(number)
    emu.inject_fault("POST", r"/comments$", status=504, body={"message": "gone"}, apply=True)
    with pytest.raises(GithubException) as lost:
        issue.create_comment("posted anyway")
    assert lost.value.status == 504 and lost.value.data == {"message": "gone"}
    assert [c["body"] for c in emu.comments(REPO, number)] == ["posted anyway"]
    assert emu.requests[-1].status == 504 and emu.writes() == []


def test_rate_limit_faults(emu: GitHubEmulator) -> None:
    emu.inject_secondary_rate_limit("GET", r"/issues$", retry_after=7)
    secondary = call(emu, "GET", f"/repos/{REPO}/issues")
    assert secondary.status_code == 403 and secondary.headers["Retry-After"] == "7"
    assert secondary.json()["message"].startswith("You have exceeded a secondary rate limit")
    emu.inject_primary_rate_limit("GET", r"/issues$", reset_in=30)
    with pytest.raises(RateLimitExceededException):
        list(client(emu).get_repo(REPO).get_issues())
    emu.inject_primary_rate_limit("*", r".*", reset_in=30)
    primary = call(emu, "GET", f"/repos/{REPO}")
    assert primary.headers["X-RateLimit-Remaining"] == "0"
    assert int(primary.headers["X-RateLimit-Reset"]) >= int(datetime.now(UTC).timestamp()) + 29
    emu.inject_fault("GET", r".*", status=500, times=5)
    emu.clear_faults()
    assert call(emu, "GET", f"/repos/{REPO}").status_code == 200


def test_request_log(emu: GitHubEmulator) -> None:
    number = emu.create_issue(REPO, "Hub down", "", "carol")
    emu.clear_requests()
    path = f"/repos/{REPO}/issues/{number}/labels/{LABEL}"
    call(emu, "POST", f"/repos/{REPO}/issues/{number}/comments", json={"body": "hi"})
    call(emu, "GET", f"/repos/{REPO}/issues", params={"state": "all"}, token=None)
    call(emu, "DELETE", path.replace(" ", "%20"))
    log = emu.requests
    assert [(r.method, r.status, r.login) for r in log] == [
        ("POST", 201, "alice"),
        ("GET", 200, None),
        ("DELETE", 404, "alice"),
    ]
    assert log[0].json == {"body": "hi"} and log[1].query == {"state": "all"}
    assert log[2].path == path
    assert [r.method for r in emu.writes()] == ["POST"]
    emu.clear_requests()
    assert emu.requests == []


def test_two_threads_writing_at_once(emu: GitHubEmulator) -> None:
    number = emu.create_issue(REPO, "Hub down", "", "carol")
    errors: list[BaseException] = []

    def post(tag: str) -> None:
        try:
            issue = client(emu).get_repo(REPO).get_issue(number)
            for n in range(15):
                issue.create_comment(f"{tag}{n}")
                issue.add_to_labels(f"label-{tag}")
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=post, args=(tag,)) for tag in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    comments = emu.comments(REPO, number)
    assert len(comments) == 30 and len({c["id"] for c in comments}) == 30
    assert emu.issue(REPO, number)["comments"] == 30
    assert {lb["name"] for lb in emu.issue(REPO, number)["labels"]} == {"label-a", "label-b"}


def test_seeding_records_events_and_clock(emu: GitHubEmulator) -> None:
    number = emu.create_issue(REPO, "Hub down", "body", "carol", labels=[LABEL])
    emu.advance(timedelta(minutes=30))
    emu.add_labels(REPO, number, ["bug"], "alice")
    emu.remove_label(REPO, number, LABEL, "alice")
    emu.edit_issue(REPO, number, "alice", state="closed", assignees=["alice"])
    events = emu.events(REPO, number)
    assert [(e["event"], e["created_at"]) for e in events] == [
        ("labeled", "2026-03-02T09:00:00Z"),
        ("labeled", "2026-03-02T09:30:00Z"),
        ("unlabeled", "2026-03-02T09:30:00Z"),
        ("closed", "2026-03-02T09:30:00Z"),
        ("assigned", "2026-03-02T09:30:00Z"),
    ]
    assert emu.issue(REPO, number)["state_reason"] == "completed"
    assert emu.user_json("github-actions[bot]")["type"] == "Bot"
    assert emu.repo_json(REPO)["full_name"] == REPO
    emu.set_now(datetime(2026, 3, 3, 12, 0))
    assert emu.now == datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


def test_runs_as_a_process() -> None:
    args = [sys.executable, "-m", "incident_ops.emulator", "--repo", REPO, "--user"]
    args += ["alice:write", "--user", "github-actions[bot]:Bot"]
    args += ["--token", "T:github-actions[bot]"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        base = process.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        headers = {"Authorization": "token T"}
        answer = requests.get(f"{base}/repos/{REPO}/collaborators/alice/permission", timeout=5)
        assert answer.json()["permission"] == "write"
        assert requests.get(f"{base}/user", headers=headers, timeout=5).status_code == 403
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0

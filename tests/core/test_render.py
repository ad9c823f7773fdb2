"""What the renderer's fingerprint covers: the templates it can load, never other files or links."""

from __future__ import annotations

from pathlib import Path

from incident_ops.core.render import Renderer


def test_the_fingerprint_follows_the_custom_templates_and_nothing_else(tmp_path: Path) -> None:
    folder = tmp_path / "messages"
    folder.mkdir()
    (folder / "status.md.j2").write_text("{{ marker }}\nA\n", encoding="utf-8")
    first = Renderer(folder).fingerprint

    (folder / "notes.txt").write_text("not a template", encoding="utf-8")
    (folder / "drafts").mkdir()
    (folder / "drafts" / "status.md.j2").write_text("elsewhere", encoding="utf-8")
    secret = tmp_path / "secret.md.j2"
    secret.write_text("the runner's secrets", encoding="utf-8")
    (folder / "reply.md.j2").symlink_to(secret)
    assert Renderer(folder).fingerprint == first

    (folder / "status.md.j2").write_text("{{ marker }}\nB\n", encoding="utf-8")
    assert Renderer(folder).fingerprint != first
    assert Renderer(None).fingerprint != first

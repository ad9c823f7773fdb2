"""A local, stateful GitHub REST v3 emulator for end-to-end tests, and the demo.

It stands for GitHub itself, so it imports nothing of the tool (only the standard library).
"""

from .control import DEFAULT_NOW, GitHubEmulator
from .objects import ApiError
from .server import RequestRecord

__all__ = ["DEFAULT_NOW", "ApiError", "GitHubEmulator", "RequestRecord"]

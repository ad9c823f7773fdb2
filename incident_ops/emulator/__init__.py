"""A local, stateful GitHub REST v3 emulator for end-to-end tests and the demo."""

from .control import DEFAULT_NOW, GitHubEmulator
from .records import ApiError
from .server import RequestRecord

__all__ = ["DEFAULT_NOW", "ApiError", "GitHubEmulator", "RequestRecord"]

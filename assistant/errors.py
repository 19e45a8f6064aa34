"""Errors the user can act on. Each message names the missing or bad thing.

The CLI turns any :class:`AssistantError` into a one-line message and a non-zero exit
code, never a traceback.
"""


class AssistantError(Exception):
    """Base class: an error whose message is meant for the user."""


class CorpusError(AssistantError):
    """A corpus file is missing, empty, binary or in an unknown encoding."""


class ClauseNotFound(AssistantError):
    """A clause number that the document does not have."""


class DepartmentNotFound(AssistantError):
    """A department name (or alias) that no clause mentions."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        hint = f" 您是否要找：{'、'.join(suggestions)}？" if suggestions else ""
        super().__init__(f"未找到部门“{name}”。{hint}".strip())


class ModelError(AssistantError):
    """The embedding model is missing, incomplete or fails its checksum."""


class IndexError_(AssistantError):
    """An index is missing, stale, corrupt, or being built by another process."""


class InvalidQuestion(AssistantError):
    """An empty, whitespace-only or otherwise unusable question."""


class LLMError(AssistantError):
    """The optional LLM server (ASSISTANT_LLM_URL) is misconfigured or unreachable.

    Only tools that need the server (``python -m bench llm``) raise it; answers never do —
    they fall back to the extractive answer."""

"""Offline, document-grounded Q&A over Chinese government policy documents.

The Python API::

    from assistant import Assistant
    bot = Assistant.load()
    answer = bot.ask("孵化器建设归哪个部门管？")

Heavy pieces (torch, the model, gradio) load only when first needed, so importing the
package (and ``assistant --help``) stays instant.
"""

__version__ = "0.1.0"
__all__ = ["Assistant", "Answer", "Citation"]


def __getattr__(name):
    if name == "Assistant":
        from assistant.qa import Assistant

        return Assistant
    if name in ("Answer", "Citation"):
        from assistant.answering import compose as answer

        return getattr(answer, name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")

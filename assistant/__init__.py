"""Offline, document-grounded Q&A over Chinese government policy documents.

The Python API::

    from assistant import Assistant
    bot = Assistant.load()
    answer = bot.ask("孵化器建设归哪个部门管？")

Heavy pieces (torch, the model, gradio) load only when first needed.
"""

__version__ = "0.1.0"

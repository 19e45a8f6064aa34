"""Multi-turn dialogues with the real model: the last turn of the dev dialogues must be
answered correctly often enough (a floor under the measured accuracy, so a regression in
follow-up handling fails CI). The frozen test split is reported, never gated or tuned on."""

from __future__ import annotations

import pytest

from assistant.config import REPO_ROOT, Settings
from assistant.embedding.model import model_status
from assistant.evaluation.dialogues import evaluate_dialogues

pytestmark = pytest.mark.integration

DEV_FLOOR = 0.86  # regression floor: 0.884 (114/129) measured on 2026-12-02, after the fresh batch added 60 harder dev dialogues (was 0.9 on the 55 older ones)


@pytest.fixture(scope="module")
def real_assistant():
    settings = Settings.from_env()
    status = model_status(settings)
    if not status["present"]:
        pytest.fail(f"embedding model missing at {status['path']}: run `make test` or `assistant model fetch`")
    from assistant.qa import Assistant

    return Assistant.load(settings)


def test_dev_dialogues_last_turn_accuracy(real_assistant):
    details: list = []
    metrics = evaluate_dialogues(real_assistant, REPO_ROOT / "eval" / "dialogues" / "dev.jsonl", details)
    failures = [(d["id"], d["question"], d["problems"]) for d in details if not d["ok"]]
    assert metrics["last_turn_accuracy"] >= DEV_FLOOR, failures

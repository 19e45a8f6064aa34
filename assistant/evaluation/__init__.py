"""Gold-set evaluation that can fail, measured independently of the answer code.

``gold`` loads and validates the frozen splits; ``runner`` asks every question once;
``quotes`` checks quotes against the source files; ``metrics`` turns answers into numbers
(pure functions); ``evaluate`` ties a run together; ``calibration`` is the dev-only refusal
threshold table; ``report`` writes dev | test side by side; ``gate`` holds every floor.
"""

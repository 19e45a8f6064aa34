"""What the CPU can do, and which embedding backend that makes fastest.

Read from ``/proc/cpuinfo`` (no torch import: a one-shot ``ask`` must not pay for it).
The rule, measured per CPU class (see README "Speed" and ``python -m bench bench``):

* ``onnx-int8`` — CPUs with int8 dot-product instructions (AVX512-VNNI, AVX-VNNI or AMX):
  ONNX Runtime with int8 weights in the transformer's middle layers. Queries only;
  documents are embedded in float32 so one index serves every backend.
* ``onnx`` — every other x86-64/ARM CPU (e.g. AVX2 only): ONNX Runtime in float32, the
  same numbers as sentence-transformers float32 (cosine ≥ 0.99999), without torch.
  int8 is not chosen here: without VNNI, ONNX Runtime's u8×s8 kernels can saturate.
* ``torch`` — the fallback when the ONNX export is missing or onnxruntime is not
  installed; it uses bfloat16 where the CPU computes it natively (AVX512-BF16/AMX).

``ASSISTANT_BACKEND`` overrides the choice (``auto`` | ``onnx-int8`` | ``onnx`` | ``torch``).
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from pathlib import Path

# The flags that decide the backend, in the spelling of /proc/cpuinfo.
RELEVANT_FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_tile", "amx_int8",
                  "amx_bf16")
BACKENDS = ("onnx-int8", "onnx", "torch")
CHOICES = ("auto", *BACKENDS)


@dataclass(frozen=True)
class CpuInfo:
    model: str
    flags: frozenset = field(default_factory=frozenset)
    cores: int = 1

    @property
    def relevant(self) -> list[str]:
        """The flags that matter here, in a fixed order (for reports)."""
        return [f for f in RELEVANT_FLAGS if f in self.flags]

    @property
    def int8_dot(self) -> bool:
        """Native int8 dot products (VNNI or AMX): int8 matmuls are fast and exact in int32."""
        return bool(self.flags & {"avx512_vnni", "avx_vnni", "amx_int8"})

    @property
    def native_bf16(self) -> bool:
        return bool(self.flags & {"avx512_bf16", "amx_bf16"})

    def to_dict(self) -> dict:
        return {"model": self.model, "cores": self.cores, "flags": self.relevant}


def parse_cpuinfo(text: str, cores: int | None = None) -> CpuInfo:
    """A :class:`CpuInfo` from the text of ``/proc/cpuinfo`` (x86 ``flags`` or ARM ``Features``)."""
    model, flags = "", set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("model name", "hardware", "cpu model") and not model:
            model = value.strip()
        elif key in ("flags", "features") and not flags:
            flags = set(value.split())
    return CpuInfo(model or platform.processor() or platform.machine() or "unknown", frozenset(flags),
                   cores or _usable_cpus())


def cpu_info(path: Path | str = "/proc/cpuinfo") -> CpuInfo:
    """This machine's CPU (an empty flag set where /proc/cpuinfo does not exist)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    return parse_cpuinfo(text)


def _usable_cpus() -> int:
    import os

    # The CPUs this process may run on (a container's cpuset), not the host's count.
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def preferred_backend(info: CpuInfo) -> str:
    """The fastest backend for this CPU class when everything is installed (the rule above)."""
    return "onnx-int8" if info.int8_dot else "onnx"


def choose_backend(setting: str, info: CpuInfo, available: set[str]) -> tuple[str, str]:
    """(backend, why) for ``setting`` (``auto`` or a backend name) given what is available.

    An explicit setting is honoured only when available — the caller turns a refusal into
    an error; ``auto`` falls back along onnx-int8 → onnx → torch.
    """
    if setting not in CHOICES:
        raise ValueError(f"ASSISTANT_BACKEND must be one of {', '.join(CHOICES)}, not {setting!r}")
    if setting != "auto":
        if setting not in available:
            raise LookupError(setting)
        return setting, "ASSISTANT_BACKEND"
    preferred = preferred_backend(info)
    order = BACKENDS[BACKENDS.index(preferred):]
    for backend in order:
        if backend in available:
            why = "CPU: " + ("int8 dot products (VNNI/AMX)" if info.int8_dot else "no VNNI/AMX")
            return backend, why if backend == preferred else f"{why}; {preferred} not available"
    return "torch", "nothing else available"

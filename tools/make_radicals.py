"""Regenerate ``assistant/data/radicals.json`` from Unicode's ``EquivalentUnifiedIdeograph.txt``:
the CJK Radicals Supplement (U+2E80–U+2EFF) and Kangxi Radicals (U+2F00–U+2FDF) code points
that PDF text layers (Chromium, WPS, Word exports) return in place of the ideographs they
look like (⼀ for 一, ⺠ for 民), each mapped to its equivalent unified ideograph.

The file ships in Debian's ``unicode-data`` package (no network needed beyond apt):

    apt-get download unicode-data && dpkg-deb -x unicode-data_*.deb ud
    python tools/make_radicals.py ud/usr/share/unicode/EquivalentUnifiedIdeograph.txt
"""

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "assistant" / "data" / "radicals.json"
BLOCKS = (0x2E80, 0x2FDF)
# Where a Simplified-Chinese font draws a radical with the glyph of a *different* ideograph
# than Unicode's equivalent, the PDF's reader saw that ideograph: Chromium printing with
# Noto Serif/Sans CJK SC (fonts-noto-cjk 20220127) writes ⼾ for the glyph of 户 (Unicode's
# equivalent is the traditional 戶). Found by comparing glyph ids in the SC fonts' cmaps
# (fontTools) for every mapping; these win over the Unicode file for simplified-Chinese text.
SC_GLYPHS = {"\u2f3e": "\u6237", "\u2eab": "\u7f52", "\u2e95": "\u5f50"}  # ⼾→户, ⺫→罒, ⺕→彐


def main(path: str, package: str = "unicode-data 15.0.0-1") -> None:
    text = Path(path).read_text(encoding="utf-8")
    header = text.splitlines()[:2]  # "# EquivalentUnifiedIdeograph-15.0.0.txt", "# Date: …"
    version = header[0].split("-")[-1].removesuffix(".txt")
    mapping = {}
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        source, target = (field.strip() for field in line.split(";"))
        low, _, high = source.partition("..")
        for cp in range(int(low, 16), int(high or low, 16) + 1):
            if BLOCKS[0] <= cp <= BLOCKS[1]:
                mapping[chr(cp)] = chr(int(target, 16))
    data = {
        "_source": (f"Unicode Character Database {version}, EquivalentUnifiedIdeograph.txt "
                    f"({header[1].lstrip('# ')}), © Unicode, Inc., Unicode License "
                    f"(https://www.unicode.org/terms_of_use.html); copied from Debian's package {package} "
                    "(/usr/share/unicode/EquivalentUnifiedIdeograph.txt). Only the CJK Radicals Supplement "
                    "(U+2E80-U+2EFF) and Kangxi Radicals (U+2F00-U+2FDF) lines; regenerate with tools/make_radicals.py"),
        "_version": version,
        "radicals": dict(sorted(mapping.items())),
        "_sc_glyphs": ("Overrides for simplified-Chinese text: the radical is drawn with this ideograph's glyph "
                       "in Noto Serif/Sans CJK SC (fonts-noto-cjk 20220127, glyph ids compared with fontTools), "
                       "so a PDF printed in such a font meant it; not from the Unicode file"),
        "sc_glyphs": SC_GLYPHS,
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(mapping)} mappings")


if __name__ == "__main__":
    main(*sys.argv[1:])

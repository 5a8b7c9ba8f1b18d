#!/usr/bin/env python3
"""Russian articles from Debian's translated manual pages (manpages-ru).

Renders every page under /usr/share/man/ru with groff (one line per
paragraph) and writes it as JSON Lines articles of about 1,500 characters
(whole paragraphs), titled by the page's name: real Cyrillic prose with
capitalised words (sentence starts, program and people's names), to
measure what folding Cyrillic names costs beside Reuters-21578.

usage: corpus.py OUT.jsonl
"""
import glob, json, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "common"))
from manpages import render  # noqa: E402

def main():
    out = open(sys.argv[1], "w", encoding="utf-8")
    n = 0
    for path in sorted(glob.glob("/usr/share/man/ru/man*/*.gz")):
        name = path.rsplit("/", 1)[1].rsplit(".", 2)[0]
        paras = [" ".join(p.split()) for p in render(path).split("\n")]
        paras = [p for p in paras if len(p) >= 40]
        chunk, part = [], 0
        for p in paras + [None]:
            if p is not None:
                chunk.append(p)
            if chunk and (p is None or sum(map(len, chunk)) >= 1500):
                part += 1
                n += 1
                out.write(json.dumps({"id": "ru-man-%s-%d" % (name, part),
                                      "title": "%s (%d)" % (name, part),
                                      "body": "\n".join(chunk),
                                      "lang": "ru"},
                                     ensure_ascii=False) + "\n")
                chunk = []
    print("%d articles" % n, file=sys.stderr)

main()

#!/usr/bin/env python3
"""Paragraphs of known language from Debian's translated manual pages.

For each language directory under /usr/share/man (manpages-de, -fr, ...),
renders pages with groff (one line per paragraph), keeps prose paragraphs
of at least 300 characters that are not mostly the English page of the
same name (po4a leaves untranslated strings in English: their label would
be wrong; a paragraph is dropped when over a third of its words of four
letters or more occur in the English page), and writes each one cut at 50, 100, 200 and 300 characters (at a
word boundary) as TSV: lang, length, text.

usage: samples.py OUT.tsv [PER_LANG]
"""
import glob, os, random, re, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "common"))
from manpages import render  # noqa: E402

LANGS = {"de": "de", "fr": "fr", "es": "es", "it": "it", "pl": "pl",
         "pt_BR": "pt", "ru": "ru", "nl": "nl", "uk": "uk", "cs": "cs",
         "en": "en"}
LENGTHS = (50, 100, 200, 300)


def paragraphs(text):
    for p in text.split("\n"):
        p = " ".join(p.split())
        if len(p) < 300:
            continue
        letters = sum(c.isalpha() or c == " " for c in p)
        digits = sum(c.isdigit() for c in p)
        words = p.split()
        if (letters < 0.85 * len(p) or digits > 0.02 * len(p) or
                len(p) / len(words) < 4 or "@" in p):
            continue  # option tables, code, character tables, credits
        yield p

def long_words(text):
    return [w.lower() for w in re.findall(r"\w{4,}", text)]

def mostly_english(p, english):
    w = long_words(p)
    return not w or sum(x in english or x in COMMON_EN for x in w) > len(w) / 3

# The 2000 most frequent long words of 400 English pages: untranslated
# paragraphs of pages that have no English page of the same name.
COMMON_EN = set()

def common_english(rnd):
    from collections import Counter
    pages = sorted(glob.glob("/usr/share/man/man[1-8]/*.gz"))
    rnd.shuffle(pages)
    c = Counter()
    for page in pages[:400]:
        c.update(long_words(render(page)))
    return set(w for w, _ in c.most_common(2000))

def cut(p, n):
    if len(p) <= n:
        return p
    c = p[:n]
    sp = c.rfind(" ")
    return c[:sp] if sp > n // 2 else c

def main():
    out, per = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200
    rnd = random.Random(13)
    COMMON_EN.update(common_english(random.Random(7)))
    with open(out, "w") as w:
        for d, code in LANGS.items():
            base = "/usr/share/man" if d == "en" else "/usr/share/man/" + d
            pages = sorted(glob.glob(base + "/man[1-8]/*.gz"))
            rnd.shuffle(pages)
            got = 0
            for page in pages:
                if got >= per:
                    break
                english = None
                if d != "en":
                    rel = os.path.relpath(page, base)
                    en = "/usr/share/man/" + rel
                    if os.path.exists(en):
                        english = set(long_words(render(en)))
                for p in paragraphs(render(page)):
                    if got >= per or (d != "en" and
                                      mostly_english(p, english or set())):
                        continue
                    for n in LENGTHS:
                        w.write("%s\t%d\t%s\n" % (code, n, cut(p, n)))
                    got += 1
                    if got % 5 == 0:
                        break  # a few per page: many pages per language
            print(code, got, "paragraphs", file=sys.stderr)

main()

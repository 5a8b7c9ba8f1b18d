"""manpages.py: Debian manual pages rendered as text, one line per
paragraph, for the benchmarks that need real prose of a known language
(langdetect/samples.py, translit/corpus.py)."""
import gzip, subprocess

def render(path):
    """The page at PATH (a .gz under /usr/share/man) as UTF-8 text, or ""
    when it cannot be read or groff fails on it."""
    try:
        with gzip.open(path, "rb") as f:
            src = f.read()
        r = subprocess.run(["groff", "-k", "-Tutf8", "-mandoc", "-rLL=4000n",
                            "-P-cbou"], input=src, capture_output=True,
                           timeout=20)
        return r.stdout.decode("utf-8", "replace")
    except Exception:
        return ""

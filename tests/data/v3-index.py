import json
# v3-index.jsonl: 300 articles; word w appears tf(w, i) times in article i
# (0 = absent); tests/unit/check_compat.c computes the same table.
def tf(w, i):
    if w == "kilo":  return 1 + i % 2 if i % 97 == 5 else 0
    if w == "lima":  return (4 if i % 5 == 0 else 1) if i % 7 == 0 else 0
    if w == "mike":  return 1 + i % 4
    if w == "nova":  return (40 if i % 25 == 1 else 1) if i % 2 == 1 else 0
    if w == "oscar": return 1 if i == 299 else 0
    return 0
words = ["kilo", "lima", "mike", "nova", "oscar"]
with open("v3-index.jsonl", "w") as f:
    for i in range(300):
        body = ["the", "weekly", "report"]
        for w in words:
            body += [w] * tf(w, i)
        body += ["from", "the", "harbour"]
        a = {"id": "v3-%d" % i, "title": "Harbour report",
             "body": " ".join(body), "date": "1987-03-02T10:00:00Z",
             "source": "Test Wire"}
        f.write(json.dumps(a) + "\n")

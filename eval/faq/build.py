#!/usr/bin/env python3
"""Builds eval/faq/faq.jsonl from the transcribed pairs (pairs_*.py).

The question and the answer are copied from the page named in `source`;
`q_plain` was written by hand (the words a member would type); `q_noisy`
is derived here, deterministically, from the question: accents removed,
one letter dropped in its longest word, and one abbreviation used when the
question holds a phrase people shorten (see ABBREVIATIONS)."""
import hashlib, json, pathlib, re, unicodedata

HERE = pathlib.Path(__file__).parent
ABBREVIATIONS = [
    ("contribution de vie étudiante et de campus", "CVEC"),
    ("contribution vie étudiante", "CVEC"),
    ("dossier social étudiant", "DSE"),
    ("inscription administrative", "IA"),
    ("inscription pédagogique", "IP"),
    ("ordre de mission", "OM"),
    ("pièces justificatives", "PJ"),
    ("emploi du temps", "EDT"),
    ("espace numérique de travail", "ENT"),
    ("relevé d'identité bancaire", "RIB"),
    ("université", "univ"),
    ("informations", "infos"),
    ("rendez-vous", "rdv"),
    ("mot de passe", "mdp"),
    ("baccalauréat", "bac"),
    ("première année", "L1"),
    ("master", "M1"),
    ("logement", "logt"),
    ("convention de stage", "conv de stage"),
    ("certificat de scolarité", "certif de scolarité"),
]

def strip_accents(s):
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")

def noisy(q):
    low = q
    for long, short in ABBREVIATIONS:
        m = re.search(re.escape(long), low, re.I)
        if m:
            low = low[: m.start()] + short + low[m.end():]
            break
    words = re.findall(r"\w+", low)
    longest = max((w for w in words if not w.isupper()), key=len, default="")
    if len(longest) >= 5:
        i = len(longest) // 2
        low = low.replace(longest, longest[:i] + longest[i + 1:], 1)
    return strip_accents(low).lower()

rows = []
seen = set()
for f in sorted(HERE.glob("pairs_*.py")):
    ns = {}
    exec(f.read_text(), ns)
    for source, topic, q, a, plain in ns["P"]:
        key = (source, q)
        if key in seen:
            continue
        seen.add(key)
        pid = "faq-" + hashlib.sha1(f"{source}\n{q}".encode()).hexdigest()[:10]
        rows.append({"id": pid, "question": q, "answer": a, "q_plain": plain,
                     "q_noisy": noisy(q), "topic": topic, "source": source})
with open(HERE / "faq.jsonl", "w") as out:
    for r in rows:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
print(len(rows), "pairs")

#!/usr/bin/env python3
"""Moves the interface strings of crates/web into the Fluent catalogues.

Re-runnable and idempotent: run it on any tree (a tree it already converted
is a no-op). It

  * finds French/English pairs written side by side in crates/web/src/**:
      fr(tr, "…", "…")  w(tr, "…", "…")  en(tr, "…", "…")   (any receiver)
      if en { "EN" } else { "FR" }   if tr.en() { "EN" } else { "FR" }
      (blocks may hold `.to_string()`/`.into()`/`String::from(..)`), and the
      same with `format!(..)` on both sides when both use the same arguments;
  * gives each pair a stable key derived from the French text (slug, made
    unique; the same pair always gets the same key, an existing pair in any
    catalogue keeps its key) and appends new messages to
    crates/web/locales/{fr,en}/pages.ftl;
  * rewrites the call sites: `tr.t("key").to_string()` (for `fr(..)`-like
    helpers, which returned String), `tr.t("key")` (for `if en`, which gave
    &str), `tr.t_args("key", &[("n", n.to_string().into())])` for formats;
  * rewrites `x.label(en)` / `x.label(tr.en())` to `x.label_in(tr)`;
  * rewrites the old dotted `Tr::get` keys (`tr.get("nav.home")`) to
    `tr.t("nav-home")`, in sources and templates;
  * converts `{% if X.en() %}EN{% else %}FR{% endif %}` in templates when both
    sides are plain text;
  * with --labels DIR, regenerates labels.ftl from the domain's code_enum!
    literals (key: type in kebab case + code, `ticket-status-en-cours`);
  * removes the private pair helpers once nothing calls them, and the
    `let en = tr.en();` lines nothing reads any more;
  * prints what it could NOT convert (file:line and why).

Usage: python3 scripts/i18n_extract.py [--labels crates/domain/src] [--dry-run]
"""

import argparse
import json
import os
import re
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WEB = os.path.join(ROOT, "crates", "web")
SRC = os.path.join(WEB, "src")
TEMPLATES = os.path.join(WEB, "templates")
LOCALES = os.path.join(WEB, "locales")
LANGS = ("fr", "en")

# The keys of the old `Tr::get` table, now in ui.ftl with dashes.
LEGACY_KEYS = [
    "app.tagline", "skip", "nav.main", "nav.home", "nav.institutions",
    "nav.my_institution", "nav.contacts", "nav.products", "nav.deployments",
    "nav.conventions", "nav.interactions", "nav.tasks", "nav.users",
    "nav.account", "logout", "login", "login.title", "login.email",
    "login.password", "login.throttled", "lang.switch", "lang.switch_label",
    "search", "filter", "all", "save", "cancel", "edit", "create", "new",
    "results", "none", "previous", "next", "form.errors", "required",
    "history", "export_csv", "dashboard.welcome", "dashboard.figures",
    "dashboard.tasks", "dashboard.renewals", "error.404", "error.403",
    "error.500", "error.request_id",
]


def legacy_new(k):
    return k.replace(".", "-").replace("_", "-")


# ---------------------------------------------------------------- Fluent ---

def ftl_encode(text, edges=True):
    """A Fluent pattern showing exactly `text` (single line)."""
    if text == "" and edges:
        return '{""}'
    out = []
    for ch in text:
        if ch == "{":
            out.append('{"{"}')
        elif ch == "}":
            out.append('{"}"}')
        elif ch == "\n":
            out.append('{"\\u000A"}')
        elif ch == "\t":
            out.append('{"\\u0009"}')
        else:
            out.append(ch)
    s = "".join(out)
    return keep_edges(s) if edges else s


def keep_edges(s):
    # Fluent trims the spaces around a value: keep them as placeables.
    m = re.match(r"^( +)", s)
    if m:
        s = '{"' + m.group(1) + '"}' + s[len(m.group(1)):]
    m = re.search(r"( +)$", s)
    if m:
        s = s[: -len(m.group(1))] + '{"' + m.group(1) + '"}'
    return s


def read_ftl(path):
    """(ordered list of keys, {key: raw value text}) of a catalogue."""
    keys, values = [], {}
    if not os.path.exists(path):
        return keys, values
    cur = None
    for line in open(path, encoding="utf-8").read().split("\n"):
        m = re.match(r"^([a-zA-Z][a-zA-Z0-9_-]*) =(?: (.*))?$", line)
        if m:
            cur = m.group(1)
            keys.append(cur)
            values[cur] = m.group(2) or ""
        elif cur and line.startswith(" "):
            values[cur] += "\n" + line
        else:
            cur = None
    return keys, values


class Catalogues:
    def __init__(self):
        self.files = {}
        self.values = {l: {} for l in LANGS}
        for lang in LANGS:
            d = os.path.join(LOCALES, lang)
            for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
                if name.endswith(".ftl"):
                    _, vals = read_ftl(os.path.join(d, name))
                    self.values[lang].update(vals)
        self.by_pair = {}
        for k, v in self.values["fr"].items():
            pair = (v, self.values["en"].get(k))
            self.by_pair.setdefault(pair, k)
        self.new = []  # (key, fr, en) appended this run

    def key_for(self, fr_ftl, en_ftl, fr_text):
        """The key of this pair: the existing one, or a new unique slug."""
        pair = (fr_ftl, en_ftl)
        if pair in self.by_pair:
            return self.by_pair[pair]
        base = slug(fr_text)
        key, i = base, 2
        while key in self.values["fr"] or key in self.values["en"]:
            key = f"{base}-{i}"
            i += 1
        self.values["fr"][key] = fr_ftl
        self.values["en"][key] = en_ftl
        self.by_pair[pair] = key
        self.new.append((key, fr_ftl, en_ftl))
        return key

    def write_new(self, dry):
        if not self.new or dry:
            return
        for lang, idx in (("fr", 1), ("en", 2)):
            path = os.path.join(LOCALES, lang, "pages.ftl")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            text = open(path, encoding="utf-8").read() if os.path.exists(path) else (
                "# Page strings, extracted from crates/web/src by scripts/i18n_extract.py.\n"
                "# Edit the texts freely; keys stay stable.\n")
            if text and not text.endswith("\n"):
                text += "\n"
            for entry in self.new:
                text += f"{entry[0]} = {entry[idx]}\n"
            open(path, "w", encoding="utf-8").write(text)


def slug(text, max_words=6, max_len=48):
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = t.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae")
    words = re.findall(r"[A-Za-z0-9]+", t.lower())
    out = ""
    for w in words[:max_words]:
        cand = (out + "-" + w) if out else w
        if len(cand) > max_len and out:
            break
        out = cand[:max_len]
    if not out:
        out = "txt"
    if not out[0].isalpha():
        out = "n-" + out
    return out


# ------------------------------------------------------------ Rust lexing ---

def skip_string(src, i):
    """Index just past the string literal starting at i (", r", r#", b")."""
    j = i
    if src[j] == "b":
        j += 1
    if src[j] == "r":
        j += 1
        hashes = 0
        while src[j] == "#":
            hashes += 1
            j += 1
        assert src[j] == '"'
        end = src.index('"' + "#" * hashes, j + 1)
        return end + 1 + hashes
    assert src[j] == '"'
    j += 1
    while src[j] != '"':
        j += 2 if src[j] == "\\" else 1
    return j + 1


def skip_char_or_lifetime(src, i):
    m = re.match(r"'(\\.|\\u\{[0-9a-fA-F]+\}|[^\\'])'", src[i:])
    if m:
        return i + m.end()
    return i + 1


def matching(src, i):
    """Index of the bracket closing the one at i, aware of strings/comments."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack = [pairs[src[i]]]
    j = i + 1
    while stack:
        c = src[j]
        if c == '"' or (c in "rb" and re.match(r'[rb]#*"|br#*"', src[j:j + 4]) and not re.match(r"[A-Za-z0-9_]", src[j - 1])):
            j = skip_string(src, j)
            continue
        if c == "'":
            j = skip_char_or_lifetime(src, j)
            continue
        if src.startswith("//", j):
            j = src.index("\n", j)
            continue
        if c in pairs:
            stack.append(pairs[c])
        elif c in ")]}":
            if c != stack[-1]:
                raise ValueError("unbalanced")
            stack.pop()
        j += 1
    return j - 1


def split_top(src, start, end):
    """Top-level comma-separated pieces of src[start:end]."""
    parts, depth, j, last = [], 0, start, start
    while j < end:
        c = src[j]
        if c == '"' or (c == "r" and re.match(r'r#*"', src[j:j + 3]) and not re.match(r"[A-Za-z0-9_]", src[j - 1])):
            j = skip_string(src, j)
            continue
        if c == "'":
            j = skip_char_or_lifetime(src, j)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(src[last:j])
            last = j + 1
        j += 1
    tail = src[last:end]
    if tail.strip():
        parts.append(tail)
    return [p.strip() for p in parts]


STR_RE = re.compile(r'^(?:"((?:[^"\\]|\\.|\\\n)*)"|r(#*)"(.*?)"\2)$', re.S)


def unescape(body):
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = body[i + 1]
        if n == "\n":
            i += 2
            while i < len(body) and body[i] in " \t\n\r":
                i += 1
            continue
        if n == "u":
            m = re.match(r"\\u\{([0-9a-fA-F_]+)\}", body[i:])
            out.append(chr(int(m.group(1).replace("_", ""), 16)))
            i += m.end()
            continue
        if n == "x":
            out.append(chr(int(body[i + 2:i + 4], 16)))
            i += 4
            continue
        out.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}[n])
        i += 2
    return "".join(out)


def literal(expr):
    """The text of a plain string literal expression, else None."""
    e = expr.strip()
    m = STR_RE.match(e)
    if not m:
        return None
    if m.group(1) is not None:
        return unescape(m.group(1))
    return m.group(3)


# A side of a pair: ("lit", text) or ("fmt", fstring_text, [arg exprs]) or None.
def side(expr):
    e = expr.strip()
    for suffix in (".to_string()", ".into()", ".to_owned()"):
        if e.endswith(suffix):
            e = e[: -len(suffix)].strip()
    m = re.match(r"^String::from\((.*)\)$", e, re.S)
    if m:
        e = m.group(1).strip()
    while e.startswith("&"):
        e = e[1:].strip()
    lit = literal(e)
    if lit is not None:
        return ("lit", lit)
    m = re.match(r"^format!\s*\(", e)
    if m:
        open_i = m.end() - 1
        try:
            close = matching(e, open_i)
        except Exception:
            return None
        if e[close + 1:].strip():
            return None
        parts = split_top(e, open_i + 1, close)
        if not parts:
            return None
        f = literal(parts[0])
        if f is None:
            return None
        return ("fmt", f, parts[1:])
    return None


def var_name(expr, used):
    idents = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expr)
    idents = [i for i in idents if i not in ("self", "len", "to_string", "unwrap_or", "as_str", "clone", "as", "usize", "i64", "u32", "f64")] or ["v"]
    base = idents[-1].lower().strip("_") or "v"
    if not base[0].isalpha():
        base = "v" + base
    name, i = base, 2
    while name in used and used[name] != expr:
        name = f"{base}{i}"
        i += 1
    used[name] = expr
    return name


def parse_format(f, args, used, named_exprs):
    """Fluent text of a format string, filling named_exprs {var: (expr, spec)}.
    None when the format uses something we do not map."""
    out, i, pos = [], 0, 0
    while i < len(f):
        c = f[i]
        if f.startswith("{{", i):
            out.append("{")
            i += 2
            continue
        if f.startswith("}}", i):
            out.append("}")
            i += 2
            continue
        if c == "{":
            j = f.index("}", i)
            inner = f[i + 1:j]
            name, _, spec = inner.partition(":")
            name = name.strip()
            if name == "":
                if pos >= len(args):
                    return None
                expr = args[pos]
                pos += 1
            elif name.isdigit():
                k = int(name)
                if k >= len(args):
                    return None
                expr = args[k]
            else:
                named = [a for a in args if re.match(r"^" + re.escape(name) + r"\s*=", a)]
                expr = named[0].split("=", 1)[1].strip() if named else name
            if "=" in expr and re.match(r"^[a-z_]+\s*=[^=]", expr):
                expr = expr.split("=", 1)[1].strip()
            v = var_name(expr + ("" if not spec else ":" + spec), used)
            named_exprs[v] = (expr, spec)
            out.append("\x00" + v + "\x01")
            i = j + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def fmt_to_ftl(text):
    """Fluent pattern of a parsed format text (vars as \\x00name\\x01)."""
    pieces = re.split(r"\x00([^\x01]*)\x01", text)
    out = []
    for k, p in enumerate(pieces):
        if k % 2:
            out.append("{ $" + p + " }")
        else:
            out.append(ftl_encode(p, edges=False))
    return keep_edges("".join(out))


def fmt_plain(text):
    return re.sub(r"\x00([^\x01]*)\x01", lambda m: m.group(1), text)


# ------------------------------------------------------------- conversion ---

class Converter:
    def __init__(self, cat):
        self.cat = cat
        self.report = []  # (path, line, reason)
        self.count = 0

    def pair_call(self, fr_side, en_side, recv, want_string, path, line):
        """Replacement code for one pair, or None (reported)."""
        if fr_side is None or en_side is None:
            self.report.append((path, line, "a side is not a literal or a format!"))
            return None
        if fr_side[0] == "lit" and en_side[0] == "lit":
            key = self.cat.key_for(ftl_encode(fr_side[1]), ftl_encode(en_side[1]), fr_side[1])
            self.count += 1
            code = f'{recv}.t("{key}")'
            return code + ".to_string()" if want_string else code
        if fr_side[0] == "fmt" and en_side[0] == "fmt":
            used, fr_vars, en_vars = {}, {}, {}
            f = parse_format(fr_side[1], fr_side[2], used, fr_vars)
            e = parse_format(en_side[1], en_side[2], used, en_vars)
            if f is None or e is None or fr_vars != en_vars:
                self.report.append((path, line, "format! sides with different arguments"))
                return None
            # Plain arguments only: a format spec (`{:.1}`) is applied in Rust.
            key = self.cat.key_for(fmt_to_ftl(f), fmt_to_ftl(e), fmt_plain(f))
            args = []
            for v, (expr, spec) in sorted(fr_vars.items()):
                if spec:
                    val = f'format!("{{:{spec}}}", {expr})'
                elif re.match(r"^[A-Za-z0-9_.]+(\(\))?$", expr):
                    val = f"{expr}.to_string()"
                else:
                    val = f"({expr}).to_string()"
                args.append(f'("{v}", {val}.into())')
            self.count += 1
            return f'{recv}.t_args("{key}", &[{", ".join(args)}])'
        self.report.append((path, line, "one side literal, the other format!"))
        return None

    def convert_rust(self, path, src):
        rel = os.path.relpath(path, ROOT)
        # 1. Helper calls fr(tr, a, b) / w(tr, a, b) / en(tr, a, b).
        out, i = [], 0
        call_re = re.compile(r"(?<![A-Za-z0-9_.])(?:(?:crate|super|self)::)*(?:pages::|kit::)?(fr|w|en)\s*\(")
        while True:
            m = call_re.search(src, i)
            if not m:
                break
            if re.search(r"fn\s*$", src[max(0, m.start() - 4):m.start()]):
                out.append(src[i:m.end()])
                i = m.end()
                continue
            open_i = m.end() - 1
            try:
                close = matching(src, open_i)
            except Exception:
                out.append(src[i:m.end()])
                i = m.end()
                continue
            parts = split_top(src, open_i + 1, close)
            line = src.count("\n", 0, m.start()) + 1
            if len(parts) != 3 or not re.match(r"^\*?[a-z_][a-z0-9_.]*$", parts[0]):
                out.append(src[i:m.end()])
                i = m.end()
                continue
            recv = parts[0].lstrip("*")
            rep = self.pair_call(side(parts[1]), side(parts[2]), recv, True, rel, line)
            if rep is None:
                out.append(src[i:m.end()])
                i = m.end()
                continue
            out.append(src[i:m.start()])
            out.append(rep)
            i = close + 1
        out.append(src[i:])
        src = "".join(out)

        # 2. if en { EN } else { FR }.
        out, i = [], 0
        if_re = re.compile(r"(?<![A-Za-z0-9_])if\s+(en|[a-z_][a-z0-9_.]*\.en\(\))\s*\{")
        while True:
            m = if_re.search(src, i)
            if not m:
                break
            line = src.count("\n", 0, m.start()) + 1
            b1 = m.end() - 1
            try:
                e1 = matching(src, b1)
                m2 = re.match(r"\s*else\s*\{", src[e1 + 1:])
                if not m2:
                    raise ValueError
                b2 = e1 + m2.end()
                e2 = matching(src, b2)
            except Exception:
                out.append(src[i:m.end()])
                i = m.end()
                continue
            if re.match(r"\s*else\b", src[e2 + 1:]):
                out.append(src[i:m.end()])
                i = m.end()
                continue
            en_body, fr_body = src[b1 + 1:e1].strip(), src[b2 + 1:e2].strip()
            bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', en_body + fr_body)
            if ";" in bare or "\n\n" in en_body:
                out.append(src[i:m.end()])
                i = m.end()
                continue
            cond = m.group(1)
            if cond == "en":
                lets = list(re.finditer(r"let\s+en\s*(?::\s*bool)?\s*=\s*([a-z_][a-z0-9_.]*)\.en\(\)\s*;", src[:m.start()]))
                if not lets:
                    self.report.append((rel, line, "`if en` without a `let en = <tr>.en();` above"))
                    out.append(src[i:m.end()])
                    i = m.end()
                    continue
                recv = lets[-1].group(1)
            else:
                recv = cond[: -len(".en()")]
            es, fs = side(en_body), side(fr_body)
            if es is None or fs is None:
                if (es is None) != (fs is None) or (literal_like(en_body) and literal_like(fr_body)):
                    self.report.append((rel, line, "if-en branches not both literals/format!"))
                out.append(src[i:m.end()])
                i = m.end()
                continue
            want_string = any(en_body.endswith(s) for s in (".to_string()", ".into()", ".to_owned()")) or en_body.startswith("String::from")
            rep = self.pair_call(fs, es, recv, want_string, rel, line)
            if rep is None:
                out.append(src[i:m.end()])
                i = m.end()
                continue
            if en_body.endswith(".into()") and want_string:
                rep = rep[: -len(".to_string()")] + ".into()"
            if re.search(r"\belse\s*$", src[max(0, m.start() - 12):m.start()]):
                rep = "{ " + rep + " }"
            out.append(src[i:m.start()])
            out.append(rep)
            i = e2 + 1
        out.append(src[i:])
        src = "".join(out)

        # 3. Domain labels: `x.label(en)` with a plain path receiver becomes
        # `tr.label(x)`; any other receiver `expr.label_in(tr)` (trait
        # imported).
        def tr_of(cond, pos):
            if cond != "en":
                return cond[: -len(".en()")]
            lets = list(re.finditer(r"let\s+en\s*(?::\s*bool)?\s*=\s*([$a-z_][a-z0-9_.]*)\.en\(\)\s*;", src[:pos]))
            if not lets:
                self.report.append((rel, src.count("\n", 0, pos) + 1, "`.label(en)` without `let en`"))
                return None
            return lets[-1].group(1)

        def label_simple(m):
            recv = tr_of(m.group(2), m.start())
            return m.group(0) if recv is None else f"{recv}.label({m.group(1)})"
        src = re.sub(r"(?<![A-Za-z0-9_.)\]])([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)\.label\((en|[$a-z_][a-z0-9_.]*\.en\(\))\)", label_simple, src)

        def label_rep(m):
            recv = tr_of(m.group(1), m.start())
            return m.group(0) if recv is None else f".label_in({recv})"
        src = re.sub(r"\.label\((en|[$a-z_][a-z0-9_.]*\.en\(\))\)", label_rep, src)
        if ".label_in(" in src and "LabelIn" not in src:
            src = add_use(src, "use crate::i18n::LabelIn as _;")

        # 4. Old dotted keys of Tr::get.
        src = legacy(src)
        return src

    def convert_template(self, path, src):
        rel = os.path.relpath(path, ROOT)
        src = legacy(src)
        tre = re.compile(r"\{%-?\s*if\s+([a-z_][a-z0-9_.]*)\.en\(\)\s*-?%\}(.*?)\{%-?\s*else\s*-?%\}(.*?)\{%-?\s*endif\s*-?%\}", re.S)

        def rep(m):
            recv, en, fr = m.group(1), m.group(2), m.group(3)
            if re.search(r"[<>&{}%\n]", en + fr) or "else" in en:
                if not re.search(r"\{%", en + fr):
                    self.report.append((rel, src.count("\n", 0, m.start()) + 1, "template pair with markup"))
                return m.group(0)
            lead = re.match(r"^\s*", fr).group(0)
            trail = re.search(r"\s*$", fr).group(0)
            key = self.cat.key_for(ftl_encode(fr.strip()), ftl_encode(en.strip()), fr.strip())
            self.count += 1
            return f'{lead}{{{{ {recv}.t("{key}") }}}}{trail}'
        return tre.sub(rep, src)


def literal_like(body):
    return body.startswith('"') or body.startswith("format!")


LEGACY_SET = set(LEGACY_KEYS)


def legacy(src):
    def get_rep(m):
        k = m.group(2)
        if k not in LEGACY_SET:
            return m.group(0)
        return f'{m.group(1)}.t("{legacy_new(k)}")'
    src = re.sub(r'\b((?:self\.|base\.)?(?:tr|t))\.get\("([a-z0-9_.]+)"\)', get_rep, src)
    # Dotted keys handed around as data (the navigation items).
    def dotted(m):
        k = m.group(1)
        return f'"{legacy_new(k)}"' if k in LEGACY_SET and "." in k else m.group(0)
    return re.sub(r'"([a-z0-9_]+\.[a-z0-9_.]+)"', dotted, src)


def add_use(src, line):
    m = re.search(r"^use [^\n]*;\n", src, re.M)
    if not m:
        return line + "\n" + src
    return src[: m.start()] + line + "\n" + src[m.start():]


# ------------------------------------------------------------- clean-ups ---

def cleanup(path, src):
    # `let en = tr.en();` that nothing reads any more.
    def drop_let(m):
        rest = src[m.end():]
        nxt = re.search(r"\n\s*(?:pub(?:\([a-z]+\))? )?(?:async )?fn |\blet\s+en\b", rest)
        scope = rest[: nxt.start()] if nxt else rest
        scope = re.sub(r'"(?:[^"\\]|\\.)*"', '""', scope)
        scope = re.sub(r"//[^\n]*", "", scope)
        if re.search(r"(?<![A-Za-z0-9_.\"$])en(?![A-Za-z0-9_\"(])", scope):
            return m.group(0)
        return ""
    # (and the `let _en = …;` that `cargo fix` left behind)
    src = re.sub(r"\n[ \t]*let\s+_en\s*(?::\s*bool)?\s*=\s*[a-z_][a-z0-9_.]*\.en\(\)\s*;[ \t]*(?=\n)", "", src)
    src = re.sub(r"\n[ \t]*let\s+en\s*(?::\s*bool)?\s*=\s*[a-z_][a-z0-9_.]*\.en\(\)\s*;[ \t]*(?=\n)", drop_let, src)
    # Private pair helpers nobody calls.
    for name in ("w", "en", "fr"):
        dm = re.search(r"\n(?:///[^\n]*\n)*(?:pub )?fn " + name + r"\(\s*tr: Tr,[^)]*\)\s*->\s*String\s*\{", src)
        if dm:
            body_end = matching(src, dm.end() - 1)
            rest = src[: dm.start()] + src[body_end + 1:]
            if not re.search(r"(?<![A-Za-z0-9_.])" + name + r"\s*\(", rest) and not (
                "pub fn" in dm.group(0) and used_elsewhere(name, path)
            ) and not re.search(r"(?<![A-Za-z0-9_])" + name + r"\b\s*[,)]", rest.replace("fn " + name, "")):
                src = rest
    return src


def used_elsewhere(name, except_path):
    pat = re.compile(r"(?<![A-Za-z0-9_.])" + name + r"\s*\(\s*[a-z_*]")
    for p in rust_files():
        if p != except_path and pat.search(open(p, encoding="utf-8").read()):
            return True
    return False


def drop_unused_import(src, name):
    """Removes `name` from `use …{…}` lists and `use …::name;` when unused."""
    body = re.sub(r"^\s*(?:pub\s+)?use [^;]*;", "", src, flags=re.M | re.S)
    if re.search(r"(?<![A-Za-z0-9_])" + name + r"(?![A-Za-z0-9_])", body):
        return src

    def fix(m):
        stmt = m.group(0)
        new = re.sub(r"(?<=[{,])\s*" + name + r"\s*,", "", stmt)
        new = re.sub(r",\s*" + name + r"\s*(?=\})", "", new)
        new = re.sub(r"\{\s*" + name + r"\s*\}", "{}", new)
        if re.search(r"::\s*\{\s*\}\s*;", new) or re.search(r"::" + name + r"\s*;$", new.strip()):
            return ""
        new = re.sub(r"::\{\s*([A-Za-z0-9_]+)\s*\}", r"::\1", new)
        return new
    return re.sub(r"^[ \t]*(?:pub\s+)?use [^;]*;[ \t]*\n?", fix, src, flags=re.M | re.S)


# --------------------------------------------------------------- labels ---

def kebab(name):
    return re.sub(r"(?<!^)([A-Z])", r"-\1", name).lower()


def extract_labels(domain_dir):
    entries = []
    for dirpath, _, files in sorted(os.walk(domain_dir)):
        for f in sorted(files):
            if not f.endswith(".rs"):
                continue
            src = open(os.path.join(dirpath, f), encoding="utf-8").read()
            for m in re.finditer(r"code_enum!\s*\(", src):
                if src[m.start() - 1:m.start()] in ("!",) or "macro_rules" in src[max(0, m.start() - 30):m.start()]:
                    continue
                close = matching(src, m.end() - 1)
                body = src[m.end():close]
                tm = re.search(r"([A-Z][A-Za-z0-9]*)\s*\{", body)
                if not tm:
                    continue
                kind = tm.group(1)
                for vm in re.finditer(
                    r'([A-Z][A-Za-z0-9]*)\s*=>\s*\(\s*"([^"]*)"\s*,\s*("(?:[^"\\]|\\.)*")\s*,\s*("(?:[^"\\]|\\.)*")\s*,?\s*\)',
                    body,
                ):
                    code, fr, en = vm.group(2), literal(vm.group(3)), literal(vm.group(4))
                    key = kebab(kind) + "-" + code.replace("_", "-")
                    entries.append((os.path.relpath(os.path.join(dirpath, f), ROOT), kind, key, fr, en))
            # Hand-written enums with data (SlaState): `impl X` holding
            # `fn code(&self)`, `fn label_fr(&self)` and `fn label(&self, en)`.
            for im in re.finditer(r"\nimpl ([A-Z][A-Za-z0-9]*) \{", src):
                kind = im.group(1)
                close = matching(src, im.end() - 1)
                body = src[im.end():close]

                def arms(fn):
                    fm = re.search(r"fn " + fn + r"\(&self[^)]*\)[^{]*\{", body)
                    if not fm:
                        return None
                    fbody = body[fm.end():matching(body, fm.end() - 1)]
                    return dict(re.findall(kind + r"::([A-Z][A-Za-z0-9]*)[^=]*=>\s*(\"(?:[^\"\\\\]|\\\\.)*\")", fbody))
                codes, frs, ens = arms("code"), arms("label_fr"), arms("label")
                if not codes or not frs or not ens:
                    continue
                for variant, code in codes.items():
                    code = literal(code)
                    key = kebab(kind) + "-" + code.replace("_", "-")
                    entries.append((os.path.relpath(os.path.join(dirpath, f), ROOT), kind, key,
                                    literal(frs[variant]), literal(ens[variant])))
    return entries


def write_labels(entries, dry):
    for lang, idx in (("fr", 3), ("en", 4)):
        lines = [
            "# Domain labels (statuses, categories), generated by scripts/i18n_extract.py",
            "# --labels crates/domain/src from the code_enum! literals. Key: type + code.",
        ]
        last = None
        for e in entries:
            if e[1] != last:
                lines.append("")
                lines.append(f"## {e[1]} ({e[0]})")
                last = e[1]
            lines.append(f"{e[2]} = {ftl_encode(e[idx])}")
        text = "\n".join(lines) + "\n"
        path = os.path.join(LOCALES, lang, "labels.ftl")
        if not dry:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
            if old != text:
                open(path, "w", encoding="utf-8").write(text)


# ----------------------------------------------------------------- main ---

def rust_files():
    for dirpath, _, files in sorted(os.walk(SRC)):
        for f in sorted(files):
            if f.endswith(".rs"):
                yield os.path.join(dirpath, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labels", help="domain source folder to extract code_enum! labels from")
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--json", help="write the report of unconverted places to this file")
    a = ap.parse_args()

    cat = Catalogues()
    conv = Converter(cat)
    changed = []
    for p in rust_files():
        if p.endswith(os.path.join("src", "i18n.rs")):
            continue
        src = open(p, encoding="utf-8").read()
        new = conv.convert_rust(p, src)
        if new != src:
            changed.append(p)
            if not a.dry_run:
                open(p, "w", encoding="utf-8").write(new)
    if os.path.isdir(TEMPLATES):
        for dirpath, _, files in sorted(os.walk(TEMPLATES)):
            for f in sorted(files):
                p = os.path.join(dirpath, f)
                src = open(p, encoding="utf-8").read()
                new = conv.convert_template(p, src)
                if new != src:
                    changed.append(p)
                    if not a.dry_run:
                        open(p, "w", encoding="utf-8").write(new)
    cat.write_new(a.dry_run)
    # Clean-ups need the whole tree converted first.
    if not a.dry_run:
        for p in rust_files():
            src = open(p, encoding="utf-8").read()
            new = cleanup(p, src)
            for name in ("fr", "w", "en"):
                if not re.search(r"(?<![A-Za-z0-9_.])" + name + r"\s*\(", re.sub(r"^\s*(?:pub\s+)?use [^;]*;", "", new, flags=re.M)):
                    new = drop_unused_import(new, name)
            if new != src:
                if p not in changed:
                    changed.append(p)
                open(p, "w", encoding="utf-8").write(new)
    if a.labels:
        entries = extract_labels(os.path.join(ROOT, a.labels) if not os.path.isabs(a.labels) else a.labels)
        write_labels(entries, a.dry_run)
        print(f"labels: {len(entries)} domain labels in labels.ftl")

    print(f"converted: {conv.count} pairs, {len(cat.new)} new messages, {len(changed)} files changed")
    if conv.report:
        print(f"NOT converted ({len(conv.report)}):")
        for path, line, why in conv.report:
            print(f"  {path}:{line}: {why}")
    if a.json:
        json.dump([{"file": p, "line": l, "why": w} for p, l, w in conv.report], open(a.json, "w"), indent=1)


if __name__ == "__main__":
    sys.exit(main())

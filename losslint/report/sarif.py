"""SARIF 2.1.0 for GitHub code scanning (validated in tests against the OASIS schema).

Pure function of the diagnostics and the rule catalog. Positions on disk come from the caller
(`physical(ref)`: for a notebook, the line of the source inside the `.ipynb` JSON) so GitHub
shows the finding on the right line of the file; `line_text(ref)` feeds a fingerprint that survives
unrelated edits above the finding. URIs are relative to `root` (the repository root).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Callable, Mapping, Sequence

from ..diagnostics import Confidence, Diagnostic, SourceRef
from .urls import PROJECT_URL as INFORMATION_URI, rule_url

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
Physical = Callable[[SourceRef], SourceRef]
LineText = Callable[[SourceRef], str]


def level(code: str) -> str:
    """error: training is wrong or crashes; warning: metrics / unreadable files; note: coverage."""
    if code == "LL901":
        return "note"
    if code == "LL900" or code.startswith("LL3"):
        return "warning"
    return "error"


def _severity(code: str) -> str:
    return {"error": "error", "warning": "warning", "note": "recommendation"}[level(code)]


def _section(doc: str, title: str) -> str:
    match = re.search(rf"## {re.escape(title)}\s*\n(.+?)(?=\n## |\Z)", doc, re.S)
    return " ".join(match.group(1).split()) if match else ""


def _limit(text: str, size: int = 1024) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def rule_descriptor(rule) -> dict:
    summary = rule.summary or rule.name
    why = _section(rule.doc, "Why is this bad?")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _limit(summary)},
        "fullDescription": {"text": _limit(f"{summary} {why}".strip())},
        "help": {"text": rule.doc or summary, "markdown": rule.doc or summary},
        "helpUri": rule_url(rule.code),
        "defaultConfiguration": {"enabled": bool(rule.default), "level": level(rule.code)},
        "properties": {
            "tags": ["keras", "pytorch", "correctness", "static-analysis"],
            "precision": "high",
            "problem.severity": _severity(rule.code),
        },
    }


def _uri(path: str, root: str) -> tuple[str, bool]:
    """(uri, relative?) — repo-relative POSIX path when under `root`, else a file:// URI."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, root)
    if not relative.startswith(os.pardir):  # percent-encoded like as_uri() (spaces, non-UTF-8 names)
        return urllib.parse.quote_from_bytes(os.fsencode(Path(relative).as_posix())), True
    return Path(absolute).as_uri(), False


def _region(ref: SourceRef) -> dict:
    line = max(ref.line, 1)
    region = {"startLine": line, "startColumn": ref.col + 1}
    if ref.end_line and (ref.end_line, ref.end_col) >= (ref.line, ref.col):
        region["endLine"] = ref.end_line
        region["endColumn"] = max(ref.end_col + 1, 1)
    return region


def _location(ref: SourceRef, filename: str | None, root: str, physical: Physical, **extra) -> dict:
    uri, relative = _uri(filename or ref.path or "<unknown>", root)
    artifact = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = "%SRCROOT%"
    on_disk = physical(ref)
    location = {"physicalLocation": {"artifactLocation": artifact, "region": _region(on_disk)}}
    location.update(extra)
    return location


def _fingerprint(d: Diagnostic, line_text: LineText) -> str:
    text = " ".join(line_text(d.anchor).split())
    basis = "\0".join([d.code, d.filename or d.anchor.path or "", text or d.message])
    return hashlib.sha256(basis.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def render(diagnostics: Sequence[Diagnostic], rules: Mapping[str, object], *, root: str, version: str,
           physical: Physical = lambda ref: ref, line_text: LineText = lambda ref: "") -> str:
    catalog = list(rules.values())
    index = {rule.code: i for i, rule in enumerate(catalog)}
    occurrences: Counter[str] = Counter()
    results = []
    for d in diagnostics:
        fingerprint = _fingerprint(d, line_text)
        occurrences[fingerprint] += 1
        message = d.message + (f"\nhelp: {d.help}" if d.help else "")
        result = {
            "ruleId": d.code,
            "level": level(d.code),
            "message": {"text": message},
            "locations": [_location(d.anchor, d.filename, root, physical)],
            "partialFingerprints": {"primaryLocationLineHash": f"{fingerprint}:{occurrences[fingerprint]}"},
            "properties": {"confidence": d.confidence.value if isinstance(d.confidence, Confidence)
                           else str(d.confidence)},
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.anchor.cell is not None:
            result["properties"]["cell"] = d.anchor.cell
            result["properties"]["cellLine"] = d.anchor.line
        related = [
            _location(r.ref, r.ref.path or d.filename, root, physical, id=i, message={"text": r.message})
            for i, r in enumerate(d.related, start=1) if r.ref.is_static
        ]
        if related:
            result["relatedLocations"] = related
        results.append(result)
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "losslint",
                "version": version,
                "semanticVersion": version,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(rule) for rule in catalog],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(os.path.abspath(root)).as_uri() + "/"}},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)

"""JUnit XML (`--output-format junit`), the shape ruff writes: one `<testsuite>` per file, one
failing `<testcase name="losslint.LL101">` per finding; a clean run is one passing test case, so
CI test-report views show "no findings" rather than nothing."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Sequence

from ..diagnostics import Diagnostic
from .text import position


def render(diagnostics: Sequence[Diagnostic]) -> str:
    suites = ET.Element("testsuites", name="losslint", tests=str(max(len(diagnostics), 1)),
                        failures=str(len(diagnostics)), errors="0")
    if not diagnostics:
        suite = ET.SubElement(suites, "testsuite", name="losslint", tests="1", disabled="0", errors="0",
                              failures="0", package="org.losslint")
        ET.SubElement(suite, "testcase", name="No errors found")
    by_file: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_file.setdefault(d.filename or d.anchor.path or "-", []).append(d)
    for filename, found in by_file.items():
        suite = ET.SubElement(suites, "testsuite", name=filename, tests=str(len(found)), disabled="0",
                              errors="0", failures=str(len(found)), package="org.losslint")
        classname = filename.rsplit(".", 1)[0].replace("/", ".").replace("\\", ".")
        for d in found:
            case = ET.SubElement(suite, "testcase", name=f"org.losslint.{d.code}", classname=classname,
                                 line=str(d.anchor.line), column=str(d.anchor.col + 1))
            failure = ET.SubElement(case, "failure", message=d.message)
            failure.text = f"{position(d.anchor, filename)}: {d.code} {d.message}" + (
                f"\nhelp: {d.help}" if d.help else "")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")

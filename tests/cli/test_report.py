"""Report renderers: escaping for GitHub annotations, JUnit errors, JSON verdict."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from cli.outcomes import Outcome, failed
from cli.problems import Direction, Problem
from cli.report import render_github, render_json, render_junit, render_text

PROBLEM = Problem("TYPE_CHANGED", "#/a", Direction.BACKWARD, "50% of\nit", "fix, please")
BAD = Outcome("s:1", "dir/a,b.json", "BACKWARD", False, (PROBLEM,))
BROKEN = failed("t", "t.json", "FULL", "not valid")
GOOD = Outcome("u", "u.json", "FULL", True)


def test_github_annotations_escape_data_and_properties() -> None:
    lines = render_github([BAD, BROKEN, GOOD]).splitlines()
    assert lines[0].startswith("::error file=dir/a%2Cb.json,title=s%3A1%3A TYPE_CHANGED at #/a::")
    assert "50%25 of%0Ait" in lines[0]
    assert lines[1] == "::error file=t.json,title=t%3A not checked::not valid"
    assert lines[-1] == "3 checked: 1 compatible, 1 incompatible, 1 not checked"


def test_junit_counts_failures_and_errors() -> None:
    root = ET.fromstring(render_junit([BAD, BROKEN, GOOD]).split("\n", 1)[1])
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    assert suite.find("testcase[@name='t']/error") is not None
    assert suite.find("testcase[@name='u']/failure") is None


def test_json_verdict_is_false_when_anything_was_not_checked() -> None:
    assert json.loads(render_json([GOOD]))["compatible"] is True
    assert json.loads(render_json([GOOD, BROKEN]))["compatible"] is False


def test_text_shows_errors_and_the_summary() -> None:
    text = render_text([BROKEN, GOOD])
    assert "ERROR t (t.json): not valid" in text
    assert "OK    u (u.json): compatible at FULL" in text

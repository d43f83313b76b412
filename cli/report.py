"""Rendering check outcomes: text for people, JSON for tools, GitHub annotations, JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence

from cli.outcomes import Outcome
from cli.problems import Problem

FORMATS = ("text", "json", "github", "junit")


def _against(problem: Problem) -> str:
    against = problem.against
    return "" if against is None else f" (against {against})"


def _summary(outcomes: Sequence[Outcome]) -> str:
    if outcomes and all(o.validation for o in outcomes):
        valid = sum(1 for o in outcomes if o.error is None)
        return f"{len(outcomes)} checked: {valid} valid, {len(outcomes) - valid} not valid"
    compatible = sum(1 for o in outcomes if o.error is None and o.compatible)
    errors = sum(1 for o in outcomes if o.error is not None)
    incompatible = len(outcomes) - compatible - errors
    return (
        f"{len(outcomes)} checked: {compatible} compatible, {incompatible} incompatible, "
        f"{errors} not checked"
    )


def problem_lines(problem: Problem) -> list[str]:
    """One problem as the text report shows it: where, what, what breaks, and a hint."""
    return [
        f"  - {problem.type} at {problem.path}{_against(problem)}",
        f"      what:   {problem.message}",
        f"      breaks: {problem.breaks}",
        f"      hint:   {problem.hint}",
    ]


def render_text(outcomes: Sequence[Outcome]) -> str:
    """A readable report: one block per schema, each problem with what breaks and a hint."""
    lines: list[str] = []
    for outcome in outcomes:
        title = outcome.name if outcome.name == outcome.file else f"{outcome.name} ({outcome.file})"
        if outcome.error is not None:
            lines.append(f"ERROR {title}: {outcome.error}")
            continue
        if outcome.validation:
            lines.append(f"OK    {title}: a valid {outcome.schema_type} schema")
            continue
        if outcome.compatible:
            lines.append(f"OK    {title}: compatible at {outcome.level}")
            continue
        lines.append(f"FAIL  {title}: incompatible at {outcome.level}")
        for problem in outcome.problems:
            lines += problem_lines(problem)
    lines.append(_summary(outcomes))
    return "\n".join(lines)


def _problem_json(problem: Problem) -> dict[str, object]:
    return {
        "type": problem.type,
        "path": problem.path,
        "direction": problem.direction.value,
        "against_version": problem.against_version,
        "against_file": problem.against_file,
        "message": problem.message,
        "breaks": problem.breaks,
        "hint": problem.hint,
    }


def render_json(outcomes: Sequence[Outcome]) -> str:
    """One JSON document: the overall verdict and every outcome with its problems."""
    document = {
        "compatible": all(o.error is None and o.compatible for o in outcomes),
        "results": [
            {
                "name": o.name,
                "file": o.file,
                "level": o.level or None,
                "compatible": o.compatible,
                "error": o.error,
                "problems": [_problem_json(p) for p in o.problems],
            }
            for o in outcomes
        ],
    }
    return json.dumps(document, indent=2)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(outcomes: Sequence[Outcome]) -> str:
    """GitHub Actions workflow commands: one `::error` annotation per problem or failure."""
    lines: list[str] = []
    for outcome in outcomes:
        file = _escape_property(outcome.file)
        if outcome.error is not None:
            title = _escape_property(f"{outcome.name}: not checked")
            lines.append(f"::error file={file},title={title}::{_escape_data(outcome.error)}")
            continue
        for problem in outcome.problems:
            title = _escape_property(f"{outcome.name}: {problem.type} at {problem.path}")
            text = f"{problem.message}. Breaks: {problem.breaks}. Hint: {problem.hint}"
            lines.append(f"::error file={file},title={title}::{_escape_data(text)}")
    lines.append(_summary(outcomes))
    return "\n".join(lines)


def render_junit(outcomes: Sequence[Outcome]) -> str:
    """JUnit XML: a test case per schema, a failure if incompatible, an error if unchecked."""
    failures = sum(1 for o in outcomes if o.error is None and not o.compatible)
    errors = sum(1 for o in outcomes if o.error is not None)
    suites = ET.Element("testsuites")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="cairn check",
        tests=str(len(outcomes)),
        failures=str(failures),
        errors=str(errors),
    )
    for outcome in outcomes:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"cairn.check.{outcome.level or 'VALID'}",
            name=outcome.name,
        )
        case.set("file", outcome.file)
        if outcome.error is not None:
            ET.SubElement(case, "error", message=outcome.error).text = outcome.error
        elif not outcome.compatible:
            body = "\n".join(
                f"{p.type} at {p.path}{_against(p)}: {p.message}\n  breaks: {p.breaks}\n"
                f"  hint: {p.hint}"
                for p in outcome.problems
            )
            ET.SubElement(
                case,
                "failure",
                message=f"{len(outcome.problems)} incompatible change(s)",
                type="incompatible",
            ).text = body
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")


RENDERERS: dict[str, Callable[[Sequence[Outcome]], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "junit": render_junit,
}

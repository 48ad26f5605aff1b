"""docs/rules.md is generated from the catalogue (rules.py) and the rule cases; the other
documents name only rules that exist."""

import re

from rules import RULES
from rules_doc import DOC, REPO, render

RULE_ID = re.compile(r"\bCFG-[A-Z]+-\d{3}\b")


def test_rules_md_is_the_generated_catalogue():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/rules.md differs from tools/cfggen/rules.py and tests/cfggen/rule_cases.py: "
        "run /usr/bin/python3 tests/cfggen/rules_doc.py --write")


def test_rule_ids_have_the_stable_form():
    for rule_id in RULES:
        assert re.fullmatch(r"CFG-[A-Z]+-\d{3}", rule_id), rule_id


def test_documents_name_existing_rules_only():
    documents = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    for document in documents:
        for rule_id in RULE_ID.findall(document.read_text(encoding="utf-8")):
            assert rule_id in RULES, f"{document.name} names {rule_id}, which is no rule"


def test_configuration_guide_points_to_the_catalogue():
    assert "(rules.md)" in (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")

"""<scenario>.md: the review (review_model.Review) as Markdown, to read as text or in a forge."""

import review_format as fmt
from review_model import FINDING, NOBODY

_SIGN_OFF = ("Reviewer", "Date", "Decision (approved / approved with findings / rejected)",
             "Signature")


def render_review_md(review):
    out = [f"# Tessera configuration review: {review.scenario}", ""]
    out += _pairs(("Item", "Value"), review.header)
    out += ["",
            f"The hypervisor prints `config {review.boot_hash}` at boot: the first 16 hex "
            f"digits of the configuration hash `{review.digest}` above (SHA-256 of the "
            f"generated tables and every blob they embed).",
            ""]
    out += _summary(review)
    out += ["## Host platform", ""] + _pairs(("Item", "Value"), review.host) + [""]
    out += ["## Partitions", ""]
    for partition in review.partitions:
        out += [f"### {partition.key} {partition.name}", ""]
        out += _pairs(("Item", "Value"), partition.facts) + [""]
        for title, table in partition.tables:
            out += [f"#### {title}", ""] + _table(table) + [""]
    out += _matrix(review)
    out += _memory(review)
    out += ["## Interrupt routing", "",
            "A passthrough interrupt is taken on the host PLIC's S-mode context of the hart "
            "running the partition's virtual hart 0, then raised on the partition's virtual "
            "PLIC, which delivers it to the virtual harts whose S-mode context enables it.", ""]
    out += _table(review.interrupts) + [""]
    out += _rules(review)
    out += ["## SHA-256 of every file", "", "### Inputs", ""] + _files(review.inputs)
    out += ["", "### Outputs", ""] + _files(review.outputs) + [""]
    out += ["## Sign-off", ""] + _pairs(("Item", "Entry"), [(item, "") for item in _SIGN_OFF])
    return "\n".join(out) + "\n"


def _summary(review):
    findings = review.findings
    passed = sum(1 for rule in review.rules if rule.verdict != FINDING)
    return ["## Summary", "",
            f"- {len(review.partitions)} partition(s): "
            + ", ".join(f"{p.key} {p.name}" for p in review.partitions),
            f"- {len(review.rules)} rules: {passed} PASS, {len(review.rules) - passed} with "
            f"findings ({len(findings)} finding(s))",
            f"- {len(review.inputs)} input files and {len(review.outputs)} output files hashed",
            ""]


def _matrix(review):
    columns = ("Kind", "Resource") + tuple(owner.label for owner in review.owners) + ("Detail",)
    rows = []
    for row in review.matrix:
        marks = tuple(_owner_mark(owner.key) if owner.key == row.owner else ""
                      for owner in review.owners)
        rows.append((row.kind, row.resource) + marks + (row.detail,))
    return (["## Allocation matrix", "",
             "Every host hart, every piece of host RAM, every host device (and every device "
             "the hypervisor emulates) and every host interrupt source, with its one owner. "
             "Hypervisor-owned resources are marked **HV**; the hypervisor also runs, in "
             "HS-mode, on every hart that a partition owns.", ""]
            + _markdown_table(columns, rows) + [""])


def _owner_mark(key):
    if key == "hypervisor":
        return "**HV**"
    if key == NOBODY:
        return "-"
    return "■"


def _memory(review):
    rows = [(fmt.addr(block.base), fmt.addr(block.end), fmt.size(block.size),
             review.owner_label(block.owner),
             block.label, block.detail) for block in review.memory]
    return (["## Host physical memory map", "",
             "From the lowest address up; address ranges not listed hold no RAM, reserved "
             "memory or device that anyone owns. The HTML review draws this map.", ""]
            + _markdown_table(("Start", "End", "Size", "Owner", "Use", "From"), rows) + [""])


def _rules(review):
    rows = [(rule.id, rule.severity, rule.title,
             f"**{FINDING}** ({len(rule.findings)})" if rule.verdict == FINDING else rule.verdict)
            for rule in review.rules]
    out = ["## Rules", "",
           "Every rule cfggen applies. A configuration that breaks an error rule is never "
           "generated, so error rules all read PASS here; a warning rule's findings are "
           "listed below it for the reviewer to accept or reject.", ""]
    out += _markdown_table(("Rule", "Severity", "Title", "Result"), rows) + [""]
    findings = review.findings
    out += ["### Findings", ""]
    if not findings:
        return out + ["None.", ""]
    for finding in findings:
        where = ", ".join(part for part in (finding.partition, finding.where, finding.node)
                          if part)
        out.append(f"- **{FINDING}** [{finding.rule_id}] {_inline(where)}: "
                   f"{_inline(finding.message)}")
    return out + [""]


def _files(entries):
    return _markdown_table(("Role", "File", "Bytes", "SHA-256"),
                           [(e.role, e.path, str(e.size), f"`{e.sha256}`") for e in entries])


def _pairs(columns, pairs):
    return _markdown_table(columns, [(label, value) for label, value in pairs])


def _table(table):
    if not table.rows:
        return [f"_{table.empty}_"]
    return _markdown_table(table.columns, table.rows)


def _markdown_table(columns, rows):
    out = ["| " + " | ".join(_cell(column) for column in columns) + " |",
           "|" + "|".join(" --- " for _ in columns) + "|"]
    out += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
    return out


def _cell(text):
    return _inline(str(text)).replace("|", "\\|")


def _inline(text):
    return " ".join(str(text).split())

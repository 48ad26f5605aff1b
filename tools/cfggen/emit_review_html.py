"""<scenario>.html: the review (review_model.Review) as one self-contained HTML page.

Inline CSS and the inline SVG memory map (review_svg); no script, no external
file, font or stylesheet: the page renders the same offline, from an e-mail
attachment or printed.
"""

from html import escape

import review_format as fmt
from review_model import DEVICE, FINDING, HART, INTERRUPT, NOBODY, RAM_ROW, Table
from review_svg import owner_colour, render_memory_svg

_SIGN_OFF = ("Reviewer", "Date", "Decision (approved / approved with findings / rejected)",
             "Signature")
_GROUPS = ((HART, "Harts"), (RAM_ROW, "Host RAM"), (DEVICE, "Devices"),
           (INTERRUPT, "Host interrupt sources"))

_CSS = """
:root { --ink: #263238; --muted: #546e7a; --rule: #cfd8dc; --pass: #2e7d32; --finding: #b26a00; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #f5f7f8; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; background: #ffffff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px;
     border-bottom: 2px solid var(--ink); }
h3 { font-size: 17px; margin: 22px 0 8px; }
h4 { font-size: 14px; margin: 16px 0 6px; color: var(--muted); }
p.note { color: var(--muted); margin: 4px 0 10px; max-width: 900px; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
              font-size: 12.5px; }
table { border-collapse: collapse; margin: 4px 0 8px; }
th, td { border: 1px solid var(--rule); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eceff1; font-weight: 600; }
table.facts th { width: 210px; background: #f5f7f8; }
table.data tbody tr:nth-child(even) td { background: #fafbfc; }
td.empty { color: var(--muted); font-style: italic; }
.hash { border: 2px solid var(--ink); border-radius: 6px; padding: 10px 14px; margin: 14px 0;
        background: #f8fafb; }
.hash .value { font-size: 15px; font-weight: 600; word-break: break-all; }
nav ol { columns: 3; margin: 8px 0; padding-left: 20px; }
.cards { display: flex; gap: 14px; flex-wrap: wrap; }
.card { border: 1px solid var(--rule); border-radius: 6px; padding: 10px 14px; min-width: 200px; }
.card .big { font-size: 22px; font-weight: 700; }
.partition { border: 1px solid var(--rule); border-left: 8px solid var(--owner);
             border-radius: 4px; padding: 4px 16px 10px; margin: 14px 0; }
.partition > h3 { color: var(--owner); }
.chip { display: inline-block; width: 12px; height: 12px; border-radius: 2px;
        vertical-align: -1px; margin-right: 6px; border: 1px solid rgba(0,0,0,.35); }
table.matrix td.own { text-align: center; vertical-align: middle; font-weight: 700;
                      white-space: nowrap; }
table.matrix th.owner { text-align: center; white-space: nowrap; }
table.matrix tr.group th { background: #cfd8dc; text-align: left; }
table.matrix td.resource { white-space: nowrap; }
.verdict { display: inline-block; min-width: 70px; text-align: center; border-radius: 3px;
           padding: 0 6px; font-weight: 700; color: #ffffff; }
.verdict.pass { background: var(--pass); }
.verdict.finding { background: var(--finding); }
ul.findings li { margin: 6px 0; }
td.sha { white-space: nowrap; font-size: 12px; }
.map { overflow-x: auto; border: 1px solid var(--rule); border-radius: 4px; padding: 6px; }
table.sign td { width: 520px; height: 34px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print {
  body { background: #ffffff; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; }
  .partition, tr, .map { break-inside: avoid; }
}
"""


def render_review_html(review):
    title = f"Tessera configuration review: {review.scenario}"
    out = ["<!DOCTYPE html>",
           '<html lang="en">',
           "<head>",
           '<meta charset="utf-8"/>',
           '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
           f"<title>{escape(title)}</title>",
           f"<style>{_CSS}</style>",
           "</head>",
           "<body>",
           "<main>",
           f"<h1>{escape(title)}</h1>",
           _hash_box(review),
           _facts(review.header),
           _nav()]
    out += _summary(review)
    out += ['<section id="host">', "<h2>Host platform</h2>", _facts(review.host), "</section>"]
    out += _partitions(review)
    out += _matrix(review)
    out += _memory(review)
    out += _interrupts(review)
    out += _rules(review)
    out += _files(review)
    out += _sign_off()
    out += ["<footer>Written by tools/cfggen/review.py from the inputs listed above; "
            "self-contained: no script and no external resource.</footer>",
            "</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _hash_box(review):
    return ('<div class="hash" id="config-hash">Configuration hash '
            f'<div class="value mono" data-digest="{review.digest}">{review.digest}</div>'
            f'The hypervisor prints <code>config {review.boot_hash}</code> at boot: the first '
            "16 hex digits of this SHA-256 of the generated tables and every blob they "
            "embed.</div>")


def _nav():
    items = (("summary", "Summary"), ("host", "Host platform"), ("partitions", "Partitions"),
             ("matrix", "Allocation matrix"), ("memory", "Host memory map"),
             ("interrupts", "Interrupt routing"), ("rules", "Rules"),
             ("files", "SHA-256 of every file"), ("sign-off", "Sign-off"))
    links = "".join(f'<li><a href="#{anchor}">{text}</a></li>' for anchor, text in items)
    return f"<nav><ol>{links}</ol></nav>"


def _summary(review):
    findings = review.findings
    passed = sum(1 for rule in review.rules if rule.verdict != FINDING)
    names = ", ".join(f"{p.key} {p.name}" for p in review.partitions)
    finding_class = "finding" if findings else "pass"
    return ['<section id="summary">', "<h2>Summary</h2>", '<div class="cards">',
            f'<div class="card"><div class="big">{len(review.partitions)}</div>'
            f"partition(s): {escape(names)}</div>",
            f'<div class="card"><div class="big">{passed} / {len(review.rules)}</div>'
            "rules PASS</div>",
            f'<div class="card"><div class="big"><span class="verdict {finding_class}">'
            f"{len(findings)}</span></div>finding(s) to accept or reject</div>",
            f'<div class="card"><div class="big">{len(review.inputs)} + '
            f"{len(review.outputs)}</div>input and output files hashed</div>",
            "</div>", "</section>"]


def _partitions(review):
    out = ['<section id="partitions">', "<h2>Partitions</h2>"]
    for partition in review.partitions:
        out.append(f'<article class="partition" id="{partition.key}" '
                   f'style="--owner: {owner_colour(partition.key)}">')
        out.append(f'<h3><span class="chip" style="background: {owner_colour(partition.key)}">'
                   f"</span>{escape(partition.key)} {escape(partition.name)}</h3>")
        out.append(_facts(partition.facts))
        for title, table in partition.tables:
            out += [f"<h4>{escape(title)}</h4>", _table(table)]
        out.append("</article>")
    return out + ["</section>"]


def _matrix(review):
    owners = review.owners
    head = "".join(f'<th class="owner" scope="col">{_owner_chip(owner.key)}'
                   f"{escape(owner.label)}</th>" for owner in owners)
    out = ['<section id="matrix">', "<h2>Allocation matrix</h2>",
           '<p class="note">Every host hart, every piece of host RAM, every host device (and '
           "every device the hypervisor emulates) and every host interrupt source, with its one "
           "owner. Hypervisor-owned resources are marked <b>HV</b>; the hypervisor also runs, in "
           "HS-mode, on every hart that a partition owns.</p>",
           '<table class="matrix data">',
           f'<thead><tr><th scope="col">Resource</th>{head}<th scope="col">Detail</th></tr>'
           "</thead>", "<tbody>"]
    for kind, heading in _GROUPS:
        rows = [row for row in review.matrix if row.kind == kind]
        if not rows:
            continue
        out.append(f'<tr class="group"><th colspan="{len(owners) + 2}">{heading}</th></tr>')
        for row in rows:
            cells = "".join(_owner_cell(owner.key) if owner.key == row.owner else "<td></td>"
                            for owner in owners)
            out.append(f'<tr class="resource" data-kind="{escape(row.kind)}" '
                       f'data-owner="{escape(row.owner)}"><td class="resource">'
                       f"{escape(row.resource)}</td>{cells}<td>{escape(row.detail)}</td></tr>")
    return out + ["</tbody>", "</table>", "</section>"]


def _owner_chip(key):
    return f'<span class="chip" style="background: {owner_colour(key)}"></span>'


def _owner_cell(key):
    mark = {"hypervisor": "HV", NOBODY: "&#8212;"}.get(key, "&#9632;")
    colour = owner_colour(key)
    return (f'<td class="own" style="background: {colour}22; color: {colour}" '
            f'title="owner">{mark}</td>')


def _memory(review):
    rows = tuple((fmt.addr(block.base), fmt.addr(block.end), fmt.size(block.size),
             review.owner_label(block.owner),
                  block.label, block.detail) for block in review.memory)
    return ['<section id="memory">', "<h2>Host physical memory map</h2>",
            '<p class="note">Addresses increase downwards. Each band is one piece of host '
            "memory with a single owner; its height grows with the logarithm of its size, and "
            "address ranges that hold nothing owned are cut out of the axis (the break says "
            "how much). Hover a band for its details.</p>",
            f'<div class="map">{render_memory_svg(review)}</div>',
            "<h4>The same, as a table</h4>",
            _table(Table(("Start", "End", "Size", "Owner", "Use", "From"), rows)),
            "</section>"]


def _interrupts(review):
    return ['<section id="interrupts">', "<h2>Interrupt routing</h2>",
            '<p class="note">A passthrough interrupt is taken on the host PLIC\'s S-mode context '
            "of the hart running the partition's virtual hart 0, then raised on the partition's "
            "virtual PLIC, which delivers it to the virtual harts whose S-mode context enables "
            "it.</p>",
            _table(review.interrupts), "</section>"]


def _rules(review):
    out = ['<section id="rules">', "<h2>Rules</h2>",
           '<p class="note">Every rule cfggen applies. A configuration that breaks an error rule '
           "is never generated, so error rules all read PASS here; a warning rule's findings "
           "are listed below for the reviewer to accept or reject.</p>",
           '<table class="rules data">',
           '<thead><tr><th scope="col">Rule</th><th scope="col">Severity</th>'
           '<th scope="col">Title</th><th scope="col">Result</th></tr></thead>', "<tbody>"]
    for rule in review.rules:
        verdict = rule.verdict.lower()
        count = f" ({len(rule.findings)})" if rule.findings else ""
        out.append(f'<tr data-rule="{escape(rule.id)}"><td class="mono">{escape(rule.id)}</td>'
                   f"<td>{escape(rule.severity)}</td><td>{escape(rule.title)}</td>"
                   f'<td><span class="verdict {verdict}">{escape(rule.verdict)}</span>{count}'
                   "</td></tr>")
    out += ["</tbody>", "</table>", '<h3 id="findings">Findings</h3>']
    findings = review.findings
    if not findings:
        return out + ["<p>None.</p>", "</section>"]
    out.append('<ul class="findings">')
    for finding in findings:
        where = ", ".join(part for part in (finding.partition, finding.where, finding.node)
                          if part)
        out.append(f'<li><span class="verdict finding">{FINDING}</span> '
                   f'<span class="mono">[{escape(finding.rule_id)}]</span> '
                   f"<b>{escape(where)}</b>: {escape(finding.message)}</li>")
    return out + ["</ul>", "</section>"]


def _files(review):
    out = ['<section id="files">', "<h2>SHA-256 of every file</h2>"]
    for title, entries in (("Inputs", review.inputs), ("Outputs", review.outputs)):
        out += [f"<h3>{title}</h3>", '<table class="files data">',
                '<thead><tr><th scope="col">Role</th><th scope="col">File</th>'
                '<th scope="col">Bytes</th><th scope="col">SHA-256</th></tr></thead>', "<tbody>"]
        out += [f"<tr><td>{escape(e.role)}</td><td class=\"mono\">{escape(e.path)}</td>"
                f'<td>{e.size}</td><td class="mono sha">{e.sha256}</td></tr>' for e in entries]
        out += ["</tbody>", "</table>"]
    return out + ["</section>"]


def _sign_off():
    rows = "".join(f'<tr><th scope="row">{escape(item)}</th><td></td></tr>'
                   for item in _SIGN_OFF)
    return ['<section id="sign-off">', "<h2>Sign-off</h2>",
            f'<table class="sign facts"><tbody>{rows}</tbody></table>', "</section>"]


def _facts(pairs):
    rows = "".join(f'<tr><th scope="row">{escape(label)}</th><td>{escape(value)}</td></tr>'
                   for label, value in pairs)
    return f'<table class="facts"><tbody>{rows}</tbody></table>'


def _table(table):
    if not table.rows:
        return f'<table class="data"><tbody><tr><td class="empty">{escape(table.empty)}</td>' \
               f"</tr></tbody></table>"
    head = "".join(f'<th scope="col">{escape(column)}</th>' for column in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>"
                   for row in table.rows)
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

"""``cellwatch attribute``, ``device``, ``prisoner``, ``judge``, ``evaluate`` and
``export attributions``: thin shells over :mod:`cellwatch.attribution`.

Every command acts as ``CELLWATCH_PRINCIPAL``. ``device``, ``prisoner`` and ``judge`` go
through :mod:`cellwatch.attribution.service.attributions`: records are opened as the API and the web
open them (the policy, ``--reason`` outside one's own organisation, the read audited) and
judgements are decided, recorded under the acting user and audited. ``attribute`` and
``evaluate`` go through :mod:`cellwatch.attribution.service.runs` (the whole estate's judgement
permission: a national unit's analysts and supervisors, or ``system``); ``export
attributions`` through :mod:`cellwatch.exchange.service.exports` (the prisoners the principal may
see, a reason for users, audited).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from cellwatch.cli.context import (
    EXPORT_REASON,
    cli_access,
    console,
    opened,
    print_json,
    settings_from_env,
)

REASON = typer.Option(None, "--reason", help="Why the record is opened; required outside "
                      "your own organisation (audited).")


def register(app: typer.Typer) -> None:
    """Add the attribution commands to ``app`` (``export attributions`` joins any
    ``export`` group another module made)."""
    app.command("attribute")(attribute_command)
    app.command("device")(device_command)
    app.command("prisoner")(prisoner_command)
    app.command("evaluate")(evaluate_command)
    judge = typer.Typer(help="Confirm, reject or mark unsure a link or an attribution.",
                        no_args_is_help=True)
    judge.command("attribution")(judge_attribution)
    judge.command("link")(judge_link)
    judge.command("undo")(judge_undo)
    app.add_typer(judge, name="judge")
    # The shared ``export`` group (cellwatch.cli.export) is mounted by its own module.
    from cellwatch.cli.export import export_app

    export_app.command("attributions")(export_attributions_command)


def attribute_command(
    window: int = typer.Option(14, "--window", min=1, help="Trailing window, days."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
    rebuild: bool = typer.Option(
        False, "--rebuild", help="Recompute every day and fit the model again, rather than "
        "update the days new evidence touches with the last run's model."),
) -> None:
    """Update the identity graph and attribute every identifier (a new run).

    A run continues the last one: the days new evidence touches are scored again and the
    rest carried over; it says when it could not and re-scored every day instead.
    """
    from cellwatch.attribution.service.runs import attribute_and_alert

    # The alert rules run after every attribution run (new attributions, new links).
    report, alerts = attribute_and_alert(cli_access(settings_from_env()), window, rebuild)
    doc = {"run_id": report.run_id, "mode": report.plan.mode, "reason": report.plan.reason,
           "cut": report.plan.cut.isoformat() if report.plan.cut else None,
           "attributions": report.attributions,
           "identifiers": report.identifiers, "links_added": report.links.added,
           "links_updated": report.links.updated, "hubs": report.links.hubs,
           "estimate": report.result.estimate.as_dict(), "alerts_raised": alerts}
    if as_json:
        print_json(doc)
        return
    out = console()
    out.print(f"run {report.run_id} ({report.plan.mode}: {report.plan.reason}): "
              f"{report.attributions} attributions of "
              f"{report.identifiers} identifiers; links +{report.links.added} "
              f"(~{report.links.updated} updated), {len(report.links.hubs)} hubs reported; "
              f"{doc['alerts_raised']} alerts raised", highlight=False)
    table = Table("field", "level", "weight (bits)", title="estimated weights")
    weights: dict[str, dict[str, float]] = report.result.estimate.as_dict()["weights_log2"]
    for field, levels in weights.items():
        for level, w in levels.items():
            table.add_row(field, level, f"{w:+.2f}")
    out.print(table)


def _print_attribution(out: Any, r: dict[str, Any], label: str) -> None:
    out.print(f"[bold]{label}[/] p={r['probability']:.2f} rank {r['rank']} "
              f"{r['valid_from']}..{r['valid_to']} {r['status']}", highlight=False)
    for e in r.get("evidence", []):
        out.print(f"    {e['description']}: weight {e['weight_log2']:+.1f}", highlight=False)


def device_command(
    identifier: str = typer.Argument(..., help="IMEI, IMSI or number."),
    reason: str | None = REASON,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Who a device (or SIM, or number) is attributed to, on what evidence, and its links."""
    from cellwatch.attribution.service.attributions import device_attributions

    access = cli_access()
    doc = opened(lambda: device_attributions(access, identifier, reason))
    if as_json:
        print_json(doc)
        return
    out = console()
    out.print(f"[bold]{doc['identifier']}[/] (run {doc['run_id']})", highlight=False)
    for r in doc["attributions"]:
        _print_attribution(out, r, r["prison_number"])
    for s in doc["sim_history"]:
        out.print(f"  SIM {s['imsi']} {s['first_seen'][:10]}..{s['last_seen'][:10]}",
                  highlight=False)
    for k in doc["links"]:
        out.print(f"  link {k['a_type']} {k['a']} - {k['b_type']} {k['b']} ({k['source']}, "
                  f"{k['count']}x, {k['first_seen'][:10]}..{k['last_seen'][:10]}, "
                  f"{k['status']})", highlight=False)


def prisoner_command(
    prison_number: str = typer.Argument(..., help="Prison number, e.g. A1234BC."),
    reason: str | None = REASON,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Identifiers attributed to a prisoner with probabilities, evidence and a timeline."""
    from cellwatch.attribution.service.attributions import prisoner_attributions

    access = cli_access()
    number = prison_number.strip().upper()
    doc = opened(lambda: prisoner_attributions(access, number, reason))
    if as_json:
        print_json(doc)
        return
    out = console()
    out.print(f"[bold]{doc['prison_number']}[/] (run {doc['run_id']})", highlight=False)
    for entry in doc["identifiers"]:
        out.print(f"{entry['identifier_type']} {entry['identifier']} "
                  f"max p={entry['max_probability']:.2f}", highlight=False)
        for r in entry["timeline"]:
            _print_attribution(out, r, "  ")


def judge_attribution(
    identifier: str = typer.Argument(...), prison_number: str = typer.Argument(...),
    verdict: str = typer.Option(..., "--verdict", help="CONFIRMED, REJECTED or UNSURE."),
    reason: str = typer.Option(..., "--reason"),
    identifier_type: str = typer.Option("IMEI", "--type", help="IMEI, IMSI or MSISDN."),
) -> None:
    """Judge an attribution of an identifier to a prisoner."""
    from cellwatch.attribution.service.attributions import judge_attribution as judge

    j = judge(cli_access(), identifier_type, identifier, prison_number, verdict, reason)
    console().print(f"judgement {j.id}: {j.verdict}", highlight=False)


def judge_link(
    a_type: str = typer.Argument(...), a: str = typer.Argument(...),
    b_type: str = typer.Argument(...), b: str = typer.Argument(...),
    verdict: str = typer.Option(..., "--verdict"), reason: str = typer.Option(..., "--reason"),
) -> None:
    """Judge a link between two identifiers (e.g. IMEI 35... IMSI 234...)."""
    from cellwatch.attribution.service.attributions import judge_link as judge

    j = judge(cli_access(), a_type, a, b_type, b, verdict, reason)
    console().print(f"judgement {j.id}: {j.verdict}", highlight=False)


def judge_undo(judgement_id: int = typer.Argument(...)) -> None:
    """Undo a judgement (it stays on record, marked undone)."""
    from cellwatch.attribution.service.attributions import undo_judgement

    j = undo_judgement(cli_access(), judgement_id)
    console().print(f"judgement {j.id} undone", highlight=False)


def evaluate_command(
    truth: Path | None = typer.Option(
        None, "--truth", help="Simulator output (or its truth/ folder)."),
    out: Path = typer.Option(Path("evaluation"), "--out", help="Folder for JSON and PNGs."),
    ceiling: bool = typer.Option(
        False, "--ceiling", help="Also measure the evidence ceiling: the recall no weighting "
        "of the run's evidence could pass (rebuilds the run's feature tables)."),
    matrix: str | None = typer.Option(
        None, "--matrix", help="Instead: randomised worlds by world seed ('2001-2012'), each "
        "simulated, ingested, attributed and evaluated in its own store under OUT."),
    seeds: str = typer.Option("1,2", "--seeds", help="With --matrix: simulation seeds."),
    as_json: bool = typer.Option(False, "--json", help="With --matrix: print JSON."),
) -> None:
    """Score the latest run against a simulator's truth; print and write JSON and plots.
    With --matrix, run and score a matrix of randomised worlds and print one table."""
    from cellwatch.attribution.service.runs import evaluate_attribution

    if matrix is not None:
        _matrix(out, matrix, seeds, as_json)
        return
    if truth is None:
        raise typer.BadParameter("--truth is required (or --matrix)")
    doc = evaluate_attribution(cli_access(), truth, out, ceiling)
    summary = {k: v for k, v in doc.items() if k != "pr_points"}
    print(json.dumps(summary, indent=2, default=str))


def _matrix(out: Path, worlds: str, seeds: str, as_json: bool) -> None:
    """``evaluate --matrix``: one row per world and seed, figures at p >= 0.9."""
    from dataclasses import asdict

    from rich.table import Table

    from cellwatch.attribution.service.matrix import parse_seeds, summary
    from cellwatch.attribution.service.runs import evaluate_matrix

    results = evaluate_matrix(cli_access(), out, parse_seeds(worlds), parse_seeds(seeds))
    doc = {"results": [asdict(r) for r in results], "summary": summary(results)}
    (out / "matrix.json").write_text(json.dumps(doc, indent=2))
    if as_json:
        print(json.dumps(doc, indent=2))
        return
    table = Table(title="p >= 0.9, identifiers used on 7+ days")
    for col in ("world", "seed", "precision", "ECE", "recall", "ceiling", "recall/ceiling",
                "staff cand.", "handsets kept", "targets"):
        table.add_column(col, justify="right")
    for r in results:
        table.add_row(str(r.world_seed), str(r.seed), f"{r.precision:.3f}", f"{r.ece:.3f}",
                      f"{r.recall:.3f}", "-" if r.ceiling is None else f"{r.ceiling:.3f}",
                      "-" if r.recall_vs_ceiling is None else f"{r.recall_vs_ceiling:.2f}",
                      "-" if r.staff_candidates is None else str(r.staff_candidates),
                      "-" if r.handsets_kept is None else f"{r.handsets_kept:.2f}",
                      "met" if r.meets_targets else "missed")
    console().print(table)
    console().print(json.dumps(doc["summary"]), highlight=False)


def export_attributions_command(
    out: Path = typer.Option(..., "--out", help="CSV file to write."),
    run: int | None = typer.Option(None, "--run", help="Run id; default the latest."),
    reason: str = EXPORT_REASON,
) -> None:
    """Write attributions exactly as interchange.md defines them: those to prisoners the
    principal may see (all for a national unit or ``system``); the export is audited."""
    from cellwatch.exchange.service.exports import export_attributions_csv

    n = export_attributions_csv(cli_access(), out, run, reason)
    console().print(f"{n} rows written to {out}", highlight=False)

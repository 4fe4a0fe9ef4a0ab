"""The link graph around one entity: prisoners, handsets, SIMs, numbers and accounts.

Built from what the principal may see (seizures in scope, attributions of visible
prisoners, identity links), breadth-first out to a depth. Each relation between two
entities is one edge, whichever end it was found from: parallel records of the same kind
(two seizures, several attribution periods) fold into it with their count, dates and
highest probability. Attributions are those the statements module states
(:func:`cellwatch.statements.periods.holdings`: the latest run, an analyst's verdict at
once, one record per merged period): below the minimum probability they are not drawn (a
confirmed one always is, at probability 1; a rejected one never). The web page, GraphML,
GEXF and i2 ANX all draw this same graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session

from cellwatch.access.scopes import in_scope, visible_prisoners
from cellwatch.access.service import Access
from cellwatch.attribution.models import IdentityLink
from cellwatch.statements.periods import holdings
from cellwatch.store import Prisoner, SeizureItem

Node = tuple[str, str]  # (type, value): ("PRISONER", "A1234BC"), ("IMEI", "35...")
MAX_NODES = 80
# The page's default, and so every export's: an attribution is a lead below an even chance.
DEFAULT_MIN_PROBABILITY = 0.5
SEIZED = "seized together"
ATTRIBUTED = "attributed"


@dataclass
class Relation:
    """One edge: every record of one kind joining two entities, folded."""

    a: Node
    b: Node
    kind: str
    sources: set[str] = field(default_factory=set)
    refs: set[str] = field(default_factory=set)
    probability: float | None = None
    first: date | None = None
    last: date | None = None

    @property
    def count(self) -> int:
        """How many records (seizure items, attribution intervals, links) it folds."""
        return len(self.sources)

    @property
    def label(self) -> str:
        """What the edge says, in words."""
        text = self.kind
        if self.probability is not None:
            text += f" {self.probability:.0%}"
        if self.refs:
            text += " " + ", ".join(sorted(self.refs)[:3]) + (" …" if len(self.refs) > 3
                                                              else "")
        return text + (f" ({self.count}x)" if self.count > 1 else "")

    def fold(self, source: str, probability: float | None, first: date | None,
             last: date | None, ref: str | None) -> None:
        """Add one record (counted once, however often it is found)."""
        self.sources.add(source)
        if ref:
            self.refs.add(ref)
        if probability is not None:
            self.probability = max(probability, self.probability or 0.0)
        if first is not None:
            self.first = min(first, self.first or first)
        if last is not None:
            self.last = max(last, self.last or last)


@dataclass
class Graph:
    """Nodes (with the step they were reached at) and folded relations."""

    nodes: dict[Node, int] = field(default_factory=dict)
    relations: dict[tuple[Node, Node, str], Relation] = field(default_factory=dict)

    def add(self, a: Node, b: Node, kind: str, step: int, source: str, *,
            probability: float | None = None, first: date | None = None,
            last: date | None = None, ref: str | None = None) -> None:
        """Record that ``a`` and ``b`` are joined by one record of ``kind``."""
        if len(self.nodes) >= MAX_NODES and b not in self.nodes:
            return
        self.nodes.setdefault(b, step)
        lo, hi = sorted((a, b))
        relation = self.relations.setdefault((lo, hi, kind), Relation(lo, hi, kind))
        relation.fold(source, probability, first, last, ref)

    @property
    def edges(self) -> set[tuple[Node, Node, str]]:
        """``(a, b, label)`` of every relation, for drawing."""
        return {(r.a, r.b, r.label) for r in self.relations.values()}


@dataclass(frozen=True)
class Found:
    """One record joining the node asked about to ``other``."""

    other: Node
    kind: str
    source: str
    probability: float | None = None
    first: date | None = None
    last: date | None = None
    ref: str | None = None


def _ready(session: Session, *tables: str) -> bool:
    inspector = inspect(session.connection())
    return all(inspector.has_table(name) for name in tables)


_SEIZURE_COLUMNS = {"IMEI": SeizureItem.imei, "IMSI": SeizureItem.imsi,
                    "ICCID": SeizureItem.iccid, "MSISDN": SeizureItem.msisdn}


def _seized(s: Session, access: Access, node: Node) -> Iterator[Found]:
    kind, value = node
    column = SeizureItem.prison_number if kind == "PRISONER" else _SEIZURE_COLUMNS.get(kind)
    if column is None:
        return
    for item in s.scalars(select(SeizureItem).where(
            column == value, in_scope(access.principal, SeizureItem.establishment))):
        day = item.ts.date()
        for t, v in (("IMEI", item.imei), ("IMSI", item.imsi), ("ICCID", item.iccid),
                     ("MSISDN", item.msisdn), ("PRISONER", item.prison_number)):
            if v and (t, v) != node:
                yield Found((t, v), SEIZED, f"seizure:{item.id}", first=day, last=day,
                            ref=item.seizure_ref)


def _attributed(s: Session, access: Access, node: Node,
                min_probability: float) -> Iterator[Found]:
    """Attributions as the statements module states them: the latest run, verdicts at
    once, merged periods (one record each, with its top probability), of visible
    prisoners only."""
    kind, value = node
    held = holdings(s, [value], min_probability) if kind == "PRISONER" else \
        holdings(s, None, min_probability, identifiers=[value])
    numbers = sorted({h.prison_number for h in held})
    seen = set(s.scalars(select(Prisoner.prison_number).where(
        visible_prisoners(access.principal), Prisoner.prison_number.in_(numbers)))) \
        if numbers else set()
    for h in held:
        if h.prison_number not in seen:
            continue
        other = (h.identifier_type, h.identifier) if kind == "PRISONER" \
            else ("PRISONER", h.prison_number)
        for p in h.periods:
            yield Found(other, ATTRIBUTED, f"attribution:{h.prison_number}:{h.identifier}:"
                        f"{p.valid_from.isoformat()}", 1.0 if h.confirmed else p.probability,
                        p.valid_from, p.valid_to)


def _linked(s: Session, node: Node) -> Iterator[Found]:
    kind, value = node
    if kind == "PRISONER":
        return
    for link in s.scalars(select(IdentityLink).where(
            or_(IdentityLink.a == value, IdentityLink.b == value)).limit(50)):
        other = (link.b_type, link.b) if link.a == value else (link.a_type, link.a)
        yield Found(other, link.source, f"link:{link.id}", first=link.first_seen.date(),
                    last=link.last_seen.date())


def neighbours(access: Access, node: Node, min_probability: float) -> list[Found]:
    """Every record the principal may see that joins ``node`` to another entity."""
    with access.transaction() as s:
        out = list(_seized(s, access, node))
        if _ready(s, "attributions", IdentityLink.__tablename__):
            out += _attributed(s, access, node, min_probability)
            out += _linked(s, node)
    return out


def build_graph(access: Access, root: Node, depth: int,
                min_probability: float = DEFAULT_MIN_PROBABILITY) -> Graph:
    """Breadth-first out to ``depth`` steps from ``root``."""
    return build_graph_from(access, [root], depth, min_probability)


def build_graph_from(access: Access, roots: list[Node], depth: int,
                     min_probability: float = DEFAULT_MIN_PROBABILITY) -> Graph:
    """Breadth-first out to ``depth`` steps from every root (a case's subjects)."""
    graph = Graph(dict.fromkeys(roots, 0))
    frontier = list(roots)
    for step in range(1, depth + 1):
        nxt = []
        for node in frontier:
            for f in neighbours(access, node, min_probability):
                new = f.other not in graph.nodes
                graph.add(node, f.other, f.kind, step, f.source, probability=f.probability,
                          first=f.first, last=f.last, ref=f.ref)
                if new and f.other in graph.nodes:
                    nxt.append(f.other)
        frontier = nxt
    return graph

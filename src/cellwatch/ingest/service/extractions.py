"""What seized phones' extractions say of an identifier, as the principal may see it."""

from __future__ import annotations

from typing import Any

from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.access.scopes import visible_prisoners
from cellwatch.access.service import Access
from cellwatch.identifiers import classify
from cellwatch.ingest.extraction_evidence import pin_matches


def extraction_contacts(access: Access, text: str, hint: str | None = None
                        ) -> list[dict[str, Any]]:
    """Prisoners the principal may see whose PIN numbers the extracted contacts of the
    phone ``text`` hold, each with the exact count (:class:`PinMatch`); audited."""
    info = classify(text, hint=hint)
    target = Target(Resource.IDENTIFIER, info.value)
    with access.transaction() as s:
        access.check(Action.READ, target, role_only=True)
        found = pin_matches(s, info.value, visible_prisoners(access.principal))
        access.audit(s, "lookup", target, detail={"extraction_pin_matches": len(found)})
        return [m.to_dict() for m in found]

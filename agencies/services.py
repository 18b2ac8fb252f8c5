"""Agency matching and creation. Reports name themselves loosely ("二塘乡", "二塘乡人民政府", "二 塘 乡")."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from agencies.models import Agency, AgencyAlias
from reports.parsing.normalize import UNREADABLE

_SUFFIXES = ("人民政府办公室", "人民政府", "政府", "办事处")


def normalize_name(name: str) -> str:
    """Fold a name for comparison: NFKC, no whitespace or punctuation."""
    name = unicodedata.normalize("NFKC", name or "")
    return re.sub(r"[\s\u3000·・,，、()（）\"'“”]", "", name)


def _core(name: str) -> str:
    core = normalize_name(name)
    for suffix in _SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix) + 1:
            return core[: -len(suffix)]
    return core


# A leading higher-level region ("淮安市", "彭阳县", "河南省") that one name carries and the other omits.
_REGION_PREFIX = re.compile(r"^[\u4e00-\u9fff]{1,6}?(?:省|自治区|市|自治州|州|盟|地区|县|旗)")


def _without_regions(core: str) -> set[str]:
    """The core name with up to two leading region prefixes removed ("淮安市洪泽区" → {"洪泽区"})."""
    out, current = set(), core
    for _ in range(2):
        m = _REGION_PREFIX.match(current)
        if not m or len(current) - m.end() < 2:
            break
        current = current[m.end() :]
        out.add(current)
    return out


@dataclass
class AgencyMatch:
    """The agency a name refers to, how it was found, or the closest candidates when it is not certain."""

    agency: Agency | None
    how: str  # "name", "short_name", "alias", "normalized", "region", "masked", "" (none)
    candidates: list[Agency] = field(default_factory=list)
    # A candidate whose name contains this one or is contained in it ("新集乡" / "彭阳县新集乡人民政府"):
    # probably the same body, so a new agency must not be created automatically.
    strong: bool = False

    @property
    def certain(self) -> bool:
        return self.agency is not None


def agency_match(name: str | None, *, queryset=None) -> AgencyMatch:
    """Match a report's self-name to exactly one agency, or return ranked candidates."""
    qs = queryset if queryset is not None else Agency.objects.all()
    name = (name or "").strip()
    if not name:
        return AgencyMatch(None, "")
    for how, q in (("name", Q(name=name)), ("short_name", Q(short_name=name)), ("alias", Q(aliases__name=name))):
        found = list(qs.filter(q).distinct()[:2])
        if len(found) == 1:
            return AgencyMatch(found[0], how)
    if UNREADABLE in name:
        masked = _masked_match(name, qs)
        if masked is not None:
            return AgencyMatch(masked, "masked")
    wanted, wanted_core = normalize_name(name), _core(name)
    wanted_stripped = _without_regions(wanted_core)
    exact, regional, scored, strong = [], [], [], False
    for pk, names in _names_by_agency(qs).items():
        cores = [_core(n) for n in names]
        if wanted_core in cores or any(normalize_name(n) == wanted for n in names):
            exact.append(pk)
            continue
        # Same name but for a region prefix on one side ("淮安市洪泽区人民政府" / "洪泽区人民政府"). Only one side
        # may drop its prefix: "睢县住建局" and "宁陵县住建局" must never meet at "住建局".
        if any(c in wanted_stripped or wanted_core in _without_regions(c) for c in cores):
            regional.append(pk)
        best = max(_similarity(wanted_core, c) for c in cores)
        # A shorter self-name contained in the full name ("新集乡" in "彭阳县新集乡人民政府") is a strong hint,
        # but only a hint: the reviewer confirms it.
        if any(wanted_core in c or c in wanted_core for c in cores if c):
            best = max(best, 0.8)
            strong = True
        if best >= 0.5:
            scored.append((best, pk))
    if len(exact) == 1:
        return AgencyMatch(Agency.objects.get(pk=exact[0]), "normalized")
    if exact:
        return AgencyMatch(None, "", list(Agency.objects.filter(pk__in=exact)), strong=True)
    if len(regional) == 1:
        return AgencyMatch(Agency.objects.get(pk=regional[0]), "region")
    best_pks = [pk for _, pk in sorted(scored, key=lambda t: -t[0])[:5]]
    by_pk = Agency.objects.in_bulk(best_pks)
    return AgencyMatch(None, "", [by_pk[pk] for pk in best_pks], strong=strong)


def _masked_match(name: str, qs) -> Agency | None:
    """The one agency a name with one or two unreadable characters spells, each standing for one character and
    the rest as printed (at least four of them); None when no agency or several do."""
    wanted = normalize_name(name)
    if wanted.count(UNREADABLE) > 2 or len(wanted) - wanted.count(UNREADABLE) < 4:
        return None
    pattern = re.compile("".join("." if ch == UNREADABLE else re.escape(ch) for ch in wanted))
    found = {
        pk for pk, names in _names_by_agency(qs).items() if any(pattern.fullmatch(normalize_name(n)) for n in names)
    }
    return Agency.objects.get(pk=found.pop()) if len(found) == 1 else None


def _names_by_agency(qs) -> dict[int, list[str]]:
    """Every name of every agency in two queries (the matcher runs once per imported file)."""
    names: dict[int, list[str]] = {}
    for pk, full, short in qs.values_list("pk", "name", "short_name"):
        names[pk] = [n for n in (full, short) if n]
    for agency_id, alias in AgencyAlias.objects.filter(agency_id__in=qs.values("pk")).values_list("agency_id", "name"):
        if agency_id in names:
            names[agency_id].append(alias)
    return names


def _similarity(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
        return 0.0
    return matcher.ratio()


@transaction.atomic
def agency_create(*, name: str, short_name: str = "", kind: str = Agency.Kind.OTHER, aliases=(), **fields) -> Agency:
    agency = Agency(name=name.strip(), short_name=short_name.strip(), kind=kind, **fields)
    agency.full_clean()
    agency.save()
    for alias in aliases:
        agency_add_alias(agency=agency, name=alias)
    return agency


def agency_add_alias(*, agency: Agency, name: str) -> AgencyAlias | None:
    """Remember another name of the agency (no-op for names it already has)."""
    name = name.strip()
    if not name or name in agency.all_names():
        return None
    alias = AgencyAlias(agency=agency, name=name)
    alias.full_clean()
    alias.save()
    return alias

"""Protected persons, their reports, social-media observations and intelligence reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from cellwatch.simulate.campaigns import Campaign
from cellwatch.simulate.clock import DAY, format_ts
from cellwatch.simulate.devices import Contraband
from cellwatch.simulate.estate import Establishment
from cellwatch.simulate.formats import phone_styled
from cellwatch.simulate.handles import handle_name, social_handle
from cellwatch.simulate.names import PLATFORMS
from cellwatch.simulate.population import Population
from cellwatch.simulate.rand import Stream, rng_for
from cellwatch.simulate.scenario import Scenario

Cols = dict[str, list[Any]]
URLS = {
    "instagram": "https://www.instagram.com/{}",
    "facebook": "https://www.facebook.com/{}",
    "snapchat": "https://www.snapchat.com/add/{}",
    "tiktok": "https://www.tiktok.com/@{}",
    "x": "https://x.com/{}",
}
# Phone owners, outside any campaign, who keep a social account and post from prison.
SOCIAL_ACCOUNT_FRACTION = 0.3
MESSAGES = (
    "you know I can still reach you",
    "answer your phone",
    "why did you block me",
    "tell them to drop it",
    "I'll be out soon",
    "I know where you are",
)
POSTS = (
    "still here still winning",
    "bird nearly done",
    "shout out the landing",
    "miss my kids",
    "free the lads",
    "screws cant stop this",
)


def _handle(acc: str, rng: np.random.Generator, messy: bool) -> tuple[str, str]:
    platform, handle = acc.split(":", 1)
    if messy and rng.random() < 0.4:
        return platform, URLS[platform].format(handle)
    return platform, "@" + handle if messy and rng.random() < 0.5 else handle


def _sim_on(cb: Contraband, prisoner: int, day: int) -> int:
    u = cb.usage
    hit = np.flatnonzero((u["prisoner"] == prisoner) & (u["day"] == day))
    return int(u["sim"][hit[0]]) if len(hit) else -1


def social_tables(
    sc: Scenario,
    estate: list[Establishment],
    cbs: list[Contraband],
    pop: Population,
    campaigns: list[Campaign],
    midnights: np.ndarray,
    seed: int,
) -> tuple[dict[str, Cols], dict[str, Cols]]:
    """The five person/social/intelligence files and their truth (accounts used, intel accuracy)."""
    rng = rng_for(seed, Stream.SOCIAL, 2)
    messy, num = sc.run.messy_formats, pop.prisoners.number
    start = sc.run.start_date
    pp: Cols = {
        "person_ref": [],
        "prison_number": [],
        "condition": [],
        "valid_from": [],
        "valid_to": [],
    }
    pi: Cols = {"person_ref": [], "identifier": [], "platform": []}
    reports: list[tuple[int, list[object]]] = []
    obs: list[tuple[int, list[object]]] = []
    used: Cols = {"day": [], "identifier": [], "prisoner": []}
    est_of = {p: e for e, cb in enumerate(cbs) for p in set(cb.usage["prisoner"].tolist())}
    for cp in campaigns:
        pp["person_ref"].append(cp.person_ref)
        pp["prison_number"].append(num[cp.prisoner])
        pp["condition"].append(cp.condition)
        pp["valid_from"].append(
            (start + dt.timedelta(days=cp.start - int(rng.integers(30, 400)))).isoformat()
        )
        pp["valid_to"].append(None)
        vplat, vacc = _handle(cp.victim_account, rng, messy)
        for ident, plat in (
            (phone_styled(cp.victim_number, int(rng.integers(6)) if messy else 0), None),
            (vacc, vplat),
        ):
            pi["person_ref"].append(cp.person_ref)
            pi["identifier"].append(ident)
            pi["platform"].append(plat)
        cb = cbs[est_of[cp.prisoner]]
        for day in range(cp.start, cp.end + 1):
            acc = cp.prisoner_accounts[int(rng.integers(len(cp.prisoner_accounts)))]
            used["day"].append(day)
            used["identifier"].append(acc)
            used["prisoner"].append(cp.prisoner)
            if rng.random() >= sc.campaigns.report_probability / 3:
                continue
            t = int(midnights[day] + rng.integers(18 * 3600, 24 * 3600))
            sim = _sim_on(cb, cp.prisoner, day)
            if sim >= 0 and rng.random() < 0.5:
                channel, sender, plat = (
                    ("SMS" if rng.random() < 0.5 else "CALL"),
                    phone_styled(cb.msisdn[sim], int(rng.integers(6)) if messy else 0),
                    None,
                )
            else:
                plat, sender = _handle(acc, rng, messy)
                channel = "SOCIAL_DM"
            reports.append(
                (
                    t,
                    [
                        cp.person_ref,
                        channel,
                        sender,
                        plat,
                        MESSAGES[int(rng.integers(len(MESSAGES)))],
                        "Police" if rng.random() < 0.7 else "Victim Support",
                    ],
                )
            )
            if rng.random() < sc.campaigns.observation_probability:
                plat2, acc2 = _handle(acc, rng, messy)
                who = num[cp.prisoner] if rng.random() < 0.6 else None
                obs.append(
                    (
                        t,
                        [
                            plat2,
                            acc2,
                            POSTS[int(rng.integers(len(POSTS)))],
                            estate[est_of[cp.prisoner]].code,
                            who,
                        ],
                    )
                )
    _posts(sc, estate, cbs, pop, campaigns, midnights, seed, obs, used)
    out = {
        "protected_persons": pp,
        "protected_identifiers": pi,
        "contact_reports": _reports(reports, rng, messy),
        "social_observations": _observations(obs, rng, messy),
        "intelligence_reports": {},
    }
    intel, intel_truth = _intelligence(sc, estate, cbs, pop, midnights, rng)
    out["intelligence_reports"] = intel
    return out, {"accounts": used, "intelligence": intel_truth}


def _posts(
    sc: Scenario,
    estate: list[Establishment],
    cbs: list[Contraband],
    pop: Population,
    campaigns: list[Campaign],
    midnights: np.ndarray,
    seed: int,
    obs: list[tuple[int, list[object]]],
    used: Cols,
) -> None:
    """Everyday posts from prisoners' own accounts, outside any campaign.

    A share of phone owners keep a social account (campaigners use their campaign
    accounts) and post ``social_posts_per_account_month`` times a month, on days they
    have a phone; analysts see some of the posts. Each post is account usage in truth.
    """
    rng = rng_for(seed, Stream.SOCIAL, 3)
    messy, num = sc.run.messy_formats, pop.prisoners.number
    rate = sc.campaigns.social_posts_per_account_month / 30
    camp_accounts = {cp.prisoner: cp.prisoner_accounts for cp in campaigns}
    for est, cb in zip(estate, cbs, strict=True):
        u = cb.usage
        own = u["role"] == 0
        owners, counts = np.unique(u["prisoner"][own], return_counts=True)
        order = np.argsort(u["prisoner"][own], kind="stable")
        # np.split of nothing gives one empty part: a prison whose phones were all lent
        # out every night has no owner days at all.
        days_of = np.split(u["day"][own][order], np.cumsum(counts)[:-1]) if len(counts) else []
        for p, days in zip(owners.tolist(), days_of, strict=True):
            accounts = camp_accounts.get(p)
            if accounts is None:
                if rng.random() >= SOCIAL_ACCOUNT_FRACTION:
                    continue
                first_name = handle_name(pop.prisoners.forenames[p])
                plat = PLATFORMS[int(rng.integers(len(PLATFORMS)))]
                tag = f"{num[p][-4:]}{int(rng.integers(100))}"
                accounts = (social_handle(plat, first_name, tag),)
            n = int(rng.poisson(rate * len(days)))
            for day in np.sort(rng.choice(days, size=n)).tolist() if n else []:
                acc = accounts[int(rng.integers(len(accounts)))]
                used["day"].append(day)
                used["identifier"].append(acc)
                used["prisoner"].append(p)
                if rng.random() >= sc.campaigns.observation_probability:
                    continue
                t = int(midnights[day] + rng.integers(0, DAY))
                plat2, acc2 = _handle(acc, rng, messy)
                who = num[p] if rng.random() < 0.3 else None
                content = POSTS[int(rng.integers(len(POSTS)))]
                obs.append(
                    (t, [plat2, acc2, content, est.code if rng.random() < 0.5 else None, who])
                )


def _reports(rows: list[tuple[int, list[object]]], rng: np.random.Generator, messy: bool) -> Cols:
    rows.sort(key=lambda r: (r[0], str(r[1][0])))
    t = np.array([r[0] for r in rows], dtype=np.int64)
    recv = t + rng.integers(DAY // 2, 3 * DAY, len(t))
    style = "local" if messy else "utc_z"
    return {
        "report_ref": [f"CR-{i + 1:05d}" for i in range(len(rows))],
        "received_ts": format_ts(recv, style).to_pylist(),
        "occurred_ts": format_ts(t, style).to_pylist(),
        "reporting_org": [r[1][5] for r in rows],
        "crime_reference": [
            f"CRIME/{i + 1:06d}/24" if i % 3 == 0 else None for i in range(len(rows))
        ],
        "person_ref": [r[1][0] for r in rows],
        "channel": [r[1][1] for r in rows],
        "sender": [r[1][2] for r in rows],
        "platform": [r[1][3] for r in rows],
        "content": [r[1][4] for r in rows],
    }


def _observations(
    rows: list[tuple[int, list[object]]], rng: np.random.Generator, messy: bool
) -> Cols:
    rows.sort(key=lambda r: (r[0], str(r[1][1])))
    t = np.array([r[0] for r in rows], dtype=np.int64)
    seen = t + rng.integers(3600, 5 * DAY, len(t))
    return {
        "observation_ref": [f"SO-{i + 1:05d}" for i in range(len(rows))],
        "observed_ts": format_ts(seen, "utc_z").to_pylist(),
        "platform": [r[1][0] for r in rows],
        "account": [r[1][1] for r in rows],
        "posted_ts": format_ts(t, "utc_z").to_pylist(),
        "content": [r[1][2] for r in rows],
        "observed_by": ["Digital intelligence unit" for _ in rows],
        "establishment": [r[1][3] for r in rows],
        "prison_number": [r[1][4] for r in rows],
    }


def _intelligence(
    sc: Scenario,
    estate: list[Establishment],
    cbs: list[Contraband],
    pop: Population,
    midnights: np.ndarray,
    rng: np.random.Generator,
) -> tuple[Cols, Cols]:
    """Graded reports naming a phone and who has it; some of them wrong."""
    rows: list[tuple[int, list[object], list[object]]] = []
    months = max(1, sc.run.days // 30)
    people = np.arange(len(pop.prisoners.number))
    for est, cb in zip(estate, cbs, strict=True):
        u = cb.usage
        owners = np.flatnonzero(u["role"] == 0)
        n = int(rng.poisson(sc.campaigns.intelligence_reports_per_establishment_month * months))
        for _ in range(n if len(owners) else 0):
            i = int(owners[int(rng.integers(len(owners)))])
            day, sim, true = int(u["day"][i]), int(u["sim"][i]), int(u["prisoner"][i])
            right = rng.random() < sc.campaigns.intelligence_accuracy
            named = true if right else int(people[int(rng.integers(len(people)))])
            t = int(midnights[day] + rng.integers(9 * 3600, 17 * 3600))
            ident = phone_styled(
                cb.msisdn[sim], int(rng.integers(6)) if sc.run.messy_formats else 0
            )
            handling = "C" if rng.random() < 0.2 else "P"
            rows.append(
                (
                    t,
                    [
                        est.code,
                        str(int(rng.integers(1, 4))),
                        "ABCDE"[int(rng.integers(5))],
                        handling,
                        "Not to be shared outside HMPPS without consent"
                        if handling == "C"
                        else None,
                        pop.prisoners.number[named],
                        ident,
                        f"Source reports {pop.prisoners.number[named]} is using a mobile phone"
                        " on the wing.",
                    ],
                    [pop.prisoners.number[true], bool(right)],
                )
            )
    rows.sort(key=lambda r: (r[0], str(r[1][5])))
    ts = format_ts(
        np.array([r[0] for r in rows], dtype=np.int64), "local" if sc.run.messy_formats else "utc_z"
    ).to_pylist()
    refs = [f"IR-{i + 1:05d}" for i in range(len(rows))]
    keys = (
        "establishment",
        "source_evaluation",
        "intelligence_assessment",
        "handling_code",
        "handling_conditions",
        "subjects",
        "identifiers",
        "text",
    )
    cols: Cols = {"report_ref": refs, "ts": list(ts)}
    cols.update({k: [r[1][j] for r in rows] for j, k in enumerate(keys)})
    truth: Cols = {
        "report_ref": refs,
        "true_prison_number": [r[2][0] for r in rows],
        "correct": [r[2][1] for r in rows],
    }
    return cols, truth

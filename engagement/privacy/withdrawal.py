"""Withdrawal: a participant listed in ``withdrawals.csv`` disappears from every table.

The prepare stage applies this before de-identification, so a withdrawn person's words never
reach a detector, a cache, a segment or a published output.
"""

from __future__ import annotations

import pandas as pd


def apply_withdrawals(turns: pd.DataFrame, participants: pd.DataFrame, withdrawn: frozenset[str]
                      ) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Drop every turn and participant row of a withdrawn participant.

    A survey respondent may be listed by their full participant id (``SURVEY-2026-R0012``) or by the
    respondent id alone (``R0012``).
    """
    def is_withdrawn(pid: str) -> bool:
        return pid in withdrawn or any(pid.endswith(f"-{w}") for w in withdrawn)

    mask_p = participants["participant_id"].map(is_withdrawn)
    mask_t = turns["participant_id"].map(is_withdrawn)
    removed = sorted(participants.loc[mask_p, "participant_id"])
    matched = {w for w in withdrawn if any(p == w or p.endswith(f"-{w}") for p in removed)}
    summary = {"withdrawn_listed": len(withdrawn), "participants_removed": len(removed),
               "turns_removed": int(mask_t.sum()), "unmatched_withdrawals": sorted(withdrawn - matched)}
    return turns.loc[~mask_t].reset_index(drop=True), participants.loc[~mask_p].reset_index(drop=True), summary

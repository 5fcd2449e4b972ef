"""Who must sign in with a second factor (``data/access/second_factor.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SecondFactorPolicy:
    clearances: frozenset[str]  # accounts cleared for these need a second factor
    roles: frozenset[str]  # and accounts with these roles, whatever their clearance
    recovery_codes: int
    drift_steps: int
    confirm_again_minutes: int  # sensitive acts ask again when the last proof is older

    def requires(self, *, role: str, clearance: str, everyone: bool = False) -> bool:
        return everyone or clearance in self.clearances or role in self.roles

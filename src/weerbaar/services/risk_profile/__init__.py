"""The national risk profile: the cycle's main product, read per edition (public, or
classified up to a level) and numbered per copy."""

from weerbaar.services.risk_profile.contents import Profile, build_profile
from weerbaar.services.risk_profile.copies import Copy, issue_copy, reserve_copy, spoil_copy
from weerbaar.services.risk_profile.edition import Edition, edition_for

__all__ = [
    "Copy",
    "Edition",
    "Profile",
    "build_profile",
    "edition_for",
    "issue_copy",
    "reserve_copy",
    "spoil_copy",
]

"""Mock-interview pairing: availability, the matching engine, weekly rounds with their
question packs, `/mockpair` and its officer commands."""

from bot.pairing.commands import COMMANDS
from bot.pairing.member_data import MEMBER_DATA
from bot.pairing.rounds import JOBS, group_slot
from bot.pairing.store import PairingStore

__all__ = ["COMMANDS", "JOBS", "MEMBER_DATA", "PairingStore", "group_slot"]

"""The daily problem: the bank, the rules that pick a day's problem, the posts with their
hints and key ideas, `/problem`, `/solved`, streaks and the leaderboard."""

from bot.problems.bank import Problem, load_bank
from bot.problems.commands import BUTTONS, COMMANDS
from bot.problems.member_data import MEMBER_DATA
from bot.problems.posts import JOBS
from bot.problems.rules import Standing
from bot.problems.spoilers import daily_problems_between
from bot.problems.standings import problem_of_the_day, week_standings
from bot.problems.store import ProblemStore

__all__ = [
    "BUTTONS",
    "COMMANDS",
    "JOBS",
    "MEMBER_DATA",
    "Problem",
    "ProblemStore",
    "Standing",
    "daily_problems_between",
    "load_bank",
    "problem_of_the_day",
    "week_standings",
]

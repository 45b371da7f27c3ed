"""Members' applications and their settings (counted in the club's totals, follow-ups on),
per club. Everything here is one member's own: commands read only the asking member's rows,
and the club view reads aggregates through `counted`, which returns no member's id."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.applications.kinds import WAITING, Category, Stage, furthest_after
from bot.applications.plan import Sent, season_of
from bot.store.batches import chunks
from bot.store.models import Base, MemberRow, UTCDateTime
from bot.store.upsert import insert_if_absent


def _club_fk() -> ForeignKey:
    return ForeignKey("clubs.id", ondelete="CASCADE")


class ApplicationRow(Base):
    __tablename__ = "applications"
    __table_args__ = (
        # A member's applications are numbered 1, 2, 3... (what they type and click).
        UniqueConstraint("club_id", "user_id", "number"),
        Index("ix_applications_club_season", "club_id", "season"),
        Index("ix_applications_club_news", "club_id", "news_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(_club_fk())
    user_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[int]
    season: Mapped[int]  # the summer it recruits for
    company: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    link: Mapped[str] = mapped_column(String(512), default="")
    category: Mapped[str] = mapped_column(String(16))
    # Where the category came from: program, posting, company (one the articles name),
    # member (chosen or corrected), unknown (a guess the member is asked to correct).
    category_from: Mapped[str] = mapped_column(String(16))
    program: Mapped[str | None] = mapped_column(String(80))  # a window id of the calendar
    window_key: Mapped[str | None] = mapped_column(String(120))  # e.g. google-step:2027
    posting_id: Mapped[int | None]
    opened_on: Mapped[date | None] = mapped_column(Date)
    applied_on: Mapped[date] = mapped_column(Date)  # club-local
    stage: Mapped[str] = mapped_column(String(16))
    furthest: Mapped[str] = mapped_column(String(16))
    news_on: Mapped[date] = mapped_column(Date)  # the last change of stage, club-local
    nudged_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApplicantRow(Base):
    """A member's settings, made at their first application."""

    __tablename__ = "application_members"

    club_id: Mapped[int] = mapped_column(_club_fk(), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    counted: Mapped[bool] = mapped_column(default=True)
    nudges: Mapped[bool] = mapped_column(default=True)
    # The summer whose season-end message the member was sent.
    season_end_told: Mapped[int | None]
    since: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True, slots=True, kw_only=True)
class NewApplication:
    company: str
    role: str
    link: str
    category: Category
    category_from: str
    applied_on: date
    program: str | None = None
    window_key: str | None = None
    posting_id: int | None = None
    opened_on: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Application(NewApplication):
    number: int
    stage: Stage
    furthest: Stage
    news_on: date
    nudged_on: date | None

    @property
    def sent(self) -> Sent:
        return Sent(
            category=self.category,
            applied_on=self.applied_on,
            opened_on=self.opened_on,
            stage=self.stage,
            furthest=self.furthest,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Applicant:
    counted: bool = True
    nudges: bool = True
    season_end_told: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Mine:
    """A member's applications (oldest first) and settings, as one read found them."""

    applications: list[Application]
    applicant: Applicant | None  # None: no settings yet (made at their first application)

    @property
    def settings(self) -> Applicant:
        return self.applicant or Applicant()


class ApplicationStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    # --- one member's own ---------------------------------------------------------------

    async def add(
        self,
        club_id: int,
        user_id: str,
        new: NewApplication,
        *,
        now: datetime,
        mine: Mine | None = None,
    ) -> tuple[Application, bool]:
        """Record `new` under the member's next number; True when it is their first
        application in this club (their settings are made then). `mine`, what the command
        just read of the member, spares reading their last number and settings again."""
        for attempt in (1, 2):  # two clicks at once may race for the same number
            try:
                return await self._add(
                    club_id, user_id, new, now=now, mine=mine if attempt == 1 else None
                )
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _add(
        self, club_id: int, user_id: str, new: NewApplication, *, now: datetime, mine: Mine | None
    ) -> tuple[Application, bool]:
        async with self._sessions() as session, session.begin():
            if mine is None:
                last = await session.scalar(
                    select(func.max(ApplicationRow.number)).where(
                        ApplicationRow.club_id == club_id, ApplicationRow.user_id == user_id
                    )
                )
            else:
                last = max((a.number for a in mine.applications), default=0)
            app = Application(
                number=(last or 0) + 1,
                company=new.company[:200],
                role=new.role[:200],
                link=new.link[:512],
                category=new.category,
                category_from=new.category_from,
                program=new.program,
                window_key=new.window_key,
                posting_id=new.posting_id,
                opened_on=new.opened_on,
                applied_on=new.applied_on,
                stage="applied",
                furthest="applied",
                news_on=new.applied_on,
                nudged_on=None,
            )
            row = {
                "club_id": club_id,
                "user_id": user_id,
                "season": season_of(new.applied_on).summer,
                "created_at": now,
                **_values(app),
            }
            await session.execute(_NEW_APPLICATION, row)
            first = False
            if mine is None or mine.applicant is None:
                first = await insert_if_absent(
                    session, ApplicantRow, {"club_id": club_id, "user_id": user_id, "since": now}
                )
            return app, first

    async def mine(self, club_id: int, user_id: str) -> list[Application]:
        """The member's applications, oldest first."""
        return (await self.mine_and_settings(club_id, user_id)).applications

    async def mine_and_settings(self, club_id: int, user_id: str) -> Mine:
        """The member's applications, oldest first, and their settings, in one read: the
        settings row, if any, joined to each application (to one empty row if none)."""
        async with self._sessions() as session:
            values = {"club_id": club_id, "user_id": user_id}
            rows = (await session.execute(_MINE_AND_SETTINGS, values)).all()
        head = rows[0]
        return Mine(
            applications=[_application(r) for r in rows if r.number is not None],
            applicant=None
            if head.settings_of is None
            else Applicant(
                counted=head.counted, nudges=head.nudges, season_end_told=head.season_end_told
            ),
        )

    async def one(self, club_id: int, user_id: str, number: int) -> Application | None:
        async with self._sessions() as session:
            row = await _row(session, club_id, user_id, number)
            return None if row is None else _application(row)

    async def move(
        self, club_id: int, user_id: str, number: int, *, stage: Stage, furthest: Stage, on: date
    ) -> Application | None:
        """News: the application is now at `stage` (the day it changed, club-local)."""
        return await self._change(
            club_id, user_id, number, stage=stage, furthest=furthest, news_on=on
        )

    async def advance(
        self, club_id: int, user_id: str, number: int, *, stage: Stage, on: date
    ) -> tuple[Application, bool] | None:
        """As a member moves it: to `stage` on `on`, how far it got following
        (`furthest_after`), in one read and one write. The application, and False when it
        was at `stage` already (then nothing changes); None when there is no such number."""
        async with self._sessions() as session, session.begin():
            row = await _row(session, club_id, user_id, number)
            if row is None:
                return None
            if row.stage == stage:
                return _application(row), False
            row.furthest = furthest_after(cast(Stage, row.furthest), stage)
            row.stage, row.news_on = stage, on
            return _application(row), True

    async def recategorize(
        self, club_id: int, user_id: str, number: int, category: Category
    ) -> Application | None:
        return await self._change(
            club_id, user_id, number, category=category, category_from="member"
        )

    async def _change(
        self, club_id: int, user_id: str, number: int, **values: object
    ) -> Application | None:
        async with self._sessions() as session, session.begin():
            row = await _row(session, club_id, user_id, number)
            if row is None:
                return None
            for name, value in values.items():
                setattr(row, name, value)
            return _application(row)

    async def remove(self, club_id: int, user_id: str, number: int) -> Application | None:
        async with self._sessions() as session, session.begin():
            row = await _row(session, club_id, user_id, number)
            if row is None:
                return None
            await session.delete(row)
            return _application(row)

    async def set_applicant(
        self,
        club_id: int,
        user_id: str,
        *,
        now: datetime,
        counted: bool | None = None,
        nudges: bool | None = None,
    ) -> Applicant:
        async with self._sessions() as session, session.begin():
            row = await session.get(ApplicantRow, (club_id, user_id))
            if row is None:
                row = ApplicantRow(club_id=club_id, user_id=user_id, since=now)
                row.counted, row.nudges = True, True
                session.add(row)
            if counted is not None:
                row.counted = counted
            if nudges is not None:
                row.nudges = nudges
            return _applicant(row)

    async def is_member(self, club_id: int, user_id: str) -> bool:
        """Whether the member has used the bot in this club (a button of the club's that
        reaches us from elsewhere, e.g. a DM, acts only for its members)."""
        async with self._sessions() as session:
            found = await session.get(MemberRow, (club_id, user_id))
            return found is not None

    # --- follow-ups (the daily job) -----------------------------------------------------

    async def waiting(
        self, today: Mapping[int, date], *, after: timedelta
    ) -> dict[int, dict[str, list[Application]]]:
        """Per club and member (with follow-ups on), the applications still waiting for news
        that last changed `after` or more before the club's `today` (which of them are due
        is `nudges.due`'s to say)."""
        found: dict[int, dict[str, list[Application]]] = {}
        async with self._sessions() as session:
            for chunk in chunks(list(today)):
                oldest = max(today[c] for c in chunk) - after
                rows = await session.execute(
                    select(ApplicationRow)
                    .outerjoin(ApplicantRow, _applicant_of(ApplicationRow))
                    .where(
                        ApplicationRow.club_id.in_(chunk),
                        ApplicationRow.stage.in_(sorted(WAITING)),
                        ApplicationRow.news_on <= oldest,
                        or_(ApplicantRow.nudges.is_(None), ApplicantRow.nudges.is_(True)),
                    )
                    .order_by(ApplicationRow.club_id, ApplicationRow.user_id, ApplicationRow.number)
                )
                for row in rows.scalars():
                    found.setdefault(row.club_id, {}).setdefault(row.user_id, []).append(
                        _application(row)
                    )
        return found

    async def mark_followed_up(
        self, club_id: int, user_id: str, numbers: Iterable[int], on: date
    ) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(ApplicationRow)
                .where(
                    ApplicationRow.club_id == club_id,
                    ApplicationRow.user_id == user_id,
                    ApplicationRow.number.in_(sorted(numbers)),
                )
                .values(nudged_on=on)
            )

    async def season_without_offer(
        self, club_ids: Iterable[int], summer: int
    ) -> dict[int, dict[str, int]]:
        """Per club, the members (follow-ups on, not yet told) whose applications of the
        season of `summer` led to no offer, with how many they sent."""
        mine = (ApplicationRow.club_id == ApplicantRow.club_id) & (
            ApplicationRow.user_id == ApplicantRow.user_id
        )
        in_season = mine & (ApplicationRow.season == summer)
        sent = select(func.count()).where(in_season).scalar_subquery()
        offers = (
            select(func.count())
            .where(in_season, ApplicationRow.furthest == "offer")
            .scalar_subquery()
        )
        found: dict[int, dict[str, int]] = {}
        async with self._sessions() as session:
            for chunk in chunks(list(club_ids)):
                rows = await session.execute(
                    select(ApplicantRow.club_id, ApplicantRow.user_id, sent)
                    .where(
                        ApplicantRow.club_id.in_(chunk),
                        ApplicantRow.nudges.is_(True),
                        or_(
                            ApplicantRow.season_end_told.is_(None),
                            ApplicantRow.season_end_told < summer,
                        ),
                        sent > 0,
                        offers == 0,
                    )
                    .order_by(ApplicantRow.club_id, ApplicantRow.user_id)
                )
                for club_id, user_id, count in rows:
                    found.setdefault(club_id, {})[user_id] = int(count)
        return found

    async def mark_season_end_told(self, club_id: int, user_id: str, summer: int) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(ApplicantRow)
                .where(ApplicantRow.club_id == club_id, ApplicantRow.user_id == user_id)
                .values(season_end_told=summer)
            )

    # --- the club view: aggregates, never a member --------------------------------------

    async def counted(self, club_id: int, summer: int) -> tuple[list[Sent], int]:
        """The season's applications of the members who are counted, with no member's id
        and in no member's order, and how many members they come from."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(
                    ApplicationRow.user_id,
                    ApplicationRow.category,
                    ApplicationRow.applied_on,
                    ApplicationRow.opened_on,
                    ApplicationRow.stage,
                    ApplicationRow.furthest,
                )
                .outerjoin(ApplicantRow, _applicant_of(ApplicationRow))
                .where(
                    ApplicationRow.club_id == club_id,
                    ApplicationRow.season == summer,
                    or_(ApplicantRow.counted.is_(None), ApplicantRow.counted.is_(True)),
                )
            )
            found = list(rows)
        members = len({r[0] for r in found})
        sent = sorted(
            (
                Sent(
                    category=cast(Category, r[1]),
                    applied_on=r[2],
                    opened_on=r[3],
                    stage=cast(Stage, r[4]),
                    furthest=cast(Stage, r[5]),
                )
                for r in found
            ),
            key=lambda s: (s.applied_on, s.category, s.opened_on or s.applied_on, s.stage),
        )
        return sent, members


def _applicant_of(rows: type[ApplicationRow]) -> ColumnElement[bool]:
    return (ApplicantRow.club_id == rows.club_id) & (ApplicantRow.user_id == rows.user_id)


async def _row(
    session: AsyncSession, club_id: int, user_id: str, number: int
) -> ApplicationRow | None:
    values = {"club_id": club_id, "user_id": user_id, "number": number}
    return (await session.execute(_ONE, values)).scalar_one_or_none()


# What `_application` reads, for reads of plain rows rather than entities.
_APPLICATION_COLUMNS = (
    ApplicationRow.number,
    ApplicationRow.company,
    ApplicationRow.role,
    ApplicationRow.link,
    ApplicationRow.category,
    ApplicationRow.category_from,
    ApplicationRow.program,
    ApplicationRow.window_key,
    ApplicationRow.posting_id,
    ApplicationRow.opened_on,
    ApplicationRow.applied_on,
    ApplicationRow.stage,
    ApplicationRow.furthest,
    ApplicationRow.news_on,
    ApplicationRow.nudged_on,
)


def _values(app: Application) -> dict[str, object]:
    """The columns of an application's row that `_application` reads back."""
    return {c.key: getattr(app, c.key) for c in _APPLICATION_COLUMNS}


def _application(row: Any) -> Application:
    """From an entity or a plain row of `_APPLICATION_COLUMNS`."""
    return Application(
        number=row.number,
        company=row.company,
        role=row.role,
        link=row.link,
        category=cast(Category, row.category),
        category_from=row.category_from,
        program=row.program,
        window_key=row.window_key,
        posting_id=row.posting_id,
        opened_on=row.opened_on,
        applied_on=row.applied_on,
        stage=cast(Stage, row.stage),
        furthest=cast(Stage, row.furthest),
        news_on=row.news_on,
        nudged_on=row.nudged_on,
    )


def _applicant(row: ApplicantRow | None) -> Applicant:
    if row is None:
        return Applicant()
    return Applicant(counted=row.counted, nudges=row.nudges, season_end_told=row.season_end_told)


# The statements of the commands members run most, built once: building one costs about as
# much CPU as running it.
_CLUB, _USER = bindparam("club_id", type_=Integer), bindparam("user_id", type_=String)
_ONE = select(ApplicationRow).where(
    ApplicationRow.club_id == _CLUB,
    ApplicationRow.user_id == _USER,
    ApplicationRow.number == bindparam("number", type_=Integer),
)
_NEW_APPLICATION = insert(cast(Table, ApplicationRow.__table__))
# The settings row, if any, joined to each application (to one empty row if none).
_MINE_AND_SETTINGS = (
    select(
        ApplicantRow.user_id.label("settings_of"),
        ApplicantRow.counted,
        ApplicantRow.nudges,
        ApplicantRow.season_end_told,
        *_APPLICATION_COLUMNS,
    )
    .select_from(select(literal(1).label("one")).subquery("anchor"))
    .outerjoin(ApplicantRow, (ApplicantRow.club_id == _CLUB) & (ApplicantRow.user_id == _USER))
    .outerjoin(
        ApplicationRow, (ApplicationRow.club_id == _CLUB) & (ApplicationRow.user_id == _USER)
    )
    .order_by(ApplicationRow.applied_on, ApplicationRow.number)
)

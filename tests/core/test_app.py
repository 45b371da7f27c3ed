"""Given a club and a clock, when a member runs a command, the reply says ..."""

import pytest

from bot.app import Bot, ButtonAction, Command, Option, validate_args
from bot.errors import UserError
from bot.model import ButtonEvent, CommandEvent, Place, User, plain, reply
from tests.conftest import ADMIN, MEMBER, SETUP


async def test_an_officer_configures_the_club(club):
    answer = await club.run(SETUP, as_user=ADMIN)
    assert "Saved." in answer.text
    assert answer.ephemeral
    config = (await club.runtime.store.clubs.all())[0]
    assert config.timezone == "America/New_York"
    assert {p: c.name for p, c in config.channels.items()} == {
        "deadlines": "deadlines",
        "problems": "daily-problem",
        "pairing": "mock-interviews",
        "alerts": "officers",
    }


async def test_a_non_officer_is_refused_and_nothing_changes(club):
    await club.run(SETUP, as_user=ADMIN)
    answer = await club.run("/admin setup timezone:UTC alerts:#general", as_user=MEMBER)
    assert "Only club officers can run /admin setup" in answer.text
    config = (await club.runtime.store.clubs.all())[0]
    assert config.timezone == "America/New_York"
    assert config.channels["alerts"].name == "officers"


async def test_officers_come_from_the_list_or_the_role(club):
    await club.run("/admin officers add member:@priya", as_user=ADMIN)
    priya = User(id="priya", name="priya")
    assert "Saved." in (await club.run("/admin setup timezone:UTC", as_user=priya)).text
    await club.run("/admin setup officer_role:<@&42>", as_user=ADMIN)
    with_role = User(id="kim", name="kim", roles=frozenset({"42"}))
    assert "Saved." in (await club.run("/admin setup digest_day:fri", as_user=with_role)).text
    await club.run("/admin officers remove member:@priya", as_user=ADMIN)
    assert "Only club officers" in (await club.run("/admin status", as_user=priya)).text


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ("/admin setup timezone:Mars/Base", "not a time zone I know"),
        ("/admin setup digest_time:9xm", "9am, 9:30pm"),
        ("/admin setup alerts:#nowhere", "can't find the channel `#nowhere`"),
        ("/admin setup colour:blue", "/admin setup has no option `colour`. Its options: timezone"),
        ("/admin setup timezone:" + "A" * 300, "300 characters long; at most 200"),
        ("/admin officers add", "/admin officers add needs `member`"),
        ("/admin officers add member:@", "can't find the member"),
        ("/deadlines-please", "There is no command /deadlines-please"),
    ],
)
async def test_bad_input_gets_a_clear_error_and_changes_nothing(club, line, complaint):
    await club.run(SETUP, as_user=ADMIN)
    before = await club.runtime.store.audit((await club.runtime.store.clubs.all())[0].id, 100)
    answer = await club.run(line, as_user=ADMIN)
    assert complaint in answer.text
    assert answer.ephemeral
    club_id = (await club.runtime.store.clubs.all())[0].id
    assert await club.runtime.store.audit(club_id, 100) == before


async def test_help_shows_admin_commands_only_to_officers(club):
    member_help = (await club.run("/help", as_user=MEMBER)).text
    officer = await club.run("/help", as_user=ADMIN)
    officer_help = officer.text + "".join(f.value for f in officer.fields)
    assert "/admin" not in member_help.replace("Officers have /admin commands too.", "")
    assert "`/admin setup`" in officer_help
    assert "`/help`" in member_help


async def test_an_officers_help_names_every_command_they_may_run(club):
    """With 50 commands the list outgrew one message and ended "…and 2 more"."""
    answer = await club.run("/help", as_user=ADMIN)
    shown = answer.text + "\n".join(f.value for f in answer.fields)
    assert "…and" not in shown
    for command in club.runtime.bot.commands:
        *group, last = command.name.split(" ")
        if len(group) < 2:
            assert f"`/{command.name}`" in shown, command.name
        else:
            assert f"`/{' '.join(group)}`" in shown, command.name
            assert last in shown, command.name
    explained = await club.run("/help admin", as_user=ADMIN)
    everything = explained.text + "\n".join(f.value for f in explained.fields)
    for command in club.runtime.bot.commands:
        if command.name.startswith("admin "):
            assert f"`/{command.name}`" in everything, command.name


async def test_status_shows_the_next_run_and_what_is_missing(club):
    await club.run("/admin setup timezone:America/New_York", as_user=ADMIN)
    status = await club.run("/admin status", as_user=ADMIN)
    fields = {f.name: f.value for f in status.fields}
    assert "Weekly officer digest: Mon 23 Nov 2026, 09:00 EST" in plain(fields["Next runs"])
    assert "No alerts channel: `/admin setup alerts:#channel`." in fields["Problems"]
    assert "Nothing has run yet." in fields["Last runs"]


async def test_every_admin_change_is_audited_with_who_and_what(club):
    await club.run("/admin setup timezone:Asia/Kolkata alerts:#officers", as_user=ADMIN)
    await club.run("/admin officers add member:@priya", as_user=ADMIN)
    audit = (await club.run("/admin audit", as_user=ADMIN)).text
    assert "alex add officer → priya" in audit
    assert "alex set timezone → Asia/Kolkata" in audit
    assert "alex set channel alerts → officers" in audit


async def test_an_unexpected_error_is_logged_once_and_answered_briefly(club):
    async def broken(ctx):
        raise RuntimeError("database on fire")

    seen = []
    bot = Bot(
        commands=(Command(name="boom", description="Fails", handler=broken),),
        store=club.runtime.store,
        clock=club.clock,
        directory=club.runtime.bot.directory,
        schedule=club.runtime.scheduler,
        on_error=lambda e, ev: seen.append((e, ev)),
    )
    place = Place(platform="slack", workspace_id="T1", channel_id="C1")
    answer = await bot.handle(CommandEvent(name="boom", args={}, user=MEMBER, place=place))
    assert "went wrong on our side" in answer.text
    assert "fire" not in answer.text
    assert [str(e) for e, _ in seen] == ["database on fire"]


async def test_buttons_route_by_action_and_old_ones_answer_politely(club):
    async def solved(ctx):
        return reply(f"{ctx.user.name} solved {ctx.args['value']}")

    bot = Bot(
        commands=(),
        store=club.runtime.store,
        clock=club.clock,
        directory=club.runtime.bot.directory,
        schedule=club.runtime.scheduler,
        buttons=(ButtonAction(action="solved", handler=solved),),
    )
    place = Place(platform="discord", workspace_id="G1", channel_id="C1")
    click = ButtonEvent(action="solved", value="two-sum", user=MEMBER, place=place)
    assert (await bot.handle(click)).text == "sam solved two-sum"
    stale = ButtonEvent(action="gone", value="x", user=MEMBER, place=place)
    assert "no longer does anything" in (await bot.handle(stale)).text


def test_command_specs_respect_discord_limits():
    async def noop(ctx):
        return reply("ok")

    with pytest.raises(ValueError, match="names are 1-32 lowercase"):
        Command(name="Admin", description="x", handler=noop)
    with pytest.raises(ValueError, match="more than 25 options"):
        Command(
            name="big",
            description="x",
            handler=noop,
            options=tuple(Option(name=f"o{i}", description="x") for i in range(26)),
        )
    with pytest.raises(ValueError, match="description must be 1-100"):
        Command(name="quiet", description="", handler=noop)
    with pytest.raises(ValueError, match="more than 25 choices"):
        Option(name="pick", description="x", choices=tuple(str(i) for i in range(26)))


def test_options_are_checked_against_their_spec():
    async def noop(ctx):
        return reply("ok")

    command = Command(
        name="pick",
        description="x",
        handler=noop,
        options=(
            Option(name="level", description="x", choices=("easy", "hard"), required=True),
            Option(name="count", description="x", kind="integer"),
        ),
    )
    assert validate_args(command, {"level": " easy "}) == {"level": "easy"}
    with pytest.raises(UserError, match="must be one of: easy, hard"):
        validate_args(command, {"level": "medium"})
    with pytest.raises(UserError, match="whole number"):
        validate_args(command, {"level": "easy", "count": "many"})


async def test_autocomplete_suggests_at_most_25_and_a_broken_completer_suggests_nothing(club):
    async def topics(ctx, typed):
        return [f"{typed}-{n}" for n in range(40)]

    async def broken(ctx, typed):
        raise RuntimeError("index gone")

    async def noop(ctx):
        return reply("ok")

    seen = []
    bot = Bot(
        commands=(
            Command(
                name="pick",
                description="Pick",
                handler=noop,
                options=(
                    Option(name="topic", description="Topic", autocomplete=topics),
                    Option(name="kind", description="Kind", choices=("coding", "ml", "sql")),
                    Option(name="bad", description="Bad", autocomplete=broken),
                ),
            ),
        ),
        store=club.runtime.store,
        clock=club.clock,
        directory=club.runtime.bot.directory,
        schedule=club.runtime.scheduler,
        on_error=lambda e, ev: seen.append(str(e)),
    )
    place = Place(platform="discord", workspace_id="G1", channel_id="C1")
    suggested = await bot.complete("pick", "topic", "dp", user=MEMBER, place=place)
    assert suggested == [f"dp-{n}" for n in range(25)]
    assert await bot.complete("pick", "kind", "Q", user=MEMBER, place=place) == ["sql"]
    assert await bot.complete("pick", "bad", "x", user=MEMBER, place=place) == []
    assert seen == ["index gone"]
    assert await bot.complete("nope", "topic", "x", user=MEMBER, place=place) == []

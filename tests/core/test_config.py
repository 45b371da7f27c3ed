"""Settings come from the environment over `.env`; secrets never show in a repr."""

from datetime import timedelta

import pytest

from bot.config import DEFAULT_DATABASE_URL, load_settings


def test_defaults_need_no_configuration(tmp_path):
    settings = load_settings({}, dotenv=tmp_path / "missing.env")
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.grace == timedelta(hours=1)
    assert settings.log_level == "INFO"


def test_the_environment_wins_over_the_dotenv_file(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("DATABASE_URL=sqlite+aiosqlite:///from-file.db\nCLUBBOT_GRACE=30m\n")
    settings = load_settings({"DATABASE_URL": "postgresql+asyncpg://db/club"}, dotenv=dotenv)
    assert settings.database_url == "postgresql+asyncpg://db/club"
    assert settings.grace == timedelta(minutes=30)


def test_secrets_are_read_but_never_shown(tmp_path):
    settings = load_settings(
        {"DISCORD_TOKEN": "sekrit-discord", "SLACK_SIGNING_SECRET": "sekrit-slack"},
        dotenv=tmp_path / "none.env",
    )
    assert settings.discord_token == "sekrit-discord"
    assert "sekrit" not in repr(settings)
    assert "sekrit" not in str(settings)


def test_a_bad_grace_window_names_the_setting(tmp_path):
    with pytest.raises(ValueError, match=r"CLUBBOT_GRACE: `soon` is not a duration.*30m, 5h"):
        load_settings({"CLUBBOT_GRACE": "soon"}, dotenv=tmp_path / "none.env")

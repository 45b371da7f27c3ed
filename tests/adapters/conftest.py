"""The Slack club fixtures (`mock`, `slack`) for every adapter test module."""

from tests.adapters.test_slack import mock, slack

__all__ = ["mock", "slack"]

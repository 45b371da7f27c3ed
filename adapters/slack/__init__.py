"""Slack through slack-bolt: translation only, one module per concern.

`app` (bolt's listeners: slash commands, clicks, the Home tab), `render` (Block Kit and its
escaping), `posting` (the core's Poster), `workspace` (Web API clients, the directory,
members' rights), `manifest` (the app manifest from the core's command specs), `start`
(`clubbot slack`: Socket Mode or HTTP with OAuth).
"""

"""Discord: the core's commands as app commands, its messages as embeds, one listener.

Translation only. Every interaction (slash command, button, autocomplete) arrives
at one `on_interaction` listener and becomes a core event; buttons carry
`action:value` custom ids and are routed by that listener, so buttons on old posts
keep working after a restart. Rights are checked in the core: a member with Manage
Server or Administrator is `User.is_admin`. Mentions never ping: the client
allows none.

Modules: `commands` (the command tree and its upload), `events` (interactions into
core events), `render` (embeds and buttons), `listener` (the client and what it
listens to), `posting` (the core's Poster), `directory` (channels and members an
officer names), `start` (`clubbot discord`).
"""

"""The LAN check-in server (`boxoffice gate-server`): an HTTP API over core.gate for lanes
that judge online, fall back offline and upload later; and the live admissions page."""

"""The resident's own space: server-rendered pages under `/espace/`, signed in through
the online account (OpenID Connect), where residents follow their requests and see and
control what Relais holds about them."""

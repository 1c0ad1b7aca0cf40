"""The composition roots: what puts the domains together (top of the core).

`bootstrap.py` makes every registration, `models.py` gathers every model, `main.py` builds
the web application, `cli.py` and `launcher.py` the `relais` command. They import the
domains; no domain imports them.
"""

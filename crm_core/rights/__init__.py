"""A resident's rights over their data and the data's end: export, erasure, retention,
the consents' routes, and the `relais audit` / `relais retention` commands.

They read and change the rows of every domain, so they stand above them; what every domain
uses stays below: the access log in `crm_core/privacy/`, the consents and who may be
contacted in `crm_core/consent/`.
"""

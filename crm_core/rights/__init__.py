"""A resident's rights over their data and the data's end: export, erasure, retention,
the consents' routes, and the `relais audit` / `relais retention` commands.

They read and change the rows of every domain, so they stand above them; what every domain
uses of privacy (the access log, the consents, who may be contacted) stays below, in
`crm_core/privacy/`.
"""

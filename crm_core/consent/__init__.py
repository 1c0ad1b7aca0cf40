"""What a resident agreed to and whether the city may contact them, on which way.

It reads the register (contact points, which record survives a merge), so it stands above
`residents/`; the access log and the consents' vocabulary it writes stay below, in
`crm_core/privacy/`. See docs/consent.md.
"""

from enum import StrEnum


class Role(StrEnum):
    COUNTER = "counter"
    PHONE = "phone"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


# As agents and residents read a role (requests, events, the console): never the code.
ROLE_LABELS = {Role.COUNTER: "agent d'accueil", Role.PHONE: "agent d'accueil téléphonique",
               Role.SUPERVISOR: "responsable d'accueil", Role.ADMIN: "administrateur"}


class SiteKind(StrEnum):
    TOWN_HALL = "town_hall"
    ANNEX = "annex"
    CALL_CENTRE = "call_centre"
    BACK_OFFICE = "back_office"


class Permission(StrEnum):
    RESIDENT_READ = "resident:read"
    RESIDENT_WRITE = "resident:write"
    CASE_WRITE = "case:write"
    INTERACTION_WRITE = "interaction:write"
    RESIDENT_MERGE = "resident:merge"
    RESIDENT_ERASE = "resident:erase"
    REPORT_READ = "report:read"
    AGENT_ADMIN = "agent:admin"
    AGENT_APPROVE = "agent:approve"  # the second pair of eyes on access to residents' data
    CATALOG_ADMIN = "catalog:admin"


_FRONT_OFFICE = frozenset(
    {
        Permission.RESIDENT_READ,
        Permission.RESIDENT_WRITE,
        Permission.CASE_WRITE,
        Permission.INTERACTION_WRITE,
    }
)

# Admins run the system, they do not read residents' files: least privilege.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.COUNTER: _FRONT_OFFICE,
    Role.PHONE: _FRONT_OFFICE,
    Role.SUPERVISOR: _FRONT_OFFICE
    | {Permission.RESIDENT_MERGE, Permission.RESIDENT_ERASE, Permission.REPORT_READ,
       Permission.AGENT_APPROVE},
    Role.ADMIN: frozenset({Permission.AGENT_ADMIN, Permission.CATALOG_ADMIN}),
}

# What no admin may obtain alone (for someone else or through another account): reading or
# changing residents' data. `crm_core/agents/changes.py` holds such grants for a supervisor.
RESIDENT_DATA = frozenset(Permission) - {Permission.AGENT_ADMIN, Permission.CATALOG_ADMIN}


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    SUPERSEDED = "superseded"  # a newer request for the same agent replaced it

"""Pydantic's validation errors said in French: one catalogue for the API's problem
responses and the command line (settings, arguments). Pydantic writes English; every
error type it can raise has its French sentence here, so none leaks through."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from crm_core.text import count

_DATE = "date invalide (AAAA-MM-JJ attendu)"
_DATETIME = "date et heure invalides (ISO 8601 attendu)"
_TIME = "heure invalide (HH:MM attendu)"
_OBJECT = "objet attendu"
_LIST = "liste attendue"
_TEXT = "texte attendu"
_NUMBER = "nombre attendu"
_URL = "adresse web invalide"
_INTERNAL = "valeur refusée"  # types a client cannot cause (schema or Python objects)

_MESSAGES = {
    "missing": "champ obligatoire",
    "missing_argument": "champ obligatoire",
    "missing_keyword_only_argument": "champ obligatoire",
    "missing_positional_only_argument": "champ obligatoire",
    "extra_forbidden": "champ inconnu",
    "unexpected_keyword_argument": "champ inconnu",
    "unexpected_positional_argument": "champ en trop",
    "multiple_argument_values": "champ donné deux fois",
    "no_such_attribute": "champ inconnu",
    "frozen_field": "champ non modifiable",
    "frozen_instance": "objet non modifiable",
    "invalid_key": "clé invalide",
    "json_invalid": "JSON illisible",
    "json_type": "JSON attendu",
    "none_required": "aucune valeur attendue",
    "greater_than": "valeur trop petite (plus de {gt} attendu)",
    "greater_than_equal": "valeur trop petite (au moins {ge} attendu)",
    "less_than": "valeur trop grande (moins de {lt} attendu)",
    "less_than_equal": "valeur trop grande (au plus {le} attendu)",
    "multiple_of": "valeur refusée (multiple de {multiple_of} attendu)",
    "finite_number": "nombre fini attendu",
    "too_short": "pas assez d'éléments (au moins {min_length})",
    "too_long": "trop d'éléments (au plus {max_length})",
    "iterable_type": _LIST,
    "iteration_error": _LIST,
    "string_type": _TEXT,
    "string_unicode": "texte Unicode attendu",
    "string_too_short": "texte trop court ou vide",
    "string_too_long": "texte trop long (au plus {max_length} caractères)",
    "string_pattern_mismatch": "format invalide",
    "string_not_ascii": "caractères non ASCII refusés",
    "enum": "valeur non reconnue (attendu : {expected})",
    "literal_error": "valeur non reconnue (attendu : {expected})",
    "dict_type": _OBJECT, "frozen_dict_type": _OBJECT, "ordered_dict_type": _OBJECT,
    "counter_type": _OBJECT, "mapping_type": _OBJECT, "model_type": _OBJECT,
    "model_attributes_type": _OBJECT, "dataclass_type": _OBJECT,
    "dataclass_exact_type": _OBJECT, "named_tuple_type": _LIST, "arguments_type": _OBJECT,
    "list_type": _LIST, "deque_type": _LIST, "tuple_type": _LIST, "set_type": _LIST,
    "frozen_set_type": _LIST, "set_item_not_hashable": "élément de liste invalide",
    "bool_type": "vrai/faux attendu", "bool_parsing": "vrai/faux attendu",
    "int_type": "nombre entier attendu", "int_parsing": "nombre entier attendu",
    "int_parsing_size": "nombre entier trop grand", "int_from_float": "nombre entier attendu",
    "float_type": _NUMBER, "float_parsing": _NUMBER,
    "decimal_type": _NUMBER, "decimal_parsing": _NUMBER,
    "decimal_max_digits": "trop de chiffres", "decimal_max_places": "trop de décimales",
    "decimal_whole_digits": "trop de chiffres avant la virgule",
    "fraction_type": _NUMBER, "fraction_parsing": _NUMBER,
    "complex_type": _NUMBER, "complex_str_parsing": _NUMBER,
    "bytes_type": _TEXT, "bytes_too_short": "texte trop court",
    "bytes_too_long": "texte trop long", "bytes_invalid_encoding": "encodage invalide",
    "value_error": "valeur invalide", "assertion_error": "valeur invalide",
    "date_type": _DATE, "date_parsing": _DATE, "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE, "date_past": "date passée attendue",
    "date_future": "date à venir attendue",
    "time_type": _TIME, "time_parsing": _TIME,
    "datetime_type": _DATETIME, "datetime_parsing": _DATETIME,
    "datetime_object_invalid": _DATETIME, "datetime_from_date_parsing": _DATETIME,
    "datetime_past": "moment passé attendu", "datetime_future": "moment à venir attendu",
    "timezone_naive": "sans fuseau horaire attendu", "timezone_aware": "fuseau horaire manquant",
    "timezone_offset": "décalage horaire inattendu",
    "time_delta_type": "durée attendue", "time_delta_parsing": "durée invalide",
    "url_type": _URL, "url_parsing": _URL, "url_syntax_violation": _URL,
    "url_too_long": "adresse web trop longue", "url_scheme": "adresse web : schéma refusé",
    "uuid_type": "identifiant invalide", "uuid_parsing": "identifiant invalide",
    "uuid_version": "identifiant invalide",
    "union_tag_invalid": "type d'objet non reconnu", "union_tag_not_found": "type d'objet manquant",
    "callable_type": _INTERNAL, "is_instance_of": _INTERNAL, "is_subclass_of": _INTERNAL,
    "needs_python_object": _INTERNAL, "recursion_loop": _INTERNAL,
    "recursion_depth_exceeded": "données trop imbriquées", "get_attribute_error": _INTERNAL,
    "default_factory_not_called": _INTERNAL, "missing_sentinel_error": _INTERNAL,
    "ellipsis_error": _INTERNAL,
}


def _expected(raw: object) -> str:
    # Pydantic's "'done' or 'refused'" / "'a', 'b' or 'c'": keep the values, say "ou".
    return str(raw).replace(" or ", " ou ")


def _number(value: object) -> object:
    """A bound as French writes it: « 0 », « 2,5 », « 12 345 » (not « 0.0 »)."""
    if type(value) is float:
        return count(int(value)) if value.is_integer() else str(value).replace(".", ",")
    return count(value) if type(value) is int else value


def french_message(error: Mapping[str, Any]) -> str:
    """The French sentence for one Pydantic error (`ValidationError.errors()` item)."""
    kind = str(error.get("type", ""))
    ctx = dict(error.get("ctx") or {})
    if kind in ("too_short", "too_long") and isinstance(error.get("input"), str):
        kind = f"string_{kind}"  # a length checked after a validator: still a text's
    if kind == "value_error" and ctx.get("error") is not None:
        # Our own validators raise ValueError with a French sentence: it is the message.
        return str(ctx["error"]).removeprefix("Value error, ")
    template = _MESSAGES.get(kind, "valeur invalide")
    if kind == "string_too_short" and int(ctx.get("min_length", 1)) > 1:
        template = "texte trop court (au moins {min_length} caractères)"
    if "expected" in ctx:
        ctx["expected"] = _expected(ctx["expected"])
    # "2 000 caractères": thousands apart, by a narrow no-break space (French typography).
    ctx = {key: _number(value) for key, value in ctx.items()}
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return template.split(" (")[0]  # the sentence without the detail it lacks


# A part of the address (`/calls/{call}`) named as an agent reads it, not as the code does.
PATH_LABELS = {
    "call": "identifiant d'appel", "callback_id": "identifiant de rappel",
    "ticket_id": "identifiant de ticket", "resident_id": "identifiant d'usager",
    "agent_id": "identifiant d'agent", "agent_request_id": "identifiant de demande",
    "request_id": "identifiant de demande", "badge_id": "identifiant de badge",
    "point_id": "identifiant de coordonnée", "subscription_id": "identifiant d'abonnement",
    "reference": "référence de demande", "code": "code", "source": "source",
    "procedure_id": "numéro de démarche", "id": "identifiant",
}


def field_of(error: Mapping[str, Any], skip: tuple[str, ...] = ("body", "query")) -> str:
    loc = tuple(error.get("loc", ()))
    if len(loc) == 2 and loc[0] == "path":
        return PATH_LABELS.get(str(loc[1]), f"{loc[1]} (dans l'adresse)")
    return ".".join(str(part) for part in loc if part not in skip)


def french_errors(errors: Iterable[Mapping[str, Any]], *, limit: int = 10,
                  skip: tuple[str, ...] = ("body", "query")) -> list[dict[str, str]]:
    """`[{field, message}]` in French for the items of `ValidationError.errors()`: never
    Pydantic's English `msg` ("Value error, …", "Input should have timezone info"), never
    the input it quotes."""
    return [{"field": field_of(error, skip) or "?", "message": french_message(error)}
            for error in list(errors)[:limit]]


def french_summary(errors: Iterable[Mapping[str, str]], *, limit: int = 3) -> str:
    """"champ : message; …" for a one-line detail, the fields an agent types named as the
    apps name them (the counter showed « q : texte trop long » for its search box). The
    `errors` list keeps the API's own names, for programs."""
    return "; ".join(f"{SUMMARY_LABELS.get(e['field'], e['field'])} : {e['message']}"
                     for e in list(errors)[:limit])


# The fields the apps and the resident pages send, as the person who typed them reads them.
SUMMARY_LABELS = {
    "q": "Recherche", "family_name": "Nom", "given_name": "Prénom",
    "birth_name": "Nom de naissance", "birth_date": "Date de naissance", "email": "E-mail",
    "phone": "Téléphone", "reference": "Référence", "subject": "Objet",
    "description": "Description", "note": "Note", "reason": "Motif", "summary": "Résumé",
    "address_line": "Adresse", "postal_code": "Code postal", "city": "Commune",
}

"""Where the demo residents live: communes of Rennes Métropole and plausible streets.

Only communes whose INSEE and postal codes we are sure of are listed. Weights follow the
rough size of each commune's population. Street names are common French ones and are not
claimed to exist in the commune they are drawn for.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Commune:
    name: str
    insee_code: str
    postal_codes: tuple[str, ...]
    weight: int


COMMUNES: tuple[Commune, ...] = (
    Commune("Rennes", "35238", ("35000", "35200", "35700"), 220),
    Commune("Cesson-Sévigné", "35051", ("35510",), 18),
    Commune("Bruz", "35047", ("35170",), 19),
    Commune("Saint-Jacques-de-la-Lande", "35281", ("35136",), 13),
    Commune("Pacé", "35210", ("35740",), 12),
    Commune("Betton", "35024", ("35830",), 12),
    Commune("Chantepie", "35055", ("35135",), 11),
    Commune("Vezin-le-Coquet", "35353", ("35132",), 6),
)

RENNES = COMMUNES[0]

STREET_TYPES: tuple[tuple[str, int], ...] = (
    ("rue", 55), ("avenue", 12), ("boulevard", 7), ("allée", 10), ("place", 4),
    ("impasse", 8), ("square", 2), ("chemin", 2),
)

STREET_NAMES: tuple[str, ...] = (
    "de la République", "Jean Jaurès", "Victor Hugo", "de Paris", "du Général de Gaulle",
    "Pasteur", "de la Gare", "des Lilas", "des Écoles", "du Moulin", "de Brest",
    "de Nantes", "de Saint-Malo", "Anne de Bretagne", "Du Guesclin", "Jules Ferry",
    "Gambetta", "de l'Église", "des Tilleuls", "des Peupliers", "de la Liberté",
    "Paul Bert", "Jeanne d'Arc", "Émile Zola", "Jean Moulin", "de la Mairie",
    "des Acacias", "du Stade", "de Fougères", "de Lorient", "d'Antrain",
    "de Châteaugiron", "des Jardins", "de la Poterie", "des Mimosas",
    "Pierre et Marie Curie", "Alsace-Lorraine", "du Maréchal Leclerc", "Saint-Hélier",
    "de Vern", "des Hortensias", "des Marronniers", "de la Fontaine", "Louise Michel",
    "Simone Veil", "Aristide Briand", "de Verdun", "du 8 Mai 1945", "des Bruyères",
    "du Bois", "de la Vilaine", "des Camélias", "Albert Camus", "Sévigné",
    "Frédéric Mistral", "de Bretagne", "des Ajoncs", "des Genêts", "de Normandie",
    "Georges Brassens", "Colette", "de Provence", "Nominoë", "Saint-Exupéry",
)

EMAIL_DOMAINS: tuple[str, ...] = (
    # Reserved names (RFC 2606): no demo e-mail can ever reach a real mailbox.
    "example.org", "example.com", "example.net", "mail.example.org", "courriel.example.net",
)

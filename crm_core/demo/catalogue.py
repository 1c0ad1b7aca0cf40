"""Reference data of the demo city: sites, agents, municipal services and their requests.

Everything a user reads is in French. Service codes are stable lowercase slugs.
"""

from __future__ import annotations

from dataclasses import dataclass

from crm_core.agents.enums import Role, SiteKind
from crm_core.cases.enums import CaseKind

K = CaseKind


@dataclass(frozen=True, slots=True)
class SiteSpec:
    code: str
    name: str
    kind: SiteKind
    insee_code: str
    address: str


@dataclass(frozen=True, slots=True)
class AgentSpec:
    username: str
    display_name: str
    role: Role
    site_code: str | None
    phone_extension: str | None = None


@dataclass(frozen=True, slots=True)
class Subject:
    kind: CaseKind
    subject: str
    description: str


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    code: str
    label: str
    announced_delay_days: int
    weight: int
    subjects: tuple[Subject, ...]


SITES: tuple[SiteSpec, ...] = (
    SiteSpec("hdv", "Hôtel de ville", SiteKind.TOWN_HALL, "35238",
             "Place de la Mairie, 35000 Rennes"),
    SiteSpec("annexe-blosne", "Mairie de quartier du Blosne", SiteKind.ANNEX, "35238",
             "Quartier du Blosne, Rennes"),
    SiteSpec("annexe-villejean", "Mairie de quartier de Villejean", SiteKind.ANNEX, "35238",
             "Quartier de Villejean, Rennes"),
    SiteSpec("allo-mairie", "Allô mairie", SiteKind.CALL_CENTRE, "35238",
             "Hôtel de ville, Place de la Mairie, 35000 Rennes"),
    SiteSpec("back-office", "Pôle relation usagers (back-office)", SiteKind.BACK_OFFICE,
             "35238", "Hôtel de ville, Place de la Mairie, 35000 Rennes"),
)

# The four accounts named in the README and printed by `relais demo`.
DEMO_AGENTS: tuple[AgentSpec, ...] = (
    AgentSpec("accueil", "Élodie Martin (accueil)", Role.COUNTER, "hdv"),
    AgentSpec("telephone", "Loïc Le Goff (Allô mairie)", Role.PHONE, "allo-mairie", "201"),
    AgentSpec("superviseur", "Hélène Moreau (responsable d'accueil)", Role.SUPERVISOR, "hdv"),
    AgentSpec("admin", "Administrateur Relais", Role.ADMIN, None),
)

# Their colleagues, so that timelines show several names per site.
OTHER_AGENTS: tuple[AgentSpec, ...] = (
    AgentSpec("jerome.dupont", "Jérôme Dupont", Role.COUNTER, "hdv"),
    AgentSpec("nadia.benali", "Nadia Benali", Role.COUNTER, "annexe-blosne"),
    AgentSpec("yann.riou", "Yann Riou", Role.COUNTER, "annexe-blosne"),
    AgentSpec("anais.lefevre", "Anaïs Lefèvre", Role.COUNTER, "annexe-villejean"),
    AgentSpec("francois.nguyen", "François Nguyen", Role.PHONE, "allo-mairie", "202"),
    AgentSpec("maelle.gauthier", "Maëlle Gauthier", Role.PHONE, "allo-mairie", "203"),
    AgentSpec("noel.boucher", "Noël Boucher", Role.COUNTER, "back-office"),
    AgentSpec("sophie.perrault", "Sophie Perrault", Role.COUNTER, "back-office"),
)

DEMO_USERNAMES = tuple(agent.username for agent in DEMO_AGENTS)

ONLINE_ACCOUNT_PROVIDER = "compte-unique"
E_SERVICES_SYSTEM = "publik"


def _s(kind: CaseKind, subject: str, description: str) -> Subject:
    return Subject(kind, subject, description)


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("etat-civil", "État civil", 10, 12, (
        _s(K.REQUEST, "Demande d'acte de naissance",
           "Copie intégrale demandée pour un dossier de mariage."),
        _s(K.REQUEST, "Copie d'acte de mariage", "Extrait avec filiation pour une succession."),
        _s(K.REQUEST, "Duplicata du livret de famille", "Livret perdu lors d'un déménagement."),
        _s(K.REQUEST, "Dépôt d'un dossier de mariage", "Mariage prévu dans quatre mois."),
        _s(K.QUESTION, "Pièces à fournir pour un PACS", "Souhaite conclure un PACS en mairie."),
        _s(K.COMPLAINT, "Erreur sur un acte de naissance",
           "Le prénom comporte une faute d'orthographe sur l'acte délivré."),
    )),
    ServiceSpec("titres-identite", "Cartes d'identité et passeports", 30, 14, (
        _s(K.REQUEST, "Pré-demande de passeport", "Voyage prévu à l'étranger cet été."),
        _s(K.REQUEST, "Renouvellement de carte d'identité", "Carte expirée depuis deux mois."),
        _s(K.REQUEST, "Carte d'identité pour un mineur", "Première carte pour un enfant."),
        _s(K.QUESTION, "Délai de rendez-vous pour un passeport",
           "Souhaite connaître le prochain créneau disponible."),
        _s(K.COMPLAINT, "Rendez-vous annulé sans prévenir",
           "Venue au guichet pour rien, aucun message reçu."),
        _s(K.PRAISE, "Merci pour l'accueil au service des titres",
           "Accueil rapide et explications claires."),
    )),
    ServiceSpec("elections", "Élections", 15, 5, (
        _s(K.REQUEST, "Inscription sur les listes électorales", "Arrivée récente dans la commune."),
        _s(K.REQUEST, "Établissement d'une procuration", "Absent le jour du scrutin."),
        _s(K.QUESTION, "Bureau de vote après un déménagement",
           "Ne sait pas dans quel bureau voter."),
        _s(K.COMPLAINT, "Carte électorale non reçue", "Aucune carte reçue avant le scrutin."),
    )),
    ServiceSpec("inscriptions-scolaires", "Inscriptions scolaires", 20, 8, (
        _s(K.REQUEST, "Inscription en école maternelle", "Enfant né en 2023, rentrée prochaine."),
        _s(K.REQUEST, "Demande de dérogation de secteur scolaire",
           "Souhaite scolariser l'enfant près du lieu de travail."),
        _s(K.REQUEST, "Inscription à la cantine et au périscolaire",
           "Deux enfants, accueil du soir les lundis et jeudis."),
        _s(K.QUESTION, "Tarifs de la restauration scolaire", "Demande le calcul du quotient."),
        _s(K.COMPLAINT, "Facture de cantine erronée", "Repas facturés pendant une absence."),
        _s(K.IDEA, "Davantage de repas végétariens à la cantine",
           "Propose deux repas végétariens par semaine."),
    )),
    ServiceSpec("proprete", "Propreté et collecte des déchets", 7, 14, (
        _s(K.REQUEST, "Bac jaune cassé à remplacer", "Couvercle arraché lors de la collecte."),
        _s(K.REQUEST, "Demande de composteur individuel", "Maison avec jardin."),
        _s(K.REQUEST, "Enlèvement d'encombrants", "Un canapé et une armoire."),
        _s(K.COMPLAINT, "Dépôt sauvage de déchets", "Sacs et cartons au pied des conteneurs."),
        _s(K.COMPLAINT, "Bac non collecté", "Bac sorti la veille, non vidé ce matin."),
        _s(K.QUESTION, "Jours de collecte du verre", "Vient d'emménager dans le quartier."),
        _s(K.IDEA, "Poubelles de tri dans le parc", "Beaucoup de canettes dans les bacs gris."),
    )),
    ServiceSpec("voirie", "Voirie et éclairage public", 15, 10, (
        _s(K.REQUEST, "Nid-de-poule à reboucher", "Trou profond devant le numéro indiqué."),
        _s(K.REQUEST, "Lampadaire en panne", "Rue dans le noir depuis une semaine."),
        _s(K.COMPLAINT, "Trottoir encombré par un chantier",
           "Impossible de passer avec une poussette."),
        _s(K.IDEA, "Aménager une piste cyclable", "Trajet vers le collège dangereux à vélo."),
        _s(K.PRAISE, "Merci pour la réfection du trottoir", "Travaux rapides et soignés."),
    )),
    ServiceSpec("urbanisme", "Urbanisme", 60, 6, (
        _s(K.REQUEST, "Déclaration préalable pour une clôture", "Clôture de 1,50 m en bois."),
        _s(K.REQUEST, "Dépôt d'un permis de construire", "Extension de 25 m² d'une maison."),
        _s(K.REQUEST, "Demande de certificat d'urbanisme", "Projet d'achat d'un terrain."),
        _s(K.QUESTION, "Règles du PLUi pour une véranda", "Hauteur et distance aux limites."),
        _s(K.COMPLAINT, "Chantier voisin sans panneau d'autorisation",
           "Travaux commencés sans affichage visible."),
    )),
    ServiceSpec("stationnement", "Stationnement", 15, 6, (
        _s(K.REQUEST, "Carte de stationnement résident", "Nouveau véhicule, nouvelle adresse."),
        _s(K.REQUEST, "Autorisation de stationnement pour un déménagement",
           "Camion de déménagement, une journée."),
        _s(K.COMPLAINT, "Contestation d'un forfait post-stationnement",
           "Ticket payé mais forfait reçu."),
        _s(K.COMPLAINT, "Véhicule ventouse", "Voiture immobile depuis plus d'un mois."),
        _s(K.QUESTION, "Tarifs du stationnement résident", "Demande le tarif mensuel."),
    )),
    ServiceSpec("cimetieres", "Cimetières", 30, 3, (
        _s(K.REQUEST, "Renouvellement de concession", "Concession trentenaire arrivée à échéance."),
        _s(K.QUESTION, "Tarifs des concessions", "Souhaite réserver un emplacement."),
        _s(K.COMPLAINT, "Allée du cimetière mal entretenue", "Herbes hautes près des tombes."),
    )),
    ServiceSpec("ccas", "Action sociale (CCAS)", 15, 7, (
        _s(K.REQUEST, "Demande d'aide alimentaire",
           "Situation difficile depuis une perte d'emploi."),
        _s(K.REQUEST, "Aide au paiement d'une facture d'énergie", "Facture de chauffage élevée."),
        _s(K.REQUEST, "Domiciliation administrative", "Sans adresse stable actuellement."),
        _s(K.REQUEST, "Portage de repas à domicile", "Personne âgée, sortie d'hospitalisation."),
        _s(K.QUESTION, "Conditions de l'aide au transport des seniors",
           "Plus de 70 ans, non imposable."),
        _s(K.PRAISE, "Remerciements à l'équipe du CCAS", "Écoute et aide très précieuses."),
    )),
    ServiceSpec("logement", "Logement", 90, 5, (
        _s(K.REQUEST, "Demande de logement social", "Famille de quatre personnes, T3 souhaité."),
        _s(K.REQUEST, "Mise à jour d'une demande de logement social",
           "Naissance d'un enfant, composition du foyer modifiée."),
        _s(K.COMPLAINT, "Logement insalubre", "Humidité et moisissures dans les chambres."),
        _s(K.QUESTION, "Délai d'attente d'un logement social", "Demande déposée il y a un an."),
    )),
    ServiceSpec("espaces-verts", "Espaces verts", 20, 5, (
        _s(K.REQUEST, "Élagage d'un arbre sur le domaine public",
           "Branches contre les fenêtres du premier étage."),
        _s(K.REQUEST, "Parcelle au jardin partagé", "Souhaite cultiver une petite parcelle."),
        _s(K.COMPLAINT, "Tonte non réalisée au square", "Herbe très haute autour des jeux."),
        _s(K.IDEA, "Arbres fruitiers dans le parc", "Verger partagé ouvert aux habitants."),
        _s(K.PRAISE, "Bravo pour le fleurissement du quartier", "Les massifs sont magnifiques."),
    )),
    ServiceSpec("sports-associations", "Sports et associations", 20, 5, (
        _s(K.REQUEST, "Réservation d'un gymnase", "Tournoi associatif un samedi."),
        _s(K.REQUEST, "Demande de subvention associative", "Association de quartier."),
        _s(K.QUESTION, "Horaires de la piscine pendant les vacances", "Vacances scolaires."),
        _s(K.COMPLAINT, "Vestiaires de la piscine sales", "Douches hors service."),
        _s(K.IDEA, "Ouvrir le terrain de football le dimanche", "Jeunes du quartier sans lieu."),
        _s(K.PRAISE, "Merci pour le forum des associations", "Très bonne organisation."),
    )),
    ServiceSpec("tranquillite-publique", "Tranquillité publique", 10, 4, (
        _s(K.COMPLAINT, "Nuisances sonores nocturnes", "Bruit tous les soirs après minuit."),
        _s(K.COMPLAINT, "Aboiements répétés", "Chien seul toute la journée."),
        _s(K.REQUEST, "Opération tranquillité vacances", "Absence de trois semaines en août."),
        _s(K.IDEA, "Médiateurs de nuit dans le centre", "Présence le week-end souhaitée."),
    )),
)

SERVICES_BY_CODE = {service.code: service for service in SERVICES}

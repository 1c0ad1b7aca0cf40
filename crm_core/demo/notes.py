"""What agents write on the timeline, by step of a case and by outcome of a contact.

Notes never name the resident, so that they fit anyone.
"""

from __future__ import annotations

from crm_core.interactions.enums import Outcome

ACKNOWLEDGED = (
    "Demande prise en charge par le service {service}.",
    "Dossier transmis au service {service} pour instruction.",
    "Accusé de réception envoyé, instruction en cours.",
    "Demande enregistrée et affectée à un agent du service {service}.",
)
MISSING_DOCUMENT = (
    "Pièce manquante : justificatif de domicile de moins de trois mois.",
    "Merci de nous transmettre une copie de la pièce d'identité.",
    "Précisions demandées sur l'adresse exacte de l'intervention.",
    "Photo d'identité non conforme, une nouvelle photo est nécessaire.",
    "Formulaire incomplet : signature manquante en page 2.",
)
DOCUMENTS_BROUGHT = (
    "Pièces complémentaires apportées au guichet et vérifiées.",
    "Justificatif reçu, le dossier est complet.",
    "Document manquant transmis, instruction reprise.",
)
DOCUMENTS_ONLINE = (
    "Pièces complémentaires déposées en ligne.",
    "Justificatif ajouté depuis le compte en ligne.",
)
FOLLOW_UP = (
    "Appel pour connaître l'avancement de la demande : délai annoncé rappelé.",
    "Relance : souhaite une réponse rapide, message transmis au service.",
    "Demande de précisions sur le délai de traitement.",
    "Passage au guichet pour savoir où en est le dossier.",
    "Question sur la suite de la démarche, explications données.",
)
RESOLVED = (
    "Intervention réalisée par les services techniques.",
    "Réponse apportée par le service {service}.",
    "Document prêt, disponible au retrait à l'accueil.",
    "Décision envoyée par courrier.",
    "Demande traitée, réponse transmise par courriel.",
)
CLOSED_AT_COUNTER = (
    "Document remis en main propre, dossier clôturé.",
    "Passage au guichet : tout est réglé, demande clôturée.",
    "Titre remis après vérification de l'identité, dossier clôturé.",
)
CLOSED_REMOTE = (
    "Confirmation obtenue que tout est réglé, clôture du dossier.",
    "Sans réponse après relance, dossier clôturé.",
    "Satisfaction exprimée, demande clôturée.",
)
ANSWERED_AT_ONCE = (
    "Information donnée immédiatement, rien d'autre à faire.",
    "Réponse apportée lors de l'échange.",
)
THANKS_FORWARDED = (
    "Remerciements transmis au service concerné.",
    "Message transmis à l'équipe, qui remercie pour ce retour.",
)
IDEA_FORWARDED = (
    "Proposition transmise au service {service} pour étude.",
    "Idée enregistrée et versée à la réflexion du conseil de quartier.",
)
REOPENED = (
    "Le problème est réapparu : dossier rouvert.",
    "Réponse jugée incomplète, dossier rouvert à la demande de l'usager.",
)

# Contacts that are not about a case: information, orientation, call-backs.
STANDALONE: dict[Outcome, tuple[str, ...]] = {
    Outcome.INFORMED: (
        "Renseignement sur les horaires d'ouverture de la mairie.",
        "Question sur les jours de collecte des déchets.",
        "Horaires de la déchèterie communiqués.",
        "Pièces à fournir pour un passeport expliquées.",
        "Informations sur l'inscription à l'école municipale des sports.",
        "Renseignement sur les tarifs de la piscine.",
        "Question sur le recensement de la population.",
        "Explications sur le quotient familial.",
    ),
    Outcome.REDIRECTED: (
        "Orientation vers l'ANTS pour une carte grise.",
        "Orientation vers la CAF pour une question d'allocation.",
        "Orientation vers le réseau de transports de la métropole.",
        "Orientation vers France services pour une démarche fiscale.",
        "Orientation vers la préfecture pour un titre de séjour.",
    ),
    Outcome.CALLBACK_SCHEDULED: (
        "Rappel prévu demain matin par le service urbanisme.",
        "Rappel programmé par un agent du CCAS.",
        "Rappel convenu en fin de journée, numéro vérifié.",
    ),
    Outcome.DOCUMENTS_RECEIVED: (
        "Justificatifs déposés à l'accueil pour un dossier en cours.",
        "Documents reçus par courrier, transmis au service.",
    ),
    Outcome.OTHER: (
        "Prise de rendez-vous pour un passeport.",
        "Déclaration de changement d'adresse.",
        "Retrait d'un formulaire papier.",
    ),
}
NO_ANSWER = (
    "Appel sans réponse, message laissé sur le répondeur.",
    "Rappel sans réponse, nouvel essai prévu.",
)

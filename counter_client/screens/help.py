"""F1: every key of the app, in French."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from crm_core.client.tui.key_bar import KeyBar

HELP = """\
[b]Accueil[/b]
  Scanner le badge : il s'ouvre tout seul. Carte sans contact : posez-la sur le lecteur.
  Taper un nom, un téléphone, un e-mail ou une référence : les usagers s'affichent.
  ↓ choisir   Entrée ouvrir   Échap effacer
  F5 appeler le ticket suivant   F6 émettre un ticket

[b]Fiche de l'usager[/b]
  V enregistrer la visite      N nouvelle demande     S changer le statut
  C ajouter ou corriger une coordonnée                B badge (émettre, carte, révoquer)
  P imprimer le reçu de la demande choisie            R actualiser
  ↑ ↓ choisir une demande, Tab passer à l'historique  Échap retour

[b]Formulaires[/b]
  Tab champ suivant   Ctrl+S ou Entrée enregistrer   Échap annuler
  (si vous avez tapé quelque chose, Échap demande d'abord : A abandonne la saisie)

[b]Partout[/b]
  F1 cette aide   F2 contraste élevé   F7 envois refusés   F10 se déconnecter
  F8 (responsables) éléments laissés par d'autres agents : transmettre ou écarter
  Ctrl+Q quitter

Hors ligne, les visites et les nouvelles demandes sont gardées sur ce poste (le nombre
s'affiche en haut) et partent seules au retour du serveur, une seule fois chacune, avec
leur heure réelle. Ce que le serveur refuse reste ici : F7 montre le motif, R renvoie,
E écarte.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [  # noqa: RUF012
        Binding("escape", "close", "Fermer"),
        Binding("f1", "close", "Fermer", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help") as box:
            box.border_title = "Aide — touches du guichet"
            yield Static(HELP)
        yield KeyBar()

    def action_close(self) -> None:
        self.dismiss(None)

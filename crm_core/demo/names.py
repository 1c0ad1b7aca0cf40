"""French given and family names for the demo and the synthetic datasets.

Written by hand for Relais. Weights are rough tiers of frequency (10 very common, 1 rare),
and given names are grouped by the generation that carried them, so that a resident born
in 1948 is a Monique or a Bernard and one born in 2001 a Léa or a Lucas.
"""

from __future__ import annotations

from enum import StrEnum


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"


class Era(StrEnum):
    """Generations by birth year: before 1965, 1965-1989, from 1990."""

    OLD = "old"
    MIDDLE = "middle"
    YOUNG = "young"


def era_of(birth_year: int) -> Era:
    if birth_year < 1965:
        return Era.OLD
    return Era.MIDDLE if birth_year < 1990 else Era.YOUNG


def _tiers(tiers: dict[int, str]) -> tuple[tuple[str, int], ...]:
    """{weight: "Name, Other name, ..."} -> ((name, weight), ...)."""
    return tuple(
        (name.strip(), weight)
        for weight, names in tiers.items()
        for name in names.split(",")
        if name.strip()
    )


GIVEN_NAMES: dict[tuple[Sex, Era], tuple[tuple[str, int], ...]] = {
    (Sex.FEMALE, Era.OLD): _tiers({
        10: "Marie, Monique, Jacqueline, Françoise",
        6: "Nicole, Michèle, Annick, Danielle, Christiane, Josiane",
        3: "Hélène, Geneviève, Odile, Yvette, Bernadette, Denise, Colette, Renée",
        1: "Soizic, Maryvonne, Gisèle, Ginette, Thérèse, Huguette",
    }),
    (Sex.FEMALE, Era.MIDDLE): _tiers({
        10: "Nathalie, Isabelle, Sylvie, Sandrine, Valérie",
        6: "Céline, Stéphanie, Véronique, Christelle, Karine, Sophie, Virginie",
        3: "Élodie, Aurélie, Émilie, Anne-Sophie, Gwenaëlle, Nolwenn, Hélène, Laëtitia",
        1: "Maëva, Solène, Bénédicte, Rozenn, Fatima, Nadia, Ophélie, Agnès",
    }),
    (Sex.FEMALE, Era.YOUNG): _tiers({
        10: "Camille, Léa, Manon, Chloé, Emma",
        6: "Sarah, Marine, Pauline, Océane, Justine, Anaïs, Clémence",
        3: "Maëlle, Inès, Lucie, Zoé, Margaux, Louise, Noémie, Jade, Maëlys",
        1: "Yasmine, Elif, Awa, Loane, Léna, Éloïse, Gaëlle, Perrine",
    }),
    (Sex.MALE, Era.OLD): _tiers({
        10: "Jean, Michel, Pierre, Bernard, Alain",
        6: "Jacques, Daniel, Gérard, Jean-Claude, André, Claude, Yves",
        3: "René, Roger, Marcel, Jean-Pierre, François, Joël, Hervé, Noël",
        1: "Loïc, Yannick, Jean-Yves, Guy, Raymond, Gilbert",
    }),
    (Sex.MALE, Era.MIDDLE): _tiers({
        10: "Christophe, Stéphane, Sébastien, Nicolas, David",
        6: "Laurent, Frédéric, Olivier, Julien, Cédric, Jérôme, Philippe",
        3: "Erwan, Gaël, Loïc, Ronan, Yann, Franck, Grégory, Arnaud",
        1: "Karim, Mehdi, Tanguy, Anthony, Mickaël, Benoît, Thierry, Jean-Marc",
    }),
    (Sex.MALE, Era.YOUNG): _tiers({
        10: "Thomas, Lucas, Hugo, Maxime, Théo",
        6: "Alexandre, Antoine, Quentin, Romain, Kévin, Louis, Clément",
        3: "Mathis, Nathan, Enzo, Baptiste, Valentin, Killian, Noé, Gabriel",
        1: "Adam, Rayan, Ibrahima, Mathéo, Timothé, Maël, Elouan, Corentin",
    }),
}

FAMILY_NAMES: tuple[tuple[str, int], ...] = _tiers({
    10: "Martin, Bernard, Thomas, Petit, Robert, Richard, Durand, Dubois, Moreau, Laurent",
    8: "Simon, Michel, Lefèvre, Leroy, Roux, David, Bertrand, Morel, Fournier, Girard",
    6: (
        "Bonnet, Dupont, Lambert, Fontaine, Rousseau, Vincent, Le Goff, Le Gall, Faure,"
        " André, Mercier, Blanc, Guérin, Boyer, Garnier, Chevalier, François, Legrand,"
        " Gauthier, Garcia, Perrin, Robin, Clément, Morin, Nicolas, Henry, Hamon, Le Roux"
    ),
    4: (
        "Roussel, Mathieu, Masson, Marchand, Duval, Denis, Dumont, Lemaire, Noël, Dufour,"
        " Meunier, Brun, Blanchard, Giraud, Joly, Rivière, Lucas, Brunet, Gaillard,"
        " Barbier, Arnaud, Gérard, Roche, Renard, Roy, Leroux, Colin, Caron, Picard,"
        " Fabre, Aubert, Lemoine, Renaud, Dumas, Lacroix, Olivier, Philippe, Tanguy,"
        " Guillou, Le Bihan, Le Floch, Riou, Morvan, Le Meur, Jégou, Nguyen, Boucher"
    ),
    2: (
        "Bourgeois, Benoît, Rey, Leclerc, Rolland, Guillaume, Lecomte, Lopez, Dupuy,"
        " Guillot, Hubert, Berger, Carpentier, Sanchez, Dupuis, Moulin, Louis, Deschamps,"
        " Huet, Vasseur, Perez, Fleury, Royer, Klein, Jacquet, Adam, Poirier, Marty,"
        " Aubry, Guyot, Carré, Charles, Renault, Charpentier, Ménard, Maillard, Baron,"
        " Bertin, Bailly, Hervé, Schneider, Fernandez, Collet, Léger, Bouvier, Julien,"
        " Prévost, Millet, Perrot, Daniel, Cousin, Germain, Breton, Besson, Langlois,"
        " Rémy, Pelletier, Lévêque, Perrier, Leblanc, Barré, Lebrun, Marchal, Weber,"
        " Mallet, Boulanger, Jacob, Monnier, Michaud, Gillet, Étienne, Tessier, Collin,"
        " Chauvin, Bouchet, Lemaître, Maréchal, Humbert, Perret, Cordier, Pichon,"
        " Lejeune, Gilbert, Lamy, Delaunay, Pasquier, Perrault, Le Corre, Le Guen,"
        " Cadiou, Le Bris, Le Berre, Gicquel, Ollivier, Kerbrat, Quéméner, Le Moal,"
        " Benali, Diallo, N'Diaye, Traoré, Da Silva, Ferreira, Tran, Cohen"
    ),
    1: (
        "Dupont-Moreau, Martin-Leclerc, Le Gall-Riou, Bernard-Lefèvre, de La Fontaine,"
        " d'Aubigny, du Plessis, Le Bihan-Tanguy, L'Hostis, Le Hénaff, Pérez-Martin,"
        " Haddad, Belkacem, Mansouri, Bouzid, Ben Saïd, Diop, Camara, Koné, Mendy,"
        " Dos Santos, Pereira, Rodrigues, Da Costa, Yilmaz, Kaya, Pham, Lê, Vo,"
        " Kowalski, Nowak, Rossi, Esposito, Müller, O'Neill, Saint-Jalmes, Lemarié,"
        " Courtois, Lelièvre, Guéguen, Loaëc, Le Dréau, Derrien"
    ),
})


def all_given_names() -> list[str]:
    return sorted({name for names in GIVEN_NAMES.values() for name, _ in names})

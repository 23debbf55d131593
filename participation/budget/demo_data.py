"""The content of the budget demo: envelopes, rules, residents and ideas (French data).

Each idea carries what happens to it as ``(action, arguments)`` pairs that
``demo.load`` applies through ``services.transition`` (and, for a transferred idea,
``services.update_transfer``). Demo content is data, not translatable text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .states import IdeaAction, TransferAction

#: Envelope per QPV (euros), roughly in proportion to the population.
ENVELOPES = {
    "Bastide": Decimal("15000"),
    "Conte": Decimal("10000"),
    "Viguier": Decimal("8000"),
    "Fleming": Decimal("6000"),
    "Grazailles": Decimal("5000"),
}

RULES = (
    "Le budget participatif finance des projets d'investissement d'intérêt général, "
    "situés dans un quartier prioritaire, sur l'espace public ou dans un équipement "
    "de la ville.\n\n"
    "Un projet coûte entre 500 € et 12 000 €. Il ne doit avoir aucun caractère "
    "commercial, politique ou religieux, et son entretien doit rester raisonnable.\n\n"
    "Les idées sont publiées sous votre pseudonyme. Les services de la ville les "
    "étudient avec une grille publique, puis les habitants du quartier votent."
)

#: The same rules as staff give them in Arabic (the demo shows per-language texts).
RULES_AR = (
    "تموّل الميزانية التشاركية مشاريع استثمارية ذات منفعة عامة، في حي ذي أولوية، "
    "في الفضاء العام أو في مرفق تابع للمدينة.\n\n"
    "تتراوح كلفة المشروع بين 500 و12000 يورو. يجب ألا يكون له أي طابع تجاري "
    "أو سياسي أو ديني، وأن تبقى صيانته معقولة.\n\n"
    "تُنشر الأفكار باسمك المستعار. تدرسها مصالح المدينة وفق شبكة علنية، "
    "ثم يصوّت سكان الحي."
)

#: Demo residents added here (no password: they cannot sign in, they only author).
EXTRA_RESIDENTS = (
    "Yasmine_B",
    "Jean-Pierre 11",
    "Fatou",
    "Mehdi du Viguier",
    "Collectif Fleming",
    "Josiane",
    "Léo G.",
    "Nour",
)


#: One workflow step: the action and the keyword arguments of ``transition``.
Step = tuple[IdeaAction, dict[str, Any]]
#: One step of a transfer's follow-up (arguments of ``update_transfer``).
FollowUp = tuple[TransferAction, dict[str, Any]]

A = IdeaAction
#: The first step of every reviewed idea.
REVIEW: Step = (A.START_REVIEW, {})
MERGE_COMMENT = "Deux idées très proches, au même endroit : elles sont réunies"


@dataclass
class DemoIdea:
    """One idea of the demo and what happens to it."""

    qpv: str
    title: str
    description: str
    place: str
    themes: tuple[str, ...]
    cost: str | None = None
    photo: str | None = None
    #: What staff did after the submission, one (action, arguments) pair a day,
    #: applied by ``services.transition``; a merge names its target by its title.
    steps: tuple[Step, ...] = ()
    #: For a transferred idea, what the competent service reported since, one
    #: (action, arguments) pair a day, applied by ``services.update_transfer``.
    follow_up: tuple[FollowUp, ...] = ()
    draft: bool = False
    co_authors: tuple[str, ...] = ()
    association: str | None = None
    on_behalf: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


ANNOUNCED_IDEAS = (
    DemoIdea(
        "Bastide",
        "Un jardin partagé au square Gambetta",
        "Transformer la pelouse abandonnée du square en jardin partagé : douze bacs "
        "en bois, un récupérateur d'eau de pluie et un abri à outils. Les écoles du "
        "quartier pourraient avoir deux bacs.",
        "Square Gambetta, côté rue de Verdun",
        ("ecological_transition", "social_ties"),
        cost="7800",
        photo="garden",
        steps=(
            REVIEW,
            (
                A.RETAIN,
                {
                    "final_cost": Decimal("8200"),
                    "comment": "Coût précisé par le service espaces verts.",
                },
            ),
        ),
        co_authors=("Fatou",),
        association="Association Bastide Solidaire",
    ),
    DemoIdea(
        "Bastide",
        "Des bancs et de l'ombre place Carnot",
        "Il n'y a presque pas de bancs à l'ombre. Nous proposons six bancs avec "
        "dossier et accoudoirs (pour les personnes âgées) et trois arbres.",
        "Place Carnot",
        ("living_environment",),
        cost="9000",
        photo="bench",
        steps=(REVIEW, (A.RETAIN, {"final_cost": Decimal("9500")})),
    ),
    DemoIdea(
        "Bastide",
        "Un potager collectif près de la médiathèque",
        "Des bacs de légumes à cultiver ensemble, près de la médiathèque.",
        "Rue de Verdun",
        ("ecological_transition",),
        steps=(
            (
                A.MERGE,
                {
                    "into": "Un jardin partagé au square Gambetta",
                    "comment": MERGE_COMMENT,
                },
            ),
        ),
    ),
    DemoIdea(
        "Bastide",
        "Réparer les trottoirs rue Trivalle",
        "Les trottoirs sont défoncés, les poussettes et les fauteuils ne passent pas.",
        "Rue Trivalle",
        ("living_environment",),
        steps=(
            (
                A.TRANSFER,
                {
                    "transfer_service": "Voirie (Carcassonne Agglo)",
                    "comment": (
                        "L'entretien des trottoirs relève du budget de la voirie, pas "
                        "du budget participatif : le service a été saisi."
                    ),
                },
            ),
        ),
        follow_up=(
            (TransferAction.ACKNOWLEDGE, {}),
            (
                TransferAction.START,
                {"comment": "Réfection des trottoirs prévue au printemps."},
            ),
        ),
    ),
    DemoIdea(
        "Conte",
        "Une aire de jeux pour les petits à Ozanam",
        "Les enfants de 2 à 6 ans n'ont aucun jeu dans le quartier. Une petite aire "
        "clôturée avec toboggan, jeux à ressort et sol souple.",
        "Espace vert derrière l'école Jean-Jaurès",
        ("education_youth", "living_environment"),
        cost="11000",
        photo="playground",
        steps=(
            REVIEW,
            (
                A.RETAIN,
                {"final_cost": Decimal("11800"), "comment": "Sol souple compris."},
            ),
        ),
    ),
    DemoIdea(
        "Conte",
        "Un city stade rénové",
        "Le terrain est en mauvais état : changer les buts, les filets et refaire "
        "le marquage.",
        "City stade de La Conte",
        ("education_youth",),
        cost="11500",
        steps=(
            REVIEW,
            (
                A.DECLARE_INELIGIBLE,
                {
                    "comment": (
                        "Le coût estimé par les services (23 000 €) dépasse le plafond "
                        "de 12 000 € par projet. L'idée est transmise au plan "
                        "pluriannuel des équipements sportifs."
                    )
                },
            ),
        ),
    ),
    DemoIdea(
        "Conte",
        "Un local pour une boutique de quartier",
        "Ouvrir une épicerie dans le local vide du rez-de-chaussée.",
        "Rue Ozanam",
        ("employment",),
        steps=(
            REVIEW,
            (
                A.DECLARE_INELIGIBLE,
                {
                    "comment": (
                        "Le projet a un caractère commercial, ce que le règlement "
                        "exclut, et le local appartient au bailleur."
                    )
                },
            ),
        ),
    ),
    DemoIdea(
        "Viguier",
        "Éclairer le passage du Viguier",
        "Le passage entre les immeubles est très sombre le soir : des lampadaires "
        "à détection de présence rassureraient les habitants.",
        "Passage entre les bâtiments B et C",
        ("safety", "living_environment"),
        cost="6500",
        photo="lamp",
        steps=(REVIEW, (A.RETAIN, {"final_cost": Decimal("6900")})),
        on_behalf=True,
    ),
    DemoIdea(
        "Viguier",
        "Changer l'éclairage des halls",
        "Les ampoules des halls sont grillées depuis des mois.",
        "Halls des bâtiments A à D",
        ("safety",),
        steps=(
            (
                A.TRANSFER,
                {
                    "transfer_service": "Bailleur social (gestion de proximité)",
                    "comment": (
                        "Les halls appartiennent au bailleur : la demande lui a été "
                        "transmise."
                    ),
                },
            ),
        ),
    ),
    DemoIdea(
        "Fleming",
        "Une fresque sur le mur du gymnase",
        "Une fresque peinte avec les jeunes du quartier et un artiste local, sur "
        "le thème de la Cité et de l'Aude.",
        "Mur nord du gymnase Fleming",
        ("culture", "education_youth"),
        cost="5000",
        photo="fresco",
        steps=(REVIEW, (A.RETAIN, {"final_cost": Decimal("5400")})),
        association="Collectif Fleming",
    ),
    DemoIdea(
        "Fleming",
        "Des composteurs collectifs",
        "Trois composteurs au pied des immeubles, avec une formation des habitants.",
        "Résidence La Reille",
        ("ecological_transition",),
        cost="1800",
        steps=(REVIEW, (A.RETAIN, {"final_cost": Decimal("2100")})),
    ),
    DemoIdea(
        "Grazailles",
        "Une fête de quartier chaque année",
        "Une grande fête en juin avec repas partagé, musique et jeux.",
        "Place de Grazailles",
        ("social_ties", "culture"),
        steps=(
            REVIEW,
            (
                A.DECLARE_INELIGIBLE,
                {
                    "comment": (
                        "Une fête est une dépense de fonctionnement, pas un "
                        "investissement. Elle peut être financée par le Fonds de "
                        "participation des habitants : le conseil citoyen peut vous "
                        "aider à déposer un dossier."
                    )
                },
            ),
        ),
    ),
    DemoIdea(
        "Grazailles",
        "Des tables de pique-nique au parc",
        "Quatre tables de pique-nique et deux poubelles près de l'aire de jeux.",
        "Parc de Grazailles",
        ("living_environment", "social_ties"),
        cost="3200",
        steps=(REVIEW, (A.RETAIN, {"final_cost": Decimal("3600")})),
    ),
    DemoIdea(
        "Grazailles",
        "Message insultant",
        "(contenu masqué)",
        "—",
        ("social_ties",),
        steps=(
            (
                A.HIDE,
                {"comment": "Propos injurieux envers une personne nommément désignée."},
            ),
        ),
    ),
)

REVIEW_IDEAS = (
    DemoIdea(
        "Bastide",
        "Des cours de français dans une salle équipée",
        "Équiper une salle de la maison de quartier (tables, tableau, ordinateurs) "
        "pour les cours de français donnés par des bénévoles.",
        "Maison de quartier de la Bastide",
        ("access_to_rights", "education_youth"),
        cost="6000",
        steps=(REVIEW,),
    ),
    DemoIdea(
        "Bastide",
        "Des arceaux pour les vélos",
        "Des arceaux devant la médiathèque et le marché.",
        "Place Carnot et médiathèque",
        ("ecological_transition",),
        cost="2400",
        steps=(REVIEW,),
    ),
    DemoIdea(
        "Conte",
        "Un terrain de pétanque éclairé",
        "Refaire le terrain de pétanque et l'éclairer pour les soirs d'été.",
        "Square Ozanam",
        ("social_ties",),
        cost="4500",
        steps=(REVIEW, (A.RETAIN, {"final_cost": Decimal("4900")})),
    ),
    DemoIdea(
        "Viguier",
        "Une boîte à livres",
        "Une boîte à livres en bois à côté de l'arrêt de bus.",
        "Arrêt de bus Saint-Jacques",
        ("culture",),
        cost="800",
        photo="books",
    ),
    DemoIdea(
        "Fleming",
        "Un espace de musculation en plein air",
        "Quelques agrès de sport en accès libre pour les jeunes et les adultes.",
        "Parc Fleming",
        ("health", "education_youth"),
        cost="9500",
        steps=(REVIEW,),
    ),
    DemoIdea(
        "Grazailles",
        "Des jeux d'eau pour l'été",
        "Des brumisateurs et jets d'eau au sol pour les journées de canicule.",
        "Parc de Grazailles",
        ("health", "living_environment"),
        cost="12000",
    ),
)

SUBMISSION_IDEAS = (
    DemoIdea(
        "Bastide",
        "Des bancs devant l'école Jules-Ferry",
        "Les parents attendent debout à la sortie de l'école : quelques bancs "
        "et un abri contre la pluie.",
        "Devant l'école Jules-Ferry",
        ("living_environment", "education_youth"),
        cost="3500",
        photo="bench",
    ),
    DemoIdea(
        "Conte",
        "Des ateliers de réparation de vélos",
        "Un conteneur aménagé pour réparer les vélos ensemble, avec des outils.",
        "Parking de la Conte",
        ("ecological_transition", "social_ties"),
        cost="7000",
    ),
    DemoIdea(
        "Viguier",
        "Planter des arbres fruitiers",
        "Des pommiers et des figuiers le long du chemin, à cueillir par tous.",
        "Chemin du Viguier",
        ("ecological_transition",),
        cost="2500",
        on_behalf=True,
    ),
    DemoIdea(
        "Fleming",
        "Une fresque sur le transformateur",
        "Peindre le transformateur électrique, souvent tagué.",
        "Rue Fleming",
        ("culture",),
        draft=True,
    ),
    DemoIdea(
        "Grazailles",
        "Un abri pour le marché du samedi",
        "Une toile tendue pour protéger les étals du soleil.",
        "Place du marché",
        ("social_ties",),
        cost="8000",
    ),
)

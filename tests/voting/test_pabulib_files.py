"""pabulib.py on every real election of ../shared/data/pabulib: read, write, check."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from participation.voting import pabulib
from tests.conftest import shared_file

#: Pure computation, no database: run once, in the SQLite pass (see Makefile).
pytestmark = pytest.mark.db_independent

#: Every file of ../shared/data/pabulib (named, so that a missing folder fails in CI).
APPROVAL_FILES = (
    "France_Toulouse_2022.pb",
    "France_Toulouse_2022_1_-_Capitole_Arnaud_Bernard_Carmes.pb",
    "France_Toulouse_2022_2_-_Amidonniers_Compans-Caffarelli_Brouardel.pb",
    "France_Toulouse_2022_3_-_Les_Chalets_Bayard_Belfort_Saint_Aubin_Dupuy.pb",
    "France_Toulouse_2022_4_-_Lapujade_Bonnefoy_Periole_Marengo_La_Colonne.pb",
    "France_Toulouse_2022_5_-_Saint-Michel_Saint-Agne_Empalot_Le_Busca_Ile_du_Ramier_Monplaisir.pb",
    "France_Toulouse_2022_6_-_Saint-Cyprien.pb",
    "France_Toulouse_2022_7_-_Sept_Deniers_Ginestous-Sesquieres_Lalande.pb",
    "France_Toulouse_2022_8_-_Minimes_Barriere_de_Paris_Ponts-Jumeaux_La_Vache_Raisins_Fondeyre.pb",
    "France_Toulouse_2022_9_-_Trois_Cocus_Borderouge_Croix-Daurade_Paleficat_Grand_Selve.pb",
    "France_Toulouse_2022_10_-_Jolimont_Soupetard_Roseraie_Gloire_Gramont_Amouroux.pb",
    "France_Toulouse_2022_11_-_Bonhoure_Guilhemery_Chateau_de_lHers_Limayrac_Cote_Pavee.pb",
    "France_Toulouse_2022_12_-_Pont_des_Demoiselles_Ormeau_Montaudran_La_Terrasse_Malepere.pb",
    "France_Toulouse_2022_13_-_Rangueil_Sauzelong_Jules-Julien_Pech-David_Pouvourville.pb",
    "France_Toulouse_2022_14_-_Saint-Simon_Lafourguette_Oncopole-Campus_Sante_du_Futur.pb",
    "France_Toulouse_2022_15_-_Croix_de_Pierre_Route_dEspagne.pb",
    "France_Toulouse_2022_16_-_Fontaine-Lestang_Arenes_Bagatelle_Papus_Tabar_Bordelongue_Mermoz_La_Faourette.pb",
    "France_Toulouse_2022_17_-_Mirail-Universite_Reynerie_Bellefontaine.pb",
    "France_Toulouse_2022_18_-_Lardenne_Pradettes_Basso-Cambo.pb",
    "France_Toulouse_2022_19_-_Casselardit_Fontaine-Bayonne_Cartoucherie.pb",
    "France_Toulouse_2022_20_-_Arenes_Romaines_Ancely_Saint-Martin_du_Touch_Purpan.pb",
    "France_Toulouse_2024.pb",
    "Hungary_Budapest_2024.pb",
    "Netherlands_Amsterdam_252.pb",
    "Netherlands_Amsterdam_309.pb",
    "Poland_Lodz_2022.pb",
)
CUMULATIVE_FILES = ("France_Toulouse_2019.pb", "Poland_Czestochowa_2024.pb")
ALL_FILES = APPROVAL_FILES + CUMULATIVE_FILES


def pabulib_path(name: str) -> Path:
    """The shared file *name* (skips, or fails in CI, when ../shared is absent)."""
    return shared_file(f"data/pabulib/{name}")


@pytest.mark.shared_data
def test_the_file_lists_name_every_shared_file() -> None:
    folder = pabulib_path(ALL_FILES[0]).parent
    assert sorted(p.name for p in folder.glob("*.pb")) == sorted(ALL_FILES)


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ALL_FILES, ids=lambda name: name.removesuffix(".pb"))
def test_every_shared_file_is_written_back_byte_for_byte(name: str) -> None:
    path = pabulib_path(name)
    original = path.read_bytes().decode("utf-8-sig")
    election = pabulib.read(path)
    assert len(election.projects) == int(election.meta["num_projects"])
    assert len(election.votes) == int(election.meta["num_votes"])
    newline = "\r\n" if "\r\n" in original else "\n"
    written = pabulib.write(election, newline=newline)
    assert written == original
    assert pabulib.parse(pabulib.write(election)) == election


@pytest.mark.shared_data
@pytest.mark.parametrize(
    "name",
    [
        "France_Toulouse_2022_17_-_Mirail-Universite_Reynerie_Bellefontaine.pb",
        "France_Toulouse_2019.pb",
        "Poland_Czestochowa_2024.pb",
    ],
)
def test_pabulib_checker_accepts_rewritten_shared_files(
    name: str, tmp_path: Path
) -> None:
    from pabulib.checker import Checker

    election = pabulib.read(pabulib_path(name))
    target = tmp_path / name
    pabulib.write_file(election, target)
    with contextlib.redirect_stdout(io.StringIO()):
        results = Checker().process_files([str(target)])
    assert results["metadata"] == {"processed": 1, "valid": 1, "invalid": 0}
    assert results[target.stem]["results"]["errors"] == {}

"""The counter's data folder holds notes about residents: only the agent may read it.

The folder is 0700 and every file in it 0600, created so from the start (`os.open` with a
mode: the umask cannot widen it). At start `secure_data_dir` also narrows what an older
version or a copy left readable by others, and says what it repaired so the agent is told.
It only ever narrows what the app made (issue 19): its own files, and its folder when it
created it or when it holds nothing else, never a folder the agent pointed it at by mistake.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600

# The files the counter and the phone desk write in their folder; SQLite adds its
# -wal/-shm/-journal companions and the print spool a .lock.
OWN_FILES = ("journal.sqlite3", "session.json", "print-spool.sqlite3")
_OWN_SUFFIXES = ("", "-wal", "-shm", "-journal", ".lock")


class DataDirError(Exception):
    """The data folder cannot be used; `reason` is the French sentence for the agent."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def create_private_file(path: Path) -> None:
    """Create `path` (empty) readable by its owner only, if it does not exist yet."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE))


def is_own_file(path: Path) -> bool:
    return any(path.name == name + suffix for name in OWN_FILES for suffix in _OWN_SUFFIXES)


def empty_data_dir_problem(value: object, variable: str) -> None:
    """Refuse an empty setting: `Path("")` is the current folder, which is never meant."""
    if isinstance(value, str) and not value.strip():
        raise ValueError(f"{variable} est vide : indiquez le dossier de données de ce poste"
                         f" (ou retirez la variable pour garder le dossier par défaut)")


def secure_data_dir(data_dir: Path) -> list[Path]:
    """Create the folder private, or make the app's folder and files private again.

    Returns the paths whose permissions were too wide and have been narrowed. Raises
    DataDirError, having changed nothing, when the folder cannot be used."""
    from crm_core.cli_exits import system_reason

    created = _make_folder(data_dir)
    try:
        return _narrow_modes(data_dir, created=created)
    except OSError as exc:  # a file of another account in it, a folder gone meanwhile
        raise DataDirError(f"dossier de données « {data_dir} » : {system_reason(exc)}") from exc


def _narrow_modes(data_dir: Path, *, created: bool) -> list[Path]:
    children = sorted(data_dir.iterdir())
    ours = [child for child in children if child.is_file() and is_own_file(child)]
    # A folder holding anything else is someone's own folder: its modes are theirs.
    only_ours = created or len(ours) == len(children)
    repaired: list[Path] = []
    for path, wanted in ([(data_dir, FOLDER_MODE)] if only_ours else []) + [
        (child, FILE_MODE) for child in ours
    ]:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & ~wanted:  # a bit for the group or the others
            path.chmod(mode & wanted)
            repaired.append(path)
    return repaired


def _make_folder(data_dir: Path) -> bool:
    """Create the folder (0700) if missing; True if it was created here."""
    from crm_core.cli_exits import system_reason

    where = f"dossier de données « {data_dir} »"
    try:
        # One stat: Path.exists() raises PermissionError when a parent cannot be crossed.
        kind = os.stat(data_dir).st_mode
    except FileNotFoundError:
        kind = None
    except OSError as exc:
        raise DataDirError(f"{where} : {system_reason(exc)}") from exc
    if kind is not None:
        if not stat.S_ISDIR(kind):
            raise DataDirError(f"{where} : c'est un fichier, pas un dossier")
        if not os.access(data_dir, os.R_OK | os.W_OK | os.X_OK):
            raise DataDirError(f"{where} : accès refusé (lecture et écriture nécessaires)")
        return False
    try:
        data_dir.mkdir(mode=FOLDER_MODE, parents=True)
    except OSError as exc:
        raise DataDirError(f"{where} impossible à créer : {system_reason(exc)}") from exc
    return True


def data_dir_refusal(error: DataDirError, setting: str) -> str:
    """The refusal at start, naming the setting that chose the folder."""
    return f"Configuration refusée : {error.reason} ; choisissez un autre dossier ({setting})."


def repair_warning(repaired: list[Path]) -> str:
    names = ", ".join(path.name for path in repaired)
    return (f"Dossier de données de ce poste lisible par d'autres comptes : droits corrigés"
            f" ({names}). Prévenez le service informatique.")

"""The counter's data folder holds notes about residents: only the agent may read it.

The folder is 0700 and every file in it 0600, created so from the start (`os.open` with a
mode: the umask cannot widen it). At start `secure_data_dir` also narrows what an older
version or a copy left readable by others, and says what it repaired so the agent is told.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def create_private_file(path: Path) -> None:
    """Create `path` (empty) readable by its owner only, if it does not exist yet."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE))


def secure_data_dir(data_dir: Path) -> list[Path]:
    """Create the folder private, or make it and its files private again.

    Returns the paths whose permissions were too wide and have been narrowed."""
    data_dir.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    repaired: list[Path] = []
    for path, wanted in [(data_dir, FOLDER_MODE)] + [
        (child, FILE_MODE) for child in sorted(data_dir.iterdir()) if child.is_file()
    ]:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & ~wanted:  # a bit for the group or the others
            path.chmod(mode & wanted)
            repaired.append(path)
    return repaired


def repair_warning(repaired: list[Path]) -> str:
    names = ", ".join(path.name for path in repaired)
    return (f"Dossier de données de ce poste lisible par d'autres comptes : droits corrigés"
            f" ({names}). Prévenez le service informatique.")

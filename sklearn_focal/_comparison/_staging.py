"""Outputs written beside their destinations and moved into place together.

A command that writes several outputs (a report folder, a saved model and
its card) must leave every earlier file as it was when it fails or is
interrupted. :class:`Staged` hands out a temporary file or folder beside
each destination (on the same file system, so that a rename moves it);
:meth:`Staged.commit` then moves what each destination held aside, moves
the new outputs in, and deletes the old ones only once every move
succeeded. A failed move puts everything back. Ctrl-C during the moves is
held until they are done. :meth:`Staged.discard` removes the temporary
outputs and touches nothing else.

Temporary files and folders get the modes that the user's umask gives a
new file or folder (``tempfile`` would make them private).
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

__all__ = ["Staged"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextmanager
def _interrupts_held():
    """Hold Ctrl-C (SIGINT) until the block ends; the block then finishes
    and the interrupt is dropped: what it protects is complete."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda *_: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Staged:
    """Temporary outputs, each bound for a destination (module docs)."""

    def __init__(self):
        self._moves: list[tuple[Path, Path]] = []

    def folder(self, destination: Path) -> Path:
        """A new, empty temporary folder beside ``destination``."""
        staged = Path(
            tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent)
        )
        self._moves.append((staged, destination))
        staged.chmod(0o777 & ~_umask())
        return staged

    def file(self, destination: Path) -> Path:
        """A new, empty temporary file beside ``destination``."""
        handle, name = tempfile.mkstemp(
            prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent
        )
        os.close(handle)
        staged = Path(name)
        self._moves.append((staged, destination))
        staged.chmod(0o666 & ~_umask())
        return staged

    def commit(self) -> None:
        """Move every staged output to its destination, all or none."""
        done = []  # (destination, its old content moved aside or None, moved in)
        with _interrupts_held():
            try:
                for staged, destination in self._moves:
                    old = None
                    if destination.exists() or destination.is_symlink():
                        holder = tempfile.mkdtemp(
                            prefix=f".{destination.name}.old.", dir=destination.parent
                        )
                        old = Path(holder) / destination.name
                        os.replace(destination, old)
                    done.append([destination, old, False])
                    os.replace(staged, destination)
                    done[-1][2] = True
            except BaseException:
                for destination, old, moved_in in reversed(done):
                    if moved_in:
                        _remove(destination)
                    if old is not None:
                        os.replace(old, destination)
                        old.parent.rmdir()
                self.discard()
                raise
            for _, old, _ in done:
                if old is not None:
                    shutil.rmtree(old.parent, ignore_errors=True)
        self._moves = []

    def discard(self) -> None:
        """Remove the temporary outputs that were not moved into place."""
        for staged, _ in self._moves:
            _remove(staged)
        self._moves = []

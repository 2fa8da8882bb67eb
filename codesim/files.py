"""Files codesim reads and writes: symbol files, and writes that are never seen half done.

Every file codesim writes goes first to a temporary file in the target's own folder and is then
renamed over the target (``os.replace``, atomic on POSIX and Windows): a reader sees the old
file or the new one, never a mixture, and an interrupted or failed write leaves no partial file.

Symbol files (``codesim encode`` / ``decode``) are whitespace-separated integers (UTF-8 text), a
``.npy`` array of integers, or raw bytes (``as_bytes``: symbols 0..255).
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

import numpy as np

from .errors import OptionError, SymbolError
from .limits import MESSAGE_BYTES, memory_budget, require_memory

#: a symbol in a text file: ASCII digits, a minus sign at most
_INTEGER = re.compile(r"-?[0-9]+")

__all__ = ["atomic_write", "check_writable", "load_npy", "read_symbols", "write_symbols"]


def atomic_write(path, data: bytes | str, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    The file gets the permissions a plain ``open(path, "w")`` would give (0666 less the umask),
    not the temporary file's private 0600.  With ``overwrite=False`` the file is linked into
    place, which fails if ``path`` exists, so that two writers racing for one new path cannot
    both win: the second gets OptionError (a check beforehand would let both pass)."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        if overwrite:
            os.replace(tmp, path)
        else:
            _link_new(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _link_new(tmp: str, path: Path) -> None:
    """Put ``tmp`` at ``path`` only if nothing is there (a hard link is created or fails
    whole), then drop ``tmp``; where links are not supported, check and rename."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise OptionError(f"{path} exists: add --force to overwrite it") from None
    except OSError:                    # a file system without hard links
        if path.exists():
            raise OptionError(f"{path} exists: add --force to overwrite it") from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def _umask() -> int:
    """The process's umask (read by setting it and setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_writable(path, *, force: bool = True, inputs=()) -> Path:
    """Check, before any work, that ``path`` can be written; raise OptionError saying why not.

    Its folder must exist and be writable; it must not be one of ``inputs``; and unless
    ``force`` it must not exist already.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OptionError(f"{path} is a folder, not a file to write")
    if not folder.is_dir():
        raise OptionError(f"cannot write {path}: no folder {folder}")
    try:                                 # the one sure test: make a file there (access() is
        fd, probe = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:               # not enough: root in /proc, a read-only mount)
        raise OptionError(f"cannot write {path}: the folder {folder} takes no new files "
                          f"({err.strerror or err})") from None
    os.close(fd)
    os.unlink(probe)
    for source in map(Path, inputs):
        same = path.resolve() == source.resolve()
        if not same and path.exists() and source.exists():
            same = os.path.samefile(path, source)          # a hard link or another spelling
        if same:
            raise OptionError(f"{path} is also the input: writing it would destroy the input")
    if not force and path.exists():
        raise OptionError(f"{path} exists: add --force to overwrite it")
    return path


NPY_MAGIC = b"\x93NUMPY"


def load_npy(data: bytes, path: str, error: type[Exception]) -> np.ndarray:
    """The array in ``data``, the bytes of the .npy file ``path``; ``error`` (a codesim error
    class) names what is wrong: not a .npy file at all, pickled objects (never loaded), or damage.

    >>> load_npy(b"1 2 3", "x.npy", ValueError)
    Traceback (most recent call last):
    ValueError: x.npy is not a .npy file (it lacks numpy's header): write it with numpy.save
    """
    if not data.startswith(NPY_MAGIC):
        raise error(f"{path} is not a .npy file (it lacks numpy's header): write it with numpy.save")
    try:
        return np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as err:
        if "allow_pickle" in str(err):
            raise error(f"{path} holds pickled Python objects, which codesim never loads: "
                        "save an array of numbers") from None
        raise error(f"{path}: a damaged .npy file ({err})") from None
    except (OSError, EOFError) as err:
        raise error(f"{path}: a damaged .npy file ({err or 'it ends early'})") from None


def read_bounded(path, bytes_per_byte: float, what: str, most: int | None = None) -> bytes:
    """The bytes of a file, refused (before reading, where its size is known) when holding them
    and the work on them (``bytes_per_byte`` of memory each) exceeds the memory budget, or when
    the file is longer than ``most`` bytes; a file with no end (/dev/zero, a pipe that never
    closes) is refused as soon as it passes either."""
    path = str(path)
    fits = int(memory_budget() // bytes_per_byte)
    cap = fits if most is None else min(most, fits)
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        require_memory(bytes_per_byte * size, f"{what} of {size} bytes ({path})")
        data = fh.read(cap + 1)
    if len(data) > fits:
        require_memory(bytes_per_byte * len(data), f"{what} of more than {fits} bytes ({path})")
    if len(data) > cap:
        raise OptionError(f"{path}: {what} of more than {cap} bytes, the most codesim reads here "
                          "(code a part of the file)")
    return data


def read_symbols(path, as_bytes: bool, bytes_per_symbol: float = MESSAGE_BYTES) -> np.ndarray:
    """A symbol file as an int64 array (see the module docstring); SymbolError if malformed.

    The file and the coding of its symbols (``bytes_per_symbol`` each) must fit the memory
    budget: it is refused before it is read when they would not."""
    path = str(path)
    data = read_bounded(path, bytes_per_symbol, "a message")
    if as_bytes:
        return np.frombuffer(data, dtype=np.uint8).astype(np.int64)
    if path.endswith(".npy"):
        array = load_npy(data, path, SymbolError)
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "iu":
            raise SymbolError(f"{path}: a .npy symbol file holds integers, not "
                              f"{getattr(array, 'dtype', type(array).__name__)}")
        return array
    try:
        words = data.decode("utf-8").split()
    except UnicodeDecodeError:
        raise SymbolError(f"{path} is not UTF-8 text: to code its raw bytes, add --bytes") from None
    bad = next((w for w in words if not _INTEGER.fullmatch(w)), None)
    if bad is not None:        # int() takes '²', '1_000' and '+3'; a symbol file is plain digits
        raise SymbolError(f"{path}: expected whitespace-separated integers, found {bad[:20]!r} "
                          "(for text use --letters, for raw bytes --bytes)")
    try:
        return np.array([int(w) for w in words], dtype=np.int64)
    except OverflowError:
        big = max(words, key=lambda w: abs(int(w)))
        raise SymbolError(f"{path}: symbol {big[:24]} is far outside any alphabet") from None


def write_symbols(path, symbols: np.ndarray, as_bytes: bool, overwrite: bool = True) -> None:
    """Write symbols in the format the path asks for, atomically (see :func:`atomic_write`)."""
    path = str(path)
    if as_bytes:
        if symbols.size and (symbols.min() < 0 or symbols.max() > 255):
            raise SymbolError("--bytes writes symbols 0..255, and this message has others")
        data = symbols.astype(np.uint8).tobytes()
    elif path.endswith(".npy"):
        buffer = io.BytesIO()
        np.save(buffer, symbols)
        data = buffer.getvalue()
    else:
        data = " ".join(map(str, symbols.tolist())) + "\n"
    atomic_write(path, data, overwrite)

"""Work across processes: pools that end cleanly, any Executor or Dask, progress on stderr."""

from . import compile_ahead     # registers itself with the kernels: a cold cache compiles ahead

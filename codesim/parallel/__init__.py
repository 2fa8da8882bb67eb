"""Work across processes: pools that end cleanly, any Executor or Dask, progress on stderr."""

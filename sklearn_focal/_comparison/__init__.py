"""The comparison's private engine: its method table, checks, protocol,
runs, statistics, result, recommendation, report and staged outputs."""

"""The log the registry's state is built from, and its backends.

Shared by every backend: the `Log` protocol and `LogRecord` (`base`), the error tree
(`errors`), the argument checks (`_checks`) and group commit (`_group_commit`). The backends:
`memory` (tests, throwaway servers), `file` (the embedded one-machine log) and `kafka` (a
compacted topic, shared by the nodes of a cluster). Importing this package imports no
backend, so the core and the file log never load confluent_kafka.
"""

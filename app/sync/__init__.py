"""Offline sync between nodes: the change log, batch files, keys, transports and the hub."""

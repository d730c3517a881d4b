"""The sync center: exporting and importing batch files, the history and the conflicts queue."""

"""The care department's screens (Atenção à Saúde): the agenda page and its dialogs."""

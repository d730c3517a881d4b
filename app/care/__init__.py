"""Atenção à Saúde: attendances, production and the files the federal systems take."""

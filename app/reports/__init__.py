"""ReportLab toolkit for every printout, the registry of issued documents, report builders."""

"""The ReportLab toolkit every printout uses, the registry of issued documents, and report builders."""

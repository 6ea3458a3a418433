"""Stage 2, sources: the chapter files with their front matter, the bibliography, the citation style."""

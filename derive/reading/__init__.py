"""The reading stage: files to a :class:`~derive.model.Document`, with every position kept.

:mod:`~derive.reading.document` reads a file (.md, .tex, .ipynb) and splits its front
matter from its body; :mod:`~derive.reading.fields` and :mod:`~derive.reading.readings`
read the front matter's fields and tables; :mod:`~derive.reading.body` finds the body's
chains of equalities; :mod:`~derive.reading.frontmatter` builds the document;
:mod:`~derive.reading.latex` is the LaTeX-subset grammar and its reading into SymPy;
:mod:`~derive.reading.catalog` finds documents by name.
"""

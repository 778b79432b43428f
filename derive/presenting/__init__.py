"""The presenting stage: what checking found, in words, as data, on the terminal, in LaTeX.

:mod:`~derive.presenting.words` words every verdict (the one place);
:mod:`~derive.presenting.record` turns results into typed plain data, the ``--json``
shape; :mod:`~derive.presenting.terminal` prints a record; :mod:`~derive.presenting.report`
builds LaTeX reports and compiles them to PDF.
"""

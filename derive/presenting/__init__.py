"""The presenting stage: verdicts and normal forms in the document's names, as text or LaTeX.

:mod:`~derive.presenting.present` prints expressions back in the document's names;
:mod:`~derive.presenting.texsafe` is the one escaping function for LaTeX;
:mod:`~derive.presenting.report` builds LaTeX reports and compiles them to PDF.
"""

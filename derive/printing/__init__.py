"""Printing, shared by every stage.

SymPy expressions as Unicode and LaTeX (:mod:`~derive.printing.notation`), and the one
LaTeX escaping function for the author's text (:mod:`~derive.printing.texsafe`).
Printing decides nothing: it never normalises an expression or words a verdict.
"""

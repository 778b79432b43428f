"""Evaluating a claim as written: the second opinion every verdict must agree with.

:mod:`~derive.evaluating.jets` and :mod:`~derive.evaluating.functions` are real
arithmetic with exact derivatives; :mod:`~derive.evaluating.interpreter` evaluates the
reader's trees with a document's definitions; :mod:`~derive.evaluating.opinion` decides
whether the two sides of a claim agree, or confirms a counterexample. Nothing here
imports the prover.
"""

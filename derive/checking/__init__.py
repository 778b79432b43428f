"""The checking stage: claims and steps to verdicts, documents to records.

:mod:`~derive.verdict` is a claim's result; :mod:`~derive.checking.steps`
checks each step of a chain like a claim; :mod:`~derive.checking.runner` checks
documents in worker processes; :mod:`~derive.checking.record` turns a document's results
into plain data, which :mod:`~derive.checking.store` keeps between runs.
"""

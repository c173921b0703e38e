"""The verdict framework: small and stable; check modules rely on it, it imports no check module.

``verdicts`` (the Outcome contract and its builders), ``registry`` (``@item`` and discovery of
``maskverify.properties.checks``), ``runner`` (run, Holm, replay, write), ``profiles``, ``strategies`` (public
Hypothesis strategies), ``search`` (targeted searches inside checks), ``replay`` (counterexample files),
``lock`` (the lockfile), ``atomic`` (atomic writes), ``spec_index`` (every SPEC ID). See docs/ARCHITECTURE.md.
"""

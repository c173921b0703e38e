"""The checks, grouped the way the paper is: one module per main result with the lemmas that serve it.

Every module under this package is imported by :func:`maskverify.properties.framework.registry.load_all`
so its ``@item`` decorators run. ``shared/`` holds the machinery several results use (mask-claim tables,
network identities, admissible-weight families, trajectory studies); a result module imports from
``shared/``, the ``oracles`` and the ``framework``. The "where is X" table in docs/ARCHITECTURE.md maps each
paper result to its module and test file.
"""

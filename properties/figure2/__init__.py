"""Figure 2 of the paper (Sec 5, p.10) reproduced offline: the data (``data``) and the runs, trend statistics
and E- item studies (``experiments``). The E- checks in ``maskverify.properties.checks.experiments`` and the
report's Figure 2 section both use it."""

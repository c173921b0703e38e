"""The report: ``document`` (report.md, verdict table, counterexample files), ``figures`` (Figure 2 and the
envelope plots), ``plots`` (matplotlib helpers), ``html`` (report.html)."""

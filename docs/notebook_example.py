"""The warehouse from Python: run it as a script, or paste its cells into a Jupyter notebook.

    .venv/bin/python docs/notebook_example.py          # after `make demo` (GOVPERF_HOME moves the data folder)

`govperf.connect()` opens the warehouse read-only (a nightly run goes on beside it);
`govperf.read(name)` returns a whole mart as a polars DataFrame.
"""

# %%
import govperf
import polars as pl

summary = govperf.read("marts.district_year_summary")
print(summary.select("district", "fiscal_year", "reports", "execution_rate").sort("district", "fiscal_year"))

# %% Which departments' execution rates fell year on year?
trend = govperf.read("department_trend")
print(
    trend.filter(pl.col("rate_change_pp") < 0)
    .select("department", "district", "fiscal_year", "rate", "rate_change_pp")
    .sort("rate_change_pp")
)

# %% Any SQL, on the read-only connection
with govperf.connect() as con:
    rows = con.execute(
        """SELECT district, department, fiscal_year, "check", message, evidence
           FROM marts.dq_issues WHERE severity = 'error' ORDER BY detected_at DESC"""
    ).fetchall()
for district, department, year, check, message, evidence in rows:
    print(f"{district} {department} {year} · {check}: {message}\n    “{evidence}”")

# %% The indicators most often missed
missed = govperf.read("indicator_results").filter(pl.col("met") == False)  # noqa: E712
print(missed.group_by("name").len().sort("len", descending=True).head(10))

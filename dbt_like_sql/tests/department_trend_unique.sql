-- One row per department and fiscal year.
SELECT department_key, fiscal_year, count(*) AS n
FROM marts.department_trend
GROUP BY department_key, fiscal_year
HAVING count(*) > 1

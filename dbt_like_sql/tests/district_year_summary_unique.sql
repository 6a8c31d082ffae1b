-- One row per district and fiscal year.
SELECT province, city, district, fiscal_year, count(*) AS n
FROM marts.district_year_summary
GROUP BY province, city, district, fiscal_year
HAVING count(*) > 1

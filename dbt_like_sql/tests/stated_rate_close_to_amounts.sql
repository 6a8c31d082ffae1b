-- severity: warn
-- A stated rate more than one point from the amounts' rate should have been quarantined
-- by rate_matches_amounts; a warning here means that check let one through.
SELECT report_id, line, rate_stated, rate_computed, rate_gap_pp
FROM marts.budget_execution
WHERE abs(rate_gap_pp) > 1

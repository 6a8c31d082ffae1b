-- A version that is no longer current records when it was replaced, and a current one does not.
SELECT report_id, is_current, superseded_at
FROM core.reports
WHERE (NOT is_current AND superseded_at IS NULL) OR (is_current AND superseded_at IS NOT NULL)

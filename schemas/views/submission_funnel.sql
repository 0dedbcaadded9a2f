-- How far the submissions of each course work have got, from each submission's latest change by
-- publish_time (as in submission_current, so submissions that are gone do not count):
-- assigned (every submission there is), turned in (TURNED_IN or RETURNED now; one its student
-- reclaimed counts only once handed in again), late, returned, graded (an assigned grade; a draft
-- grade alone does not count). A get that FAILED leaves a submission counted as assigned only.
-- Runs unchanged on DuckDB and BigQuery; {{dataset}} is the dataset prefix.
WITH changes AS (
  -- One row per message: an attempt that did not fail, the latest replay (replayed_at) before
  -- the live stream, and the first written of Pub/Sub redeliveries.
  SELECT *
  FROM {{dataset}}submission_changes
  WHERE TRUE  -- BigQuery accepts QUALIFY only with a WHERE, GROUP BY or HAVING
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY message_id
    ORDER BY enrichment_status = 'FAILED', replayed_at DESC NULLS LAST, ingested_at) = 1
),
latest AS (
  SELECT *
  FROM changes
  WHERE TRUE
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY course_id, course_work_id, submission_id
    ORDER BY publish_time DESC, message_id DESC) = 1
)
SELECT
  course_id,
  course_work_id,
  COUNT(*) AS assigned,
  COUNT(CASE WHEN state IN ('TURNED_IN', 'RETURNED') THEN 1 END) AS turned_in,
  COUNT(CASE WHEN late THEN 1 END) AS late,
  COUNT(CASE WHEN state = 'RETURNED' THEN 1 END) AS returned,
  COUNT(CASE WHEN assigned_grade IS NOT NULL THEN 1 END) AS graded
FROM latest
WHERE enrichment_status <> 'NOT_FOUND'
  AND UPPER(event_type) NOT LIKE '%DELETE%'
  AND UPPER(event_type) NOT LIKE '%REMOVE%'
GROUP BY course_id, course_work_id
ORDER BY course_id, course_work_id

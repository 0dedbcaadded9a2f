-- Each student submission as it is now: the latest change per (course_id, course_work_id,
-- submission_id) by publish_time, leaving out submissions whose latest change says they are gone
-- (a deletion-like event type, or a get call that answered NOT_FOUND).
-- Runs unchanged on DuckDB and BigQuery; {{dataset}} is the dataset prefix.
WITH changes AS (
  -- Pub/Sub redelivers: one row per message, the first one written.
  SELECT *
  FROM {{dataset}}submission_changes
  WHERE TRUE  -- BigQuery accepts QUALIFY only with a WHERE, GROUP BY or HAVING
  QUALIFY ROW_NUMBER() OVER (PARTITION BY message_id ORDER BY ingested_at) = 1
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
  submission_id,
  user_id,
  state,
  late,
  assigned_grade,
  draft_grade,
  update_time,
  event_type,
  enrichment_status,
  publish_time AS changed_at,
  message_id
FROM latest
WHERE enrichment_status <> 'NOT_FOUND'
  AND UPPER(event_type) NOT LIKE '%DELETE%'
  AND UPPER(event_type) NOT LIKE '%REMOVE%'
ORDER BY course_id, course_work_id, submission_id

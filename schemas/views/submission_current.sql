-- Each student submission as it is now: the latest change per (course_id, course_work_id,
-- submission_id) by publish_time, leaving out submissions whose latest change says they are gone
-- (a deletion-like event type, or a get call that answered NOT_FOUND), and the submissions of
-- course work that is gone (deleting course work deletes its submissions without a notification
-- for each).
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
),
gone_work AS (
  -- Course work whose latest change says it is gone.
  SELECT course_id, course_work_id
  FROM {{dataset}}coursework_changes
  WHERE TRUE
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY course_id, course_work_id
    ORDER BY publish_time DESC, enrichment_status = 'FAILED', message_id DESC) = 1
    AND (enrichment_status = 'NOT_FOUND' OR UPPER(event_type) LIKE '%DELETE%'
      OR UPPER(event_type) LIKE '%REMOVE%')
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
  AND NOT EXISTS (
    SELECT 1 FROM gone_work g
    WHERE g.course_id = latest.course_id AND g.course_work_id = latest.course_work_id)
ORDER BY course_id, course_work_id, submission_id

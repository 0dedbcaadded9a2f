-- Students added and removed per day (UTC, by publish_time) and course. Removed: a deletion-like
-- roster event; added: any other (the roster feeds send CREATED and DELETED). A student counts
-- once per day and direction however many notifications said so.
-- Runs unchanged on DuckDB and BigQuery; {{dataset}} is the dataset prefix.
WITH changes AS (
  -- One row per message: an attempt that did not fail, the latest replay (replayed_at) before
  -- the live stream, and the first written of Pub/Sub redeliveries.
  SELECT *
  FROM {{dataset}}roster_changes
  WHERE role = 'STUDENT'
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY message_id
    ORDER BY enrichment_status = 'FAILED', replayed_at DESC NULLS LAST, ingested_at) = 1
),
classified AS (
  SELECT
    CAST(publish_time AS DATE) AS day,
    course_id,
    user_id,
    UPPER(event_type) LIKE '%DELETE%' OR UPPER(event_type) LIKE '%REMOVE%' AS removal
  FROM changes
)
SELECT
  day,
  course_id,
  COUNT(DISTINCT CASE WHEN NOT removal THEN user_id END) AS students_added,
  COUNT(DISTINCT CASE WHEN removal THEN user_id END) AS students_removed
FROM classified
GROUP BY day, course_id
ORDER BY day, course_id

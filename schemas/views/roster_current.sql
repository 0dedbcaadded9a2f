-- Who is in each course now: the latest change per (course_id, user_id, role) by publish_time,
-- leaving out people whose latest change says they are gone (a deletion-like event type, or a
-- get call that answered NOT_FOUND). Arrival order does not matter, only publish_time.
-- Runs unchanged on DuckDB and BigQuery; {{dataset}} is the dataset prefix.
WITH changes AS (
  -- One row per message: an attempt that did not fail, the latest replay (replayed_at) before
  -- the live stream, and the first written of Pub/Sub redeliveries.
  SELECT *
  FROM {{dataset}}roster_changes
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
    PARTITION BY course_id, user_id, role ORDER BY publish_time DESC, message_id DESC) = 1
)
SELECT
  course_id,
  user_id,
  role,
  full_name,
  email_address,
  event_type,
  enrichment_status,
  publish_time AS changed_at,
  message_id
FROM latest
WHERE enrichment_status <> 'NOT_FOUND'
  AND UPPER(event_type) NOT LIKE '%DELETE%'
  AND UPPER(event_type) NOT LIKE '%REMOVE%'
ORDER BY course_id, role, user_id

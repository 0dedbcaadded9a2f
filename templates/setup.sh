#!/usr/bin/env bash
# Creates in a Google Cloud project what the Chalkstream Dataflow job needs; see the usage below.
# Idempotent: each create runs only when the describe before it finds nothing, grants are
# add-iam-policy-binding (adding a binding that is there changes nothing) and views are brought
# up to date with schemas/views/, so a second run changes nothing.
set -euo pipefail
# shellcheck source=templates/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage="usage: templates/setup.sh [--dry-run] [--retention-days=N] PROJECT REGION DATASET

Enables the APIs; creates the notification topic (Classroom's push service account may publish
to it), the pipeline's subscription with a dead-letter topic, a bucket for the template and
Dataflow's files, an Artifact Registry repository for the template image, the Secret Manager
secret for the OAuth grant (without a value), a worker service account with only the roles the
job needs, and the BigQuery dataset DATASET with every table of schemas/ and every view of
schemas/views/. REGION is the Dataflow region, also used for the bucket, the repository and the
dataset. Every table's day partitions expire after --retention-days (default 730, two school
years): student data is destroyed once it is no longer needed; rerun with another value to
change it. --dry-run prints the commands instead of running them (see templates/lib.sh for the
resource names and how to change them)."

RETENTION_DAYS=730
cs_option() {
  case "$1" in
    --retention-days=*) RETENTION_DAYS="${1#*=}" ;;
    *) return 1 ;;
  esac
}
cs_parse "$usage" "$@"
cs_project_region_dataset "$usage"
[[ "$RETENTION_DAYS" =~ ^[1-9][0-9]{0,4}$ ]] \
  || cs_die "--retention-days=$RETENTION_DAYS: give a whole number of days, 1 or more"
expiration=$((RETENTION_DAYS * 86400))

# The column each table is partitioned by day on; the same as sink/Table.java (a test compares).
partition_field() {
  case "$1" in
    roster_changes | coursework_changes | submission_changes) echo publish_time ;;
    dead_letters) echo failed_at ;;
    registrations) echo attempted_at ;;
    reconciliation) echo checked_at ;;
    *) return 1 ;;
  esac
}

# The SELECT of a view file for this dataset: what Views.bigQuerySql gives (a test compares).
view_sql() {
  local sql
  sql="$(<"$1")"
  sql="${sql#"${sql%%[![:space:]]*}"}"
  sql="${sql%"${sql##*[![:space:]]}"}"
  printf '%s' "${sql//"{{dataset}}"/"\`$PROJECT.$DATASET\`."}"
}

project=(--project="$PROJECT")
worker="serviceAccount:$WORKER_EMAIL"
dataset="$PROJECT:$DATASET"

cs_note "Chalkstream setup: project $PROJECT, region $REGION, dataset $DATASET."
cs_run gcloud services enable dataflow.googleapis.com compute.googleapis.com \
  logging.googleapis.com storage.googleapis.com pubsub.googleapis.com bigquery.googleapis.com \
  bigquerystorage.googleapis.com secretmanager.googleapis.com artifactregistry.googleapis.com \
  cloudbuild.googleapis.com classroom.googleapis.com iam.googleapis.com \
  cloudresourcemanager.googleapis.com "${project[@]}"
cs_project_number "$PROJECT"
pubsub_agent="serviceAccount:service-$PROJECT_NUMBER@gcp-sa-pubsub.iam.gserviceaccount.com"

cs_note "The topic Classroom publishes to; its push service account must be a publisher on it."
cs_ensure gcloud pubsub topics describe "$TOPIC" "${project[@]}" \
  -- gcloud pubsub topics create "$TOPIC" "${project[@]}"
cs_run gcloud pubsub topics add-iam-policy-binding "$TOPIC" "${project[@]}" \
  --member=serviceAccount:classroom-notifications@system.gserviceaccount.com \
  --role=roles/pubsub.publisher --format=none

cs_note "The dead-letter topic, with a subscription that keeps what reaches it for 7 days."
cs_ensure gcloud pubsub topics describe "$DEAD_LETTER_TOPIC" "${project[@]}" \
  -- gcloud pubsub topics create "$DEAD_LETTER_TOPIC" "${project[@]}"
cs_ensure gcloud pubsub subscriptions describe "$DEAD_LETTER_TOPIC" "${project[@]}" \
  -- gcloud pubsub subscriptions create "$DEAD_LETTER_TOPIC" "${project[@]}" \
  --topic="$DEAD_LETTER_TOPIC" --message-retention-duration=7d --expiration-period=never

cs_note "The pipeline's subscription: notifications wait up to 7 days (the most Pub/Sub keeps) for" \
  "a stopped pipeline; one delivered 20 times without an ack moves to the dead-letter topic."
cs_ensure gcloud pubsub subscriptions describe "$SUBSCRIPTION" "${project[@]}" \
  -- gcloud pubsub subscriptions create "$SUBSCRIPTION" "${project[@]}" --topic="$TOPIC" \
  --ack-deadline=60 --message-retention-duration=7d --expiration-period=never \
  --dead-letter-topic="projects/$PROJECT/topics/$DEAD_LETTER_TOPIC" --max-delivery-attempts=20
cs_note "Pub/Sub's service agent moves messages to the dead-letter topic."
cs_run_retrying gcloud pubsub topics add-iam-policy-binding "$DEAD_LETTER_TOPIC" "${project[@]}" \
  --member="$pubsub_agent" --role=roles/pubsub.publisher --format=none
cs_run_retrying gcloud pubsub subscriptions add-iam-policy-binding "$SUBSCRIPTION" \
  "${project[@]}" --member="$pubsub_agent" --role=roles/pubsub.subscriber --format=none

cs_note "A bucket for the template spec and Dataflow's staging and temp files."
cs_ensure gcloud storage buckets describe "gs://$BUCKET" "${project[@]}" \
  -- gcloud storage buckets create "gs://$BUCKET" "${project[@]}" --location="$REGION" \
  --uniform-bucket-level-access --public-access-prevention
cs_note "An Artifact Registry repository for the template image."
cs_ensure gcloud artifacts repositories describe "$REPOSITORY" "${project[@]}" \
  --location="$REGION" \
  -- gcloud artifacts repositories create "$REPOSITORY" "${project[@]}" --location="$REGION" \
  --repository-format=docker --description="Chalkstream flex template images"
cs_note "The secret for the OAuth grant (its value is added apart, from a file: see the end)."
cs_ensure gcloud secrets describe "$SECRET" "${project[@]}" \
  -- gcloud secrets create "$SECRET" "${project[@]}" --replication-policy=automatic

cs_note "The BigQuery dataset, its tables (schemas/*.json, partitioned by day, clustered by" \
  "course_id where they have one) and views (schemas/views/*.sql)."
cs_ensure bq show "$dataset" \
  -- bq --location="$REGION" mk --dataset --description="Chalkstream: Classroom change history" \
  "$dataset"
for schema in "$CS_ROOT"/schemas/*.json; do
  table="$(basename "$schema" .json)"
  field="$(partition_field "$table")" || cs_fail "schemas/$table.json has no partition column" \
    "in templates/setup.sh (partition_field); add the one pipeline/src/main/java/io/chalkstream/" \
    "sink/Table.java gives"
  mk=(bq mk --table --schema="$schema" --time_partitioning_type=DAY
    --time_partitioning_field="$field")
  if grep -q '"name": *"course_id"' "$schema"; then
    mk+=(--clustering_fields=course_id)
  fi
  mk+=(--time_partitioning_expiration="$expiration")
  cs_ensure bq show "$dataset.$table" -- "${mk[@]}" "$dataset.$table"
  # An existing table follows a changed --retention-days too, and gains the NULLABLE columns
  # added since it was made (e.g. replayed_at): the pipeline writes every column of schemas/.
  cs_run bq update --time_partitioning_expiration="$expiration" "$dataset.$table"
  cs_run bq update --schema="$schema" "$dataset.$table"
done
for file in "$CS_ROOT"/schemas/views/*.sql; do
  view="$dataset.$(basename "$file" .sql)"
  sql="$(view_sql "$file")"
  cs_ensure_current bq show "$view" \
    -- bq update --use_legacy_sql=false --view="$sql" "$view" \
    -- bq mk --use_legacy_sql=false --view="$sql" "$view"
done

cs_note "The worker service account and its roles: Dataflow worker and BigQuery job user on the" \
  "project; all other roles on the one resource each is for."
cs_ensure gcloud iam service-accounts describe "$WORKER_EMAIL" "${project[@]}" \
  -- gcloud iam service-accounts create "$WORKER" "${project[@]}" \
  --display-name="Chalkstream Dataflow worker"
for role in roles/dataflow.worker roles/bigquery.jobUser; do
  # jobUser: replay and reconcile read the history with query and export jobs.
  cs_run_retrying gcloud projects add-iam-policy-binding "$PROJECT" --member="$worker" \
    --role="$role" --condition=None --format=none
done
for role in roles/pubsub.subscriber roles/pubsub.viewer; do
  cs_run_retrying gcloud pubsub subscriptions add-iam-policy-binding "$SUBSCRIPTION" \
    "${project[@]}" --member="$worker" --role="$role" --format=none
done
cs_run_retrying bq add-iam-policy-binding --dataset --member="$worker" \
  --role=roles/bigquery.dataEditor "$dataset"
cs_run_retrying gcloud secrets add-iam-policy-binding "$SECRET" "${project[@]}" \
  --member="$worker" --role=roles/secretmanager.secretAccessor --format=none
for role in roles/storage.objectUser roles/storage.legacyBucketReader; do
  cs_run_retrying gcloud storage buckets add-iam-policy-binding "gs://$BUCKET" "${project[@]}" \
    --member="$worker" --role="$role" --format=none
done
cs_run_retrying gcloud artifacts repositories add-iam-policy-binding "$REPOSITORY" \
  "${project[@]}" --location="$REGION" --member="$worker" --role=roles/artifactregistry.reader \
  --format=none

cs_note "Done. Next (README, Run on Dataflow):" \
  "1. Add the OAuth grant of the authorizing user as the secret's value, from its file (never" \
  "   on the command line): gcloud secrets versions add $SECRET --project=$PROJECT" \
  "   --data-file=authorized_user.json" \
  "2. export CHALKSTREAM_TEMPLATE_SPEC=$TEMPLATE_SPEC CHALKSTREAM_IMAGE=$IMAGE" \
  "   templates/build.sh" \
  "3. templates/run.sh $PROJECT $REGION $DATASET"

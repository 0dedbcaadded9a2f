#!/usr/bin/env bash
# Removes what templates/setup.sh created; asks before each deletion that loses data. See usage.
set -euo pipefail
# shellcheck source=templates/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage="usage: templates/teardown.sh [--dry-run] [--yes] PROJECT REGION DATASET

Removes what templates/setup.sh created in PROJECT. It refuses while a Dataflow job named
chalkstream* is running (drain it first). Before each deletion that loses data (the subscription
with the notifications not yet read, the dead-letter subscription, the BigQuery dataset DATASET
with the change history, the secret with the OAuth grant, the bucket) it asks, and deletes only
on the answer yes; with no answer (standard input closed) it keeps the data. --yes deletes
without asking. --dry-run prints the commands instead of running them (a dry run asks nothing:
a # line marks each command that a real run asks about first)."

YES=false
cs_option() {
  case "$1" in
    --yes) YES=true ;;
    *) return 1 ;;
  esac
}
cs_parse "$usage" "$@"
cs_project_region_dataset "$usage"
project=(--project="$PROJECT")

# QUESTION...: true when the data may go (a dry run shows the question and goes on).
confirm() {
  local question="$*"
  if $DRY_RUN; then
    cs_note "asks first: $question"
    return 0
  fi
  if $YES; then
    return 0
  fi
  local answer=""
  printf '%s Type yes to delete: ' "$question" >&2
  read -r answer || answer=""
  if [ "$answer" = yes ]; then
    return 0
  fi
  printf 'kept.\n' >&2
  return 1
}

active=(gcloud dataflow jobs list "${project[@]}" --region="$REGION" --status=active
  "--filter=name~^chalkstream" "--format=value(id)")
if $DRY_RUN; then
  cs_note "Chalkstream teardown: project $PROJECT, region $REGION, dataset $DATASET." \
    "A real run stops here if this lists a running job (drain it first):"
  cs_run "${active[@]}"
else
  printf '+ %s\n' "$(cs_command "${active[@]}")" >&2
  jobs="$("${active[@]}")"
  if [ -n "$jobs" ]; then
    cs_fail "Chalkstream jobs are running in $REGION: $(echo "$jobs" | tr '\n' ' ')- drain each" \
      "first (gcloud dataflow jobs drain JOB_ID --region=$REGION --project=$PROJECT), then run" \
      "this again"
  fi
fi

cs_note "The worker service account and its project role."
cs_remove gcloud iam service-accounts describe "$WORKER_EMAIL" "${project[@]}" \
  -- gcloud projects remove-iam-policy-binding "$PROJECT" \
  --member="serviceAccount:$WORKER_EMAIL" --role=roles/dataflow.worker --condition=None \
  --format=none
cs_remove gcloud iam service-accounts describe "$WORKER_EMAIL" "${project[@]}" \
  -- gcloud iam service-accounts delete "$WORKER_EMAIL" "${project[@]}" --quiet
cs_note "The template image repository (templates/build.sh makes the image again)."
cs_remove gcloud artifacts repositories describe "$REPOSITORY" "${project[@]}" \
  --location="$REGION" \
  -- gcloud artifacts repositories delete "$REPOSITORY" "${project[@]}" --location="$REGION" \
  --quiet
cs_note "The topics (Classroom registrations to $TOPIC stop delivering)."
for topic in "$TOPIC" "$DEAD_LETTER_TOPIC"; do
  cs_remove gcloud pubsub topics describe "$topic" "${project[@]}" \
    -- gcloud pubsub topics delete "$topic" "${project[@]}" --quiet
done

if confirm "Delete subscription $SUBSCRIPTION and the notifications it holds that the pipeline" \
  "has not read?"; then
  cs_remove gcloud pubsub subscriptions describe "$SUBSCRIPTION" "${project[@]}" \
    -- gcloud pubsub subscriptions delete "$SUBSCRIPTION" "${project[@]}" --quiet
fi
if confirm "Delete subscription $DEAD_LETTER_TOPIC and the dead-lettered notifications in it?"; then
  cs_remove gcloud pubsub subscriptions describe "$DEAD_LETTER_TOPIC" "${project[@]}" \
    -- gcloud pubsub subscriptions delete "$DEAD_LETTER_TOPIC" "${project[@]}" --quiet
fi
if confirm "Delete BigQuery dataset $PROJECT:$DATASET with every table and view in it (the" \
  "change history)?"; then
  cs_remove bq show "$PROJECT:$DATASET" -- bq rm -r -f -d "$PROJECT:$DATASET"
fi
if confirm "Delete secret $SECRET with the OAuth grant in it?"; then
  cs_remove gcloud secrets describe "$SECRET" "${project[@]}" \
    -- gcloud secrets delete "$SECRET" "${project[@]}" --quiet
fi
if confirm "Delete bucket gs://$BUCKET with the template spec, staging and temp files?"; then
  cs_remove gcloud storage buckets describe "gs://$BUCKET" "${project[@]}" \
    -- gcloud storage rm --recursive "gs://$BUCKET" "${project[@]}"
fi
cs_note "Done. APIs stay enabled; Classroom registrations expire by themselves within a week."

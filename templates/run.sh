#!/usr/bin/env bash
# Launches a Chalkstream job on Dataflow from the flex template; see the usage below.
set -euo pipefail
# shellcheck source=templates/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage="usage: templates/run.sh [--dry-run] [--update] [--job-name=NAME] [--max-workers=N]
                        [--worker-machine-type=TYPE] PROJECT REGION DATASET [NAME=VALUE ...]

Launches the flex template (CHALKSTREAM_TEMPLATE_SPEC, else gs://PROJECT-chalkstream/templates/
chalkstream.json) as a streaming job in REGION with Streaming Engine, running as the worker
service account templates/setup.sh made. It reads the subscription setup.sh made, writes to
PROJECT:DATASET, and takes the Classroom grant from the latest version of setup.sh's secret;
NAME=VALUE adds or replaces a template parameter (templates/metadata.json lists them, e.g.
windowSeconds=30). --job-name (default chalkstream) names the job. --update replaces the running
job of that name in place, keeping its state. --max-workers (default 2) caps autoscaling.
--dry-run prints the command instead of running it."

UPDATE=false
job=chalkstream
max_workers=2
machine_type=""
cs_option() {
  case "$1" in
    --update) UPDATE=true ;;
    --job-name=*) job="${1#*=}" ;;
    --max-workers=*) max_workers="${1#*=}" ;;
    --worker-machine-type=*) machine_type="${1#*=}" ;;
    *) return 1 ;;
  esac
}
cs_parse "$usage" "$@"
cs_project_region_dataset "$usage" more
[[ "$job" =~ ^[a-z]([-a-z0-9]*[a-z0-9])?$ ]] \
  || cs_die "--job-name=$job: use lowercase letters, digits and hyphens, starting with a letter"
[[ "$max_workers" =~ ^[1-9][0-9]*$ ]] || cs_die "--max-workers=$max_workers is not a number above 0"
[[ "$machine_type" =~ ^[a-z0-9-]*$ ]] || cs_die "--worker-machine-type=$machine_type is not a" \
  "machine type such as n2-standard-2"

# The template parameters, in order: the resources of setup.sh, then NAME=VALUE from the caller.
names=(subscription bigQueryDataset classroomCredentialsSecret)
values=("projects/$PROJECT/subscriptions/$SUBSCRIPTION" "$PROJECT:$DATASET"
  "projects/$PROJECT/secrets/$SECRET/versions/latest")
for pair in "${CS_ARGS[@]:3}"; do
  [[ "$pair" =~ ^([A-Za-z][A-Za-z0-9]*)=(.*)$ ]] \
    || cs_die "'$pair' is not NAME=VALUE (a template parameter, e.g. windowSeconds=30)"$'\n'"$usage"
  name="${BASH_REMATCH[1]}" value="${BASH_REMATCH[2]}"
  replaced=false
  for i in "${!names[@]}"; do
    if [ "${names[$i]}" = "$name" ]; then
      values[i]="$value"
      replaced=true
    fi
  done
  if ! $replaced; then
    names+=("$name")
    values+=("$value")
  fi
done

# gcloud splits --parameters at commas; when a value has one, another delimiter is declared
# (^D^ at the start), one that no value contains.
delimiter=,
for value in "${values[@]}"; do
  [[ "$value" != *,* ]] || delimiter=""
done
if [ -z "$delimiter" ]; then
  for candidate in '~' '|' ';' '#'; do
    if [[ "${values[*]}" != *"$candidate"* ]]; then
      delimiter="$candidate"
      break
    fi
  done
  [ -n "$delimiter" ] || cs_die "the parameter values use all of , ~ | ; # so gcloud cannot" \
    "tell them apart; drop one of those characters"
fi
parameters=""
[ "$delimiter" = , ] || parameters="^$delimiter^"
for i in "${!names[@]}"; do
  parameters+="${names[$i]}=${values[$i]}"
  [ "$i" = $((${#names[@]} - 1)) ] || parameters+="$delimiter"
done

launch=(gcloud dataflow flex-template run "$job" --project="$PROJECT" --region="$REGION"
  --template-file-gcs-location="$TEMPLATE_SPEC" --service-account-email="$WORKER_EMAIL"
  --enable-streaming-engine --max-workers="$max_workers"
  --staging-location="gs://$BUCKET/staging" --temp-location="gs://$BUCKET/temp"
  --parameters="$parameters")
[ -z "$machine_type" ] || launch+=(--worker-machine-type="$machine_type")
! $UPDATE || launch+=(--update)

cs_note "Chalkstream on Dataflow: job $job in $REGION, from $TEMPLATE_SPEC."
cs_run "${launch[@]}"
cs_note "Watch it: gcloud dataflow jobs list --project=$PROJECT --region=$REGION --status=active" \
  "or https://console.cloud.google.com/dataflow/jobs?project=$PROJECT (README: Run on Dataflow)."

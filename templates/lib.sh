# shellcheck shell=bash disable=SC2034 # the scripts that source this file use its variables
# Sourced by templates/*.sh (not run on its own): the names of the cloud resources, argument
# checks, and the one code path by which a script runs a command or, with --dry-run, prints it.
#
# A dry run prints a bash script on stdout: every command exactly as a real run would run it
# (arguments quoted so the line can be pasted), each guarded create as
#   DESCRIBE >/dev/null 2>&1 || CREATE
# and notes as # comments. It calls neither gcloud nor bq nor mvn.
#
# Resource names (setup.sh creates them, run.sh and teardown.sh use them); each can be changed by
# setting the environment variable in brackets before calling any of the scripts:
#   topic TOPIC [CHALKSTREAM_TOPIC, classroom-notifications] that Classroom publishes to,
#   subscription [CHALKSTREAM_SUBSCRIPTION, chalkstream] that the pipeline reads,
#   dead-letter topic and its subscription [CHALKSTREAM_DEAD_LETTER_TOPIC, chalkstream-dead-letter],
#   worker service account [CHALKSTREAM_WORKER, chalkstream-worker],
#   secret with the OAuth grant [CHALKSTREAM_SECRET, chalkstream-classroom-oauth],
#   bucket for the template spec, staging and temp files [CHALKSTREAM_BUCKET, PROJECT-chalkstream],
#   Artifact Registry repository [CHALKSTREAM_REPOSITORY, chalkstream],
#   template spec [CHALKSTREAM_TEMPLATE_SPEC, gs://BUCKET/templates/chalkstream.json],
#   template image [CHALKSTREAM_IMAGE, REGION-docker.pkg.dev/PROJECT/REPOSITORY/chalkstream:latest].

CS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DRY_RUN=false

# The placeholder a dry run prints where a real run would use the project number it looks up.
# shellcheck disable=SC2016 # a literal, for the reader's shell to expand
CS_PROJECT_NUMBER_WORD='${PROJECT_NUMBER}'

# Sets the resource names for PROJECT and REGION (see the top of this file).
cs_names() {
  local project="$1" region="$2"
  TOPIC="${CHALKSTREAM_TOPIC:-classroom-notifications}"
  SUBSCRIPTION="${CHALKSTREAM_SUBSCRIPTION:-chalkstream}"
  DEAD_LETTER_TOPIC="${CHALKSTREAM_DEAD_LETTER_TOPIC:-chalkstream-dead-letter}"
  WORKER="${CHALKSTREAM_WORKER:-chalkstream-worker}"
  WORKER_EMAIL="$WORKER@$project.iam.gserviceaccount.com"
  SECRET="${CHALKSTREAM_SECRET:-chalkstream-classroom-oauth}"
  BUCKET="${CHALKSTREAM_BUCKET:-$project-chalkstream}"
  REPOSITORY="${CHALKSTREAM_REPOSITORY:-chalkstream}"
  TEMPLATE_SPEC="${CHALKSTREAM_TEMPLATE_SPEC:-gs://$BUCKET/templates/chalkstream.json}"
  IMAGE="${CHALKSTREAM_IMAGE:-$region-docker.pkg.dev/$project/$REPOSITORY/chalkstream:latest}"
}

# A mistake in how the script was called: the message, exit code 2.
cs_die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

# A step that failed: the message, exit code 1.
cs_fail() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# USAGE ARGS...: reads --dry-run and -h/--help; passes any other option to the calling script's
# cs_option function, if it has one (it returns 1 for an option it does not know); puts the other
# arguments in CS_ARGS.
cs_parse() {
  local usage="$1" arg
  shift
  CS_ARGS=()
  for arg in "$@"; do
    case "$arg" in
      --dry-run) DRY_RUN=true ;;
      -h | --help) echo "$usage"; exit 0 ;;
      -*)
        if ! declare -F cs_option >/dev/null || ! cs_option "$arg"; then
          cs_die "unknown option $arg"$'\n'"$usage"
        fi
        ;;
      *) CS_ARGS+=("$arg") ;;
    esac
  done
}

# USAGE [MORE]: sets PROJECT, REGION and DATASET from the first three of CS_ARGS, checked, and the
# resource names; MORE=more allows arguments after them.
cs_project_region_dataset() {
  local usage="$1" more="${2:-}"
  if [ "${#CS_ARGS[@]}" -lt 3 ] || { [ "${#CS_ARGS[@]}" -gt 3 ] && [ "$more" != more ]; }; then
    cs_die "expected PROJECT REGION DATASET, got ${#CS_ARGS[@]} arguments"$'\n'"$usage"
  fi
  PROJECT="${CS_ARGS[0]}" REGION="${CS_ARGS[1]}" DATASET="${CS_ARGS[2]}"
  cs_check_project_region_dataset "$usage" "$PROJECT" "$REGION" "$DATASET"
  cs_names "$PROJECT" "$REGION"
}

# Checks PROJECT REGION DATASET, exiting with the usage ($1 is the usage text) when one is off.
cs_check_project_region_dataset() {
  local usage="$1" project="$2" region="$3" dataset="$4"
  [[ "$project" =~ ^[a-z][a-z0-9-]{4,28}[a-z0-9]$ ]] \
    || cs_die "PROJECT '$project' is not a Google Cloud project id (6 to 30 lowercase letters," \
      "digits and hyphens, e.g. my-school-123); see 'gcloud projects list'"$'\n'"$usage"
  [[ "$region" =~ ^[a-z]+-[a-z]+[0-9]+$ ]] \
    || cs_die "REGION '$region' is not a region such as europe-west1 or us-central1"$'\n'"$usage"
  [[ "$dataset" =~ ^[A-Za-z0-9_]{1,1024}$ ]] \
    || cs_die "DATASET '$dataset' is not a BigQuery dataset name (letters, digits and" \
      "underscores, e.g. classroom)"$'\n'"$usage"
}

# One word as bash reads it back: bare when that is safe, else in quotes; the project number
# placeholder of a dry run stays expandable.
cs_word() {
  local word="$1"
  local safe='^[A-Za-z0-9_@%+=:,./-]+$'
  local with_number='^[A-Za-z0-9_@%+=:,./-]*\$\{PROJECT_NUMBER\}[A-Za-z0-9_@%+=:,./-]*$'
  if [[ "$word" =~ $safe ]]; then
    printf '%s' "$word"
  elif [[ "$word" =~ $with_number ]]; then
    printf '"%s"' "$word"
  elif [[ "$word" != *"'"* && "$word" != *[[:cntrl:]]* ]]; then
    printf "'%s'" "$word"
  else
    printf '%q' "$word"
  fi
}

# A command line that can be pasted into bash.
cs_command() {
  local line="" word
  for word in "$@"; do
    line+="${line:+ }$(cs_word "$word")"
  done
  printf '%s' "$line"
}

# A note for the reader: a # comment on stdout in a dry run, a line on stderr otherwise.
cs_note() {
  if $DRY_RUN; then
    printf '# %s\n' "$@"
  else
    printf '%s\n' "$@" >&2
  fi
}

# COMMAND...: runs it (showing it on stderr first), or prints it in a dry run.
cs_run() {
  if $DRY_RUN; then
    printf '%s\n' "$(cs_command "$@")"
  else
    printf '+ %s\n' "$(cs_command "$@")" >&2
    "$@"
  fi
}

# COMMAND...: as cs_run, but a real run tries up to 6 times, 10 s apart: IAM may not know a
# service account for a few seconds after it was created.
cs_run_retrying() {
  if $DRY_RUN; then
    cs_run "$@"
    return
  fi
  local attempt
  for attempt in 1 2 3 4 5 6; do
    if cs_run "$@"; then
      return 0
    fi
    [ "$attempt" = 6 ] || { echo "(retrying in 10 s)" >&2; sleep 10; }
  done
  cs_fail "failed 6 times: $(cs_command "$@")"
}

# Splits "A... -- B... [-- C...]" into the arrays CS_PART1, CS_PART2, CS_PART3.
cs_split() {
  CS_PART1=() CS_PART2=() CS_PART3=()
  local part=1 word
  for word in "$@"; do
    if [ "$word" = "--" ] && [ "$part" -lt 3 ]; then
      part=$((part + 1))
    elif [ "$part" = 1 ]; then
      CS_PART1+=("$word")
    elif [ "$part" = 2 ]; then
      CS_PART2+=("$word")
    else
      CS_PART3+=("$word")
    fi
  done
}

# DESCRIBE... -- CREATE...: creates the resource unless DESCRIBE finds it.
cs_ensure() {
  cs_split "$@"
  if $DRY_RUN; then
    printf '%s >/dev/null 2>&1 || %s\n' "$(cs_command "${CS_PART1[@]}")" \
      "$(cs_command "${CS_PART2[@]}")"
  elif "${CS_PART1[@]}" >/dev/null 2>&1; then
    printf 'exists: %s\n' "$(cs_command "${CS_PART1[@]}")" >&2
  else
    cs_run "${CS_PART2[@]}"
  fi
}

# DESCRIBE... -- UPDATE... -- CREATE...: updates the resource when DESCRIBE finds it, else
# creates it (for what is derived from the repository, such as the views).
cs_ensure_current() {
  cs_split "$@"
  if $DRY_RUN; then
    printf 'if %s >/dev/null 2>&1; then %s; else %s; fi\n' "$(cs_command "${CS_PART1[@]}")" \
      "$(cs_command "${CS_PART2[@]}")" "$(cs_command "${CS_PART3[@]}")"
  elif "${CS_PART1[@]}" >/dev/null 2>&1; then
    cs_run "${CS_PART2[@]}"
  else
    cs_run "${CS_PART3[@]}"
  fi
}

# DESCRIBE... -- DELETE...: deletes the resource when DESCRIBE finds it.
cs_remove() {
  cs_split "$@"
  if $DRY_RUN; then
    printf 'if %s >/dev/null 2>&1; then %s; fi\n' "$(cs_command "${CS_PART1[@]}")" \
      "$(cs_command "${CS_PART2[@]}")"
  elif "${CS_PART1[@]}" >/dev/null 2>&1; then
    cs_run "${CS_PART2[@]}"
  else
    printf 'already gone: %s\n' "$(cs_command "${CS_PART1[@]}")" >&2
  fi
}

# Sets PROJECT_NUMBER for PROJECT; a dry run prints the lookup and uses ${PROJECT_NUMBER}.
cs_project_number() {
  local -a lookup=(gcloud projects describe "$1" "--format=value(projectNumber)")
  if $DRY_RUN; then
    # shellcheck disable=SC2016 # printed for the reader's shell to expand
    printf 'PROJECT_NUMBER="$(%s)"\n' "$(cs_command "${lookup[@]}")"
    PROJECT_NUMBER="$CS_PROJECT_NUMBER_WORD"
  else
    printf '+ %s\n' "$(cs_command "${lookup[@]}")" >&2
    PROJECT_NUMBER="$("${lookup[@]}")"
    [[ "$PROJECT_NUMBER" =~ ^[0-9]+$ ]] \
      || cs_fail "could not read the number of project $1 (got '$PROJECT_NUMBER'); check" \
        "'gcloud auth login' and that you can see the project"
  fi
}
